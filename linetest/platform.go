package linetest

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Endpoint paths served by a Platform. The real LINE Platform splits them
// between access.line.me (authorize, discovery) and api.line.me (the rest);
// a Platform serves all of them on one origin.
const (
	PathAuthorize   = "/oauth2/v2.1/authorize"            // GET: start a login
	PathToken       = "/oauth2/v2.1/token"                // POST: authorization_code and refresh_token grants
	PathVerify      = "/oauth2/v2.1/verify"               // GET ?access_token=, and POST id_token
	PathRevoke      = "/oauth2/v2.1/revoke"               // POST: revoke an access token
	PathCerts       = "/oauth2/v2.1/certs"                // GET: JWKS of the ES256 keys
	PathProfile     = "/v2/profile"                       // GET: the user's profile (bearer)
	PathFriendship  = "/friendship/v1/status"             // GET: friendship with the official account (bearer)
	PathDeauthorize = "/user/v1/deauthorize"              // POST: revoke a user's grant (channel access token)
	PathDiscovery   = "/.well-known/openid-configuration" // GET: OpenID Provider metadata

	// PathConsent receives the consent page's forms. It is not part of
	// LINE's API: the real consent screen is LINE's own business.
	PathConsent = "/oauth2/v2.1/authorize/consent"
	// PathAvatarPrefix is where generated avatars are served:
	// PathAvatarPrefix + userID + ".svg".
	PathAvatarPrefix = "/linetest/avatar/"
	// PathDemoTokens hands out tokens for a test user, as a native app or
	// LIFF page would hold after logging in: GET ?user=<ID>&kind=access
	// (the default) or kind=id_token, answered as text/plain. Only the fake
	// has it, so that the demo's bearer endpoints can be tried with curl.
	PathDemoTokens = "/linetest/tokens"
)

// Defaults used when Config leaves the channel empty.
const (
	// DefaultChannelID is a ten-digit channel ID, like LINE's.
	DefaultChannelID = "1234567890"
	// DefaultChannelSecret is exactly 32 characters, like LINE's channel
	// secrets; go-jose refuses shorter HMAC keys.
	DefaultChannelSecret = "0123456789abcdef0123456789abcdef"
	// DefaultChannelAccessToken is a channel access token the deauthorize
	// endpoint always accepts.
	DefaultChannelAccessToken = "channel-access-token"
)

// Default lifetimes, as LINE documents them.
const (
	DefaultCodeTTL        = 10 * time.Minute    // authorization codes
	DefaultAccessTokenTTL = 30 * 24 * time.Hour // access tokens (expires_in 2592000)
	DefaultIDTokenTTL     = time.Hour           // ID tokens
)

// ErrInvalidConfig is wrapped by the errors New returns for a Config that
// could not work.
var ErrInvalidConfig = errors.New("linetest: invalid config")

// Config configures a Platform. The zero value is usable: the default
// channel, the DefaultUsers, a consent page, and LINE's token lifetimes.
type Config struct {
	// ChannelID and ChannelSecret identify the LINE Login channel.
	// They default to DefaultChannelID and DefaultChannelSecret. The secret
	// must be at least 32 bytes long.
	ChannelID, ChannelSecret string
	// CallbackURLs are the registered callback URLs. redirect_uri must equal
	// one of them exactly. When empty, any absolute http or https URL is
	// accepted at authorize (convenient for tests); the token endpoint still
	// requires the exact redirect_uri sent to authorize.
	CallbackURLs []string
	// Users are the test users; DefaultUsers() when empty.
	Users []User
	// AutoApprove, when set to a user ID, makes authorize approve at once as
	// that user, without the consent page.
	AutoApprove string
	// CodeTTL is the lifetime of authorization codes and of pending consent
	// pages; 10 minutes by default, as at LINE.
	CodeTTL time.Duration
	// AccessTokenTTL is the lifetime of access tokens; 30 days by default
	// (expires_in 2592000), as at LINE.
	AccessTokenTTL time.Duration
	// IDTokenTTL is the lifetime of ID tokens; 1 hour by default.
	IDTokenTTL time.Duration
	// Now is the clock used for every expiry, iat and exp; time.Now by
	// default.
	Now func() time.Time
	// Logger receives the platform's events. Secrets, codes and tokens are
	// never logged. Nothing is logged by default.
	Logger *slog.Logger
}

// Platform is a fake LINE Platform. It is an http.Handler serving every
// endpoint on one origin, both the "access" host and the "api" host: point
// both base URLs at it. Create it with New (and call SetURL) or NewServer.
// A Platform is safe for concurrent use.
type Platform struct {
	// Fixed at New.
	channelID     string
	channelSecret string
	callbackURLs  map[string]bool
	users         []User
	userIndex     map[string]int
	codeTTL       time.Duration
	accessTTL     time.Duration
	idTokenTTL    time.Duration
	log           *slog.Logger
	tokenKey      []byte // signs access tokens; never leaves the platform
	routes        routes
	pages         *template.Template

	stop     chan struct{} // closed by shutdown: pending delays return
	stopOnce sync.Once

	mu            sync.Mutex
	url           string
	now           func() time.Time
	autoApprove   string
	authErr       *authorizeError
	idTokenHook   func(header, claims map[string]any)
	faults        map[string]*activeFault
	pending       map[string]*authRequest
	codes         map[string]*authCode
	accessTokens  map[string]*accessToken
	refreshTokens map[string]*grant
	channelTokens map[string]bool
	keys          []*signingKey // the last one is current
	requests      []Request
	inserts       int // counts codes and pending requests, to sweep now and then
}

