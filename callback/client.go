package callback

import (
	"fmt"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// LINE Login v2.1 endpoint paths, on AccessURL (authorize) and APIURL.
const (
	pathAuthorize = "/oauth2/v2.1/authorize"
	pathToken     = "/oauth2/v2.1/token"
	pathVerify    = "/oauth2/v2.1/verify"
	pathRevoke    = "/oauth2/v2.1/revoke"
	pathCerts     = "/oauth2/v2.1/certs"
	pathProfile   = "/v2/profile"
)

// Client runs LINE Login for one channel. It is safe for concurrent use;
// make one and share it.
type Client struct {
	cfg      Config
	oauth    oauth2.Config
	http     *httpClient
	verifier *oidc.IDTokenVerifier
	jwks     *jwks
	openid   bool
}

// New validates cfg, fills in its defaults, and returns a Client.
func New(cfg Config) (*Client, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	hc, err := newHTTPClient(cfg.HTTPClient, cfg.Timeout, cfg.MeterProvider)
	if err != nil {
		return nil, fmt.Errorf("%w: MeterProvider: %v", ErrConfig, err)
	}
	c := &Client{
		cfg:    cfg,
		http:   hc,
		openid: slices.Contains(cfg.Scopes, "openid"),
		oauth: oauth2.Config{
			ClientID:     cfg.ChannelID,
			ClientSecret: cfg.ChannelSecret,
			RedirectURL:  cfg.RedirectURL,
			Scopes:       cfg.Scopes,
			Endpoint: oauth2.Endpoint{
				AuthURL:  cfg.AuthorizeURL,
				TokenURL: cfg.TokenURL,
				// LINE wants client_secret in the body, not in Basic auth.
				AuthStyle: oauth2.AuthStyleInParams,
			},
		},
	}
	c.jwks = newJWKS(cfg.APIURL+pathCerts, c.http, cfg.KeyCooldown, cfg.Now)
	keys := &keySet{secret: []byte(cfg.ChannelSecret), jwks: c.jwks}
	// LINE's discovery document lists only ES256, but web-login tokens are
	// HS256: pin exactly the two algorithms LINE uses, and let keySet pick
	// the key by the token's alg.
	c.verifier = oidc.NewVerifier(cfg.Issuer, keys, &oidc.Config{
		ClientID:             cfg.ChannelID,
		SupportedSigningAlgs: []string{string(algHS256), string(algES256)},
		Now:                  func() time.Time { return cfg.Now().Add(-cfg.ClockSkew) },
	})
	return c, nil
}

// Config returns the client's configuration with its defaults filled in.
func (c *Client) Config() Config { return c.cfg }
