package linetest

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Endpoint paths served by a Platform. As at LINE, the access host
// (access.line.me) serves authorize, the v2.0 web login, the consent form
// and discovery; the API host (api.line.me) serves the rest. A request for
// an endpoint on the other host gets 404, as it would at LINE.
const (
	PathAuthorize   = "/oauth2/v2.1/authorize"            // access host, GET: start a login
	pathDiscovery   = "/.well-known/openid-configuration" // access host, GET: OpenID Provider metadata
	PathToken       = "/oauth2/v2.1/token"                // API host, POST: authorization_code and refresh_token grants
	PathVerify      = "/oauth2/v2.1/verify"               // API host, GET ?access_token=, and POST id_token
	PathRevoke      = "/oauth2/v2.1/revoke"               // API host, POST: revoke an access token
	PathCerts       = "/oauth2/v2.1/certs"                // API host, GET: JWKS of the ES256 keys
	pathUserInfo    = "/oauth2/v2.1/userinfo"             // API host, GET or POST: OpenID Connect userinfo (bearer, openid scope)
	PathProfile     = "/v2/profile"                       // API host, GET: the user's profile (bearer; v2.0 and v2.1 tokens)
	PathFriendship  = "/friendship/v1/status"             // API host, GET: friendship with the official account (bearer)
	PathDeauthorize = "/user/v1/deauthorize"              // API host, POST: revoke a user's grant (channel access token)

	// pathAuthorizeV20 is LINE Login v2.0's web login (access host), and
	// the others its API (API host): token (authorization_code and
	// refresh_token grants), access token verification and revoke (by
	// refresh token). v2.0 is deprecated at LINE but still served there.
	pathAuthorizeV20 = "/dialog/oauth/weblogin"
	pathTokenV20     = "/v2/oauth/accessToken"
	pathVerifyV20    = "/v2/oauth/verify"
	pathRevokeV20    = "/v2/oauth/revoke"

	// pathConsent receives the consent page's forms. It is not part of
	// LINE's API: the real consent screen is LINE's own business.
	pathConsent = "/oauth2/v2.1/authorize/consent"
	// PathAvatarPrefix is where generated avatars are served, on the
	// picture host (PictureURL, which User.PictureURL names) and on both
	// of the others: PathAvatarPrefix + userID + ".svg".
	PathAvatarPrefix = "/linetest/avatar/"
	// PathDemoTokens hands out tokens for a test user, as a native app or
	// LIFF page would hold after logging in: GET ?user=<ID>&kind=access
	// (the default) or kind=id_token, answered as text/plain, on both
	// hosts. Only the fake has it, so that the demo's bearer endpoints can
	// be tried with curl.
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

// ErrInvalidConfig is wrapped by the errors New (and AddCallbackURL)
// return for a Config that could not work.
var ErrInvalidConfig = errors.New("linetest: invalid config")

// ErrUnknownUser is wrapped by the errors of methods given a user ID that
// is not one of the platform's users.
var ErrUnknownUser = errors.New("no such test user")

// Config configures a Platform. The zero value is usable: the default
// channel, the DefaultUsers, a consent page, and LINE's token lifetimes.
type Config struct {
	// ChannelID and ChannelSecret identify the LINE Login channel.
	// They default to DefaultChannelID and DefaultChannelSecret. The secret
	// must be at least 32 bytes long.
	ChannelID, ChannelSecret string
	// CallbackURLs are the registered callback URLs, as in the LINE
	// Developers console. redirect_uri must be one of them, to which LINE
	// lets the app add any query parameters (they come back on the
	// callback); anything else gets LINE's error page, not a redirect. With
	// none registered every login fails that way, as at LINE: register the
	// app's callback here or with AddCallbackURL. The token endpoint
	// requires the exact redirect_uri sent to authorize.
	CallbackURLs []string
	// AnyCallbackURL, a knob LINE does not have, accepts any absolute http
	// or https redirect_uri, registered or not. Prefer registering.
	AnyCallbackURL bool
	// HTTPPictures, a knob LINE does not have, makes a Server serve the
	// generated avatars over plain HTTP instead of https with httptest's
	// self-signed certificate, which a person's browser refuses: for a demo
	// viewed in a browser (the example's make run). Tests keep https, as
	// LINE's picture URLs are.
	HTTPPictures bool
	// Users are the test users; DefaultUsers() when empty.
	Users []User
	// AutoApprove, when set to a user ID, makes authorize approve at once as
	// that user, without the consent page, as if the user were logged in to
	// LINE and pressed Allow. The client Login makes is answered as its own
	// Consent says instead.
	// prompt=none still needs the user's earlier consent to the channel
	// (see the package doc).
	AutoApprove string
	// AutoAddFriend makes an automatic approval tick the add-friend option
	// when it is shown (bot_prompt sent and the user not yet a friend): the
	// user becomes a friend and friendship_status_changed is true.
	AutoAddFriend bool
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
	// RecordLimit is how many of the latest requests Requests keeps, 1000
	// when 0, so that a long-running platform, such as a demo's, does not
	// grow without bound; a test that needs to see more at once asks for
	// more. Count is exact for the platform's endpoints whatever the limit.
	RecordLimit int
}

// Platform is a fake LINE Platform. NewServer serves it on two origins, the
// access host and the API host, as LINE does; New makes one that answers
// in memory, through Transport, at https://access.line.test and
// https://api.line.test. As an http.Handler it tells the two hosts apart by
// the request's Host (see ServeHTTP). A Platform is safe for concurrent use.
type Platform struct {
	// Fixed at New.
	channelID     string
	channelSecret string
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
	accessURL     string
	apiURL        string
	pictureURL    string // "" until a Server sets it: AccessURL's host over https
	now           func() time.Time
	callbackURLs  []string
	anyCallback   bool
	autoApprove   string
	autoAddFriend bool
	authErr       *authorizeError
	idTokenHook   func(header, claims map[string]any)
	jarmHook      func(*JARMResponse)
	friends       map[string]bool            // user ID: friend of the linked official account
	consents      map[string]map[string]bool // user ID: the scopes consented to
	authTimes     map[string]time.Time       // user ID: when the user last authenticated on a page
	faults        map[string]*activeFault
	pending       map[string]*authRequest
	codes         map[string]*authCode
	accessTokens  map[string]*accessToken
	refreshTokens map[string]*grant
	channelTokens map[string]bool
	keys          []*signingKey // the last one is current
	requests      requestLog
	inserts       int // counts codes and pending requests, to sweep now and then
}

// New returns a Platform for cfg. It fails, with an error wrapping
// ErrInvalidConfig, when the configuration could not work against LINE.
// The Platform answers only through Transport, with no listener, at
// https://access.line.test (AccessURL) and https://api.line.test (APIURL):
// for benchmarks and fuzzing. Tests over HTTP use NewServer.
func New(cfg Config) (*Platform, error) {
	bad := func(format string, args ...any) (*Platform, error) {
		return nil, fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	p := &Platform{
		channelID:     cfg.ChannelID,
		channelSecret: cfg.ChannelSecret,
		anyCallback:   cfg.AnyCallbackURL,
		autoAddFriend: cfg.AutoAddFriend,
		friends:       make(map[string]bool),
		consents:      make(map[string]map[string]bool),
		authTimes:     make(map[string]time.Time),
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
		p.callbackURLs = append(p.callbackURLs, cb)
	}
	if len(p.users) == 0 {
		p.users = DefaultUsers()
	}
	index, err := checkUsers(p.users)
	if err != nil {
		return bad("Users: %v", err)
	}
	p.userIndex = index
	for _, u := range p.users {
		p.friends[u.ID] = u.Friend
	}
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
	if cfg.RecordLimit < 0 {
		return bad("RecordLimit is negative")
	}
	p.requests = newRequestLog(cfg.RecordLimit)
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
	p.setURLs(memoryAccessURL, memoryAPIURL)
	return p, nil
}

// The origins of a Platform made by New, until NewServer serves it: its
// Transport answers requests to them.
const (
	memoryAccessURL = "https://access.line.test"
	memoryAPIURL    = "https://api.line.test"
)

// setURLs sets the origins of the access host (authorize, discovery; the
// ID tokens' issuer) and of the API host (token, verify, profile and the
// rest). New sets the in-memory origins; NewServer its listeners'.
func (p *Platform) setURLs(accessURL, apiURL string) {
	p.mu.Lock()
	p.accessURL = strings.TrimRight(accessURL, "/")
	p.apiURL = strings.TrimRight(apiURL, "/")
	p.mu.Unlock()
}

// AccessURL returns the access host's origin, the stand-in for
// https://access.line.me: the base of the authorize endpoint, and the
// issuer of ID tokens.
func (p *Platform) AccessURL() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accessURL
}

// APIURL returns the API host's origin, the stand-in for
// https://api.line.me: the base of token, verify, revoke, certs, profile,
// friendship and deauthorize.
func (p *Platform) APIURL() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.apiURL
}

// PictureURL returns the origin of the profile picture host, the stand-in
// for https://profile.line-scdn.net: users without a PictureURL of their
// own get a generated avatar there. It is always an https origin, since
// LINE's picture URLs are. A Server serves it on a TLS listener of its own
// (Server.Client trusts its certificate); for a Platform served otherwise
// it is AccessURL's host over https.
func (p *Platform) pictureOrigin() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pictureURL != "" {
		return p.pictureURL
	}
	host := p.accessURL
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+len("://"):]
	}
	return "https://" + host
}

// Issuer returns the iss of the ID tokens the platform issues: AccessURL(),
// as LINE's is https://access.line.me and never its API host.
func (p *Platform) Issuer() string { return p.AccessURL() }

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

// SetAutoAddFriend changes Config.AutoAddFriend at run time.
func (p *Platform) SetAutoAddFriend(add bool) {
	p.mu.Lock()
	p.autoAddFriend = add
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