// New returns a Platform for cfg. It fails, with an error wrapping
// ErrInvalidConfig, when the configuration could not work against LINE.
// Call SetURL before serving requests, or use NewServer.
func New(cfg Config) (*Platform, error) {
	bad := func(format string, args ...any) (*Platform, error) {
		return nil, fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	p := &Platform{
		channelID:     cfg.ChannelID,
		channelSecret: cfg.ChannelSecret,
		callbackURLs:  make(map[string]bool, len(cfg.CallbackURLs)),
		users:         append([]User(nil), cfg.Users...),
		codeTTL:       cfg.CodeTTL,
		accessTTL:     cfg.AccessTokenTTL,
		idTokenTTL:    cfg.IDTokenTTL,
		log:           cfg.Logger,
		stop:          make(chan struct{}),
		now:           cfg.Now,
		autoApprove:   cfg.AutoApprove,
		faults:        make(map[string]*activeFault),
		pending:       make(map[string]*authRequest),
		codes:         make(map[string]*authCode),
		accessTokens:  make(map[string]*accessToken),
		refreshTokens: make(map[string]*grant),
		channelTokens: map[string]bool{DefaultChannelAccessToken: true},
	}
	if p.channelID == "" {
		p.channelID = DefaultChannelID
	}
	if strings.TrimSpace(p.channelID) != p.channelID || strings.ContainsAny(p.channelID, "/?#&") {
		return bad("ChannelID %q contains spaces or URL delimiters", p.channelID)
	}
	if p.channelSecret == "" {
		p.channelSecret = DefaultChannelSecret
	}
	if len(p.channelSecret) < 32 {
		return bad("ChannelSecret is %d bytes; HS256 needs at least 32", len(p.channelSecret))
	}
	for _, cb := range cfg.CallbackURLs {
		if err := checkRedirectURI(cb); err != nil {
			return bad("CallbackURLs: %q: %v", cb, err)
		}
		p.callbackURLs[cb] = true
	}
	if len(p.users) == 0 {
		p.users = DefaultUsers()
	}
	index, err := checkUsers(p.users)
	if err != nil {
		return bad("Users: %v", err)
	}
	p.userIndex = index
	if p.autoApprove != "" {
		if _, ok := index[p.autoApprove]; !ok {
			return bad("AutoApprove: no user %q", p.autoApprove)
		}
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"CodeTTL", &p.codeTTL, DefaultCodeTTL},
		{"AccessTokenTTL", &p.accessTTL, DefaultAccessTokenTTL},
		{"IDTokenTTL", &p.idTokenTTL, DefaultIDTokenTTL},
	} {
		switch {
		case *d.v < 0:
			return bad("%s is negative", d.name)
		case *d.v == 0:
			*d.v = d.def
		}
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	p.tokenKey = randomBytes(32)
	key, err := newSigningKey()
	if err != nil {
		return nil, fmt.Errorf("linetest: new platform: %w", err)
	}
	p.keys = []*signingKey{key}
	p.routes = p.newRoutes()
	p.pages = newPages()
	return p, nil
}

// SetURL sets the platform's public origin, such as "http://127.0.0.1:9001".
// It is the ID tokens' issuer, and the base of the URLs in discovery and of
// generated avatars. NewServer calls it; anyone else must call it before the
// platform serves requests.
func (p *Platform) SetURL(u string) {
	u = strings.TrimRight(u, "/")
	p.mu.Lock()
	p.url = u
	p.mu.Unlock()
}

// URL returns the origin set with SetURL.
func (p *Platform) URL() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.url
}

// Issuer returns the iss of the ID tokens the platform issues: URL().
func (p *Platform) Issuer() string { return p.URL() }

// ChannelID returns the channel ID (the OAuth client_id).
func (p *Platform) ChannelID() string { return p.channelID }

// ChannelSecret returns the channel secret (the OAuth client_secret and the
// HS256 key of web-login ID tokens).
func (p *Platform) ChannelSecret() string { return p.channelSecret }

// SetAutoApprove changes Config.AutoApprove at run time. "" brings the
// consent page back. An unknown user ID makes authorize fail with a 500 page.
func (p *Platform) SetAutoApprove(userID string) {
	p.mu.Lock()
	p.autoApprove = userID
	p.mu.Unlock()
}

// SetNow replaces the clock, for expiry tests. nil restores time.Now.
func (p *Platform) SetNow(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	p.mu.Lock()
	p.now = now
	p.mu.Unlock()
}

// clock returns the current time of the platform's clock. The clock is
// called outside the lock so that it may itself call the Platform.
func (p *Platform) clock() time.Time {
	p.mu.Lock()
	now := p.now
	p.mu.Unlock()
	return now()
}

// shutdown makes pending fault delays return; used by Server.Close.
func (p *Platform) shutdown() {
	p.stopOnce.Do(func() { close(p.stop) })
}

// checkRedirectURI reports whether u can be a callback URL: an absolute
// http or https URL with a host and no fragment.
func checkRedirectURI(u string) error {
	parsed, err := url.Parse(u)
	switch {
	case err != nil:
		return errors.New("not a URL")
	case parsed.Scheme != "http" && parsed.Scheme != "https":
		return errors.New("scheme is not http or https")
	case parsed.Host == "":
		return errors.New("no host")
	case parsed.Fragment != "" || strings.Contains(u, "#"):
		return errors.New("has a fragment")
	case parsed.User != nil:
		return errors.New("has user info")
	}
	return nil
}
