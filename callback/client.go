package callback

import (
	"fmt"
	"slices"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
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
	cfg    Config
	oauth  oauth2.Config
	http   *httpClient
	jwks   *jwks
	openid bool
	// main verifies the channel's ID tokens; extra those of
	// Config.ExtraChannels, by channel ID (bearer mode only).
	main  *channel
	extra map[string]*channel
	// Set by the options.
	now     func() time.Time
	meters  metric.MeterProvider
	tracers trace.TracerProvider
}

// New validates cfg, fills in its defaults, and returns a Client, changed
// by opts.
func New(cfg Config, opts ...Option) (*Client, error) {
	cfg.setDefaults()
	cfg.ExtraChannels = slices.Clone(cfg.ExtraChannels) // the caller's slice may change
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Client{
		cfg:     cfg,
		openid:  slices.Contains(cfg.Scopes, "openid"),
		now:     time.Now,
		meters:  otel.GetMeterProvider(),
		tracers: otel.GetTracerProvider(),
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
	for _, opt := range opts {
		opt(c)
	}
	hc, err := newHTTPClient(cfg.HTTPClient, cfg.Timeout, c.meters, c.tracers, cfg.ChannelID)
	if err != nil {
		return nil, fmt.Errorf("%w: MeterProvider: %v", ErrConfig, err)
	}
	c.http = hc
	c.jwks = newJWKS(cfg.APIURL+pathCerts, c.http, cfg.KeyCooldown, c.now)
	c.main = newChannel(cfg, c.now, Channel{ID: cfg.ChannelID, Secret: cfg.ChannelSecret}, c.jwks)
	if len(cfg.ExtraChannels) > 0 {
		c.extra = make(map[string]*channel, len(cfg.ExtraChannels))
		for _, ch := range cfg.ExtraChannels {
			c.extra[ch.ID] = newChannel(cfg, c.now, ch, c.jwks)
		}
	}
	return c, nil
}
