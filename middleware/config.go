package middleware

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"golang.org/x/text/language"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/session"
)

// The defaults of Config's zero values.
const (
	defaultLoginPath  = "/login"
	defaultLogoutPath = "/logout"

	defaultSessionLifetime = 7 * 24 * time.Hour

	defaultTokenCacheTTL  = 5 * time.Minute
	defaultTokenCacheSize = 10000
)

// maxFlows caps the login flows a browser can have in progress, one cookie
// each; starting another evicts the oldest.
const maxFlows = 5

// Config configures an Auth. LINE.ChannelID and LINE.ChannelSecret are
// required, unless Tenants gives each tenant its channel. A web login (the login, callback and logout endpoints,
// and sessions) also needs LINE.RedirectURL and Session.Keys; an API that
// only accepts bearer credentials from LIFF and native apps leaves both
// empty. Every other zero value is a safe default.
type Config struct {
	// LINE is the channel and how to log in with it: credentials, the
	// callback URL (RedirectURL, whose path is mounted and whose origin is
	// the app's), scopes, optional authorize parameters, LINE's hosts and
	// back-channel timeouts. Its clock and meter provider are this
	// Config's Now and MeterProvider.
	LINE callback.Config

	// Tenants, when set, makes a web login for many channels: each
	// request is served with the channel of its tenant (see Tenants and
	// TenantKey), its bearer credentials checked against that channel,
	// and a request of no tenant gets a 421 page. Each tenant's
	// callback.Config is complete; LINE then needs no channel (one set
	// there is only Client's). Session cookies, flows, caches, link
	// lockout counts and metrics are each tenant's own.
	Tenants *Tenants
	// TenantKey names a request's tenant, a key of Tenants; HostTenant
	// (the request's host, with its port, in lower case) if nil. Apps
	// routing tenants by path or header set their own.
	TenantKey func(r *http.Request) string

	// Session is how a web login is kept: keys, lifetime, store, cookie
	// name and the refresh token.
	Session SessionConfig

	// Routes are the paths Handler mounts besides the callback's.
	Routes Routes

	// Bearer is how the credentials of LIFF and native apps are checked:
	// the ID token verifier, the cache of verified tokens and the limits
	// on what unknown tokens can cost at LINE.
	Bearer BearerConfig

	// Linking, when set, links LINE users to the app's own accounts in a
	// store (see Linking and Auth.Links); it is the only source of the
	// account LinkedAccountFromContext returns.
	Linking *Linking

	// Pages is what the pages the middleware shows say, in which
	// language, and who answers a failure instead.
	Pages Pages

	// OnLogin, when set, runs after LINE vouched for the user and before
	// the session is created: an error refuses the login with 403 (and
	// wraps ErrLoginRejected). To give the user an account of the app's
	// own, use Linking.
	OnLogin func(ctx context.Context, login *callback.Login) error

	// OnEvent, when set, is told of every login, logout, link, unlink,
	// revoke and failure (with its Reason), for an audit log. It runs on
	// the request's goroutine: keep it quick.
	OnEvent func(ctx context.Context, e Event)
	// MeterProvider receives the metrics: linelogin.login.started,
	// linelogin.login.finished{result,reason} and
	// linelogin.bearer.checks{source,result} (with the Prometheus exporter:
	// linelogin_login_started_total and so on), and the back-channel
	// durations of the LINE client. The global otel.GetMeterProvider() if
	// nil, which records nothing until the app installs an SDK
	// MeterProvider. A request with a session cookie records nothing.
	MeterProvider metric.MeterProvider
	// Logger receives one line per login, logout and failure, never with a
	// token, code, secret or cookie value, and the configuration mistakes
	// LINE reveals. slog.Default() if nil.
	Logger *slog.Logger
	// Now is the one clock of everything an Auth dates or expires: flows,
	// sessions, caches, token expiry, and the ID token checks of LINE;
	// time.Now if nil. Tests move it instead of sleeping.
	Now func() time.Time
}

// SessionConfig is how a web login is kept. The zero value, with no keys,
// means no web login: Handler then mounts neither login, callback nor
// logout, and only bearer credentials authenticate.
type SessionConfig struct {
	// Keys encrypt and authenticate the cookies, session.KeySize bytes
	// each (see session.ParseKeys). The first encodes; all decode. Required
	// with LINE.RedirectURL.
	Keys [][]byte
	// Lifetime is how long a login lasts, enforced by the server whatever
	// the browser does; 7 days if zero.
	Lifetime time.Duration
	// Store keeps sessions; in the cookie itself if nil. A server-side
	// store that lists sessions (session/redisstore) enables
	// Auth.Sessions.
	Store session.Store
	// CookieName is the session cookie's name (with the __Host- prefix on
	// https); "linelogin_session" if empty. Two Auths on one host (one per
	// country, mounted under different paths) need different names: the
	// cookie's path is always "/".
	CookieName string
	// KeepRefreshToken keeps LINE's refresh token in the session
	// (encrypted), so that Auth.Token can renew the access token for calls
	// to LINE's APIs months after login. The access token itself is always
	// kept, for logout's revocation; the raw ID token never is.
	KeepRefreshToken bool
}

// Routes are the local paths of a web login. The callback's path is that of
// LINE.RedirectURL.
type Routes struct {
	// Login and Logout are where Handler mounts the login and logout
	// endpoints; "/login" and "/logout" if empty.
	Login  string
	Logout string
	// AfterLogout is where logout sends the browser; "/" if empty.
	AfterLogout string
}

// BearerConfig is how the credentials of LIFF and native apps (an
// Authorization: Bearer access token, or an ID token in X-Line-ID-Token)
// are checked.
type BearerConfig struct {
	// IDTokenVerifier verifies the ID tokens LIFF and native apps send in
	// the X-Line-ID-Token header. The default verifies locally (ES256 from
	// LINE's JWKS, or HS256 with the channel secret); callback.LINEVerifier
	// asks LINE instead.
	IDTokenVerifier callback.IDTokenVerifier
	// IDTokenNonce, when set, returns the nonce the app expects in a
	// request's ID token (for example one it issued to its LIFF page); ""
	// skips the nonce check. A nonce a client sends is never evidence.
	IDTokenNonce func(r *http.Request) string
	// CacheTTL caps how long a verified token is trusted without asking
	// LINE again (never past the token's own expiry); 5 minutes if
	// zero. CacheSize bounds the cache; 10000 tokens if zero.
	CacheTTL  time.Duration
	CacheSize int
	// Limits bound what tokens the cache has not seen can cost at LINE:
	// refused tokens are remembered, and checks are limited per client
	// address and in total. The zero value is a safe default.
	Limits BearerLimits
}

// Pages is what the pages the middleware shows (error pages, the
// confirmation pages of linking) say, and in which language.
type Pages struct {
	// Messages rewords the pages, or adds languages: each replaces the
	// built-in texts of its Tag (see DefaultMessages), or adds that
	// language. Empty fields keep the built-in text.
	Messages []Messages
	// Language, when set, chooses the language of a request's pages (for
	// example from the user's setting) instead of its Accept-Language
	// header; language.Und falls back to the header. The choice is matched
	// against the languages of Messages; English when none fits.
	Language func(r *http.Request) language.Tag
	// SendUILocales sends the language of the request's pages to LINE as
	// ui_locales at login, instead of LINE.UILocales, so that LINE's
	// screens speak it too. Nothing is sent when the request matched none
	// of the languages: LINE then follows the user's device.
	SendUILocales bool
	// OnError, when set, answers a failed login, callback or logout instead
	// of the default page. It may call (*Auth).ServeError to fall back to
	// that page after recording the error. Match err with errors.Is against
	// the callback and middleware sentinels, or errors.As *callback.AuthError
	// for LINE's error code.
	OnError func(w http.ResponseWriter, r *http.Request, err error)
}

// webLogin reports whether cfg asks for a web login: a callback URL or
// session keys. An app with neither only accepts bearer credentials.
func (cfg *Config) webLogin() bool {
	return cfg.Tenants != nil || cfg.LINE.RedirectURL != "" || len(cfg.Session.Keys) > 0
}

func (cfg *Config) setDefaults() {
	if cfg.Routes.Login == "" {
		cfg.Routes.Login = defaultLoginPath
	}
	if cfg.Routes.Logout == "" {
		cfg.Routes.Logout = defaultLogoutPath
	}
	if cfg.Routes.AfterLogout == "" {
		cfg.Routes.AfterLogout = "/"
	}
	if cfg.Bearer.CacheTTL == 0 {
		cfg.Bearer.CacheTTL = defaultTokenCacheTTL
	}
	if cfg.Bearer.CacheSize == 0 {
		cfg.Bearer.CacheSize = defaultTokenCacheSize
	}
	cfg.Bearer.Limits.setDefaults()
	if cfg.Logger == nil {
		// Not discarded: a configuration mistake LINE reveals must reach
		// someone even when the app configured no logger.
		cfg.Logger = slog.Default()
	}
	if cfg.Session.Lifetime == 0 {
		cfg.Session.Lifetime = defaultSessionLifetime
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MeterProvider == nil {
		cfg.MeterProvider = otel.GetMeterProvider()
	}
}

// validate checks what callback.New does not. Each message names the
// setting to change, once, after the one prefix of ErrConfig.
func (cfg *Config) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	if cfg.Bearer.CacheTTL < 0 || cfg.Bearer.CacheSize < 1 {
		return bad("Bearer.CacheTTL and Bearer.CacheSize must be positive")
	}
	if err := cfg.Bearer.Limits.validate(); err != nil {
		return err
	}
	if cfg.Linking != nil && cfg.Linking.SignedInAccount == nil && cfg.webLogin() {
		return bad("Linking.SignedInAccount is required: connect and unlink act on the account signed in to the app")
	}
	if !cfg.webLogin() {
		return nil
	}
	switch {
	case cfg.LINE.RedirectURL == "" && cfg.Tenants == nil:
		return bad("LINE.RedirectURL is empty: a web login needs the callback URL (leave Session.Keys empty too for bearer credentials only)")
	case len(cfg.Session.Keys) == 0:
		return bad("Session.Keys is empty: a web login needs a key (session.GenerateKey, or session.ParseKeys of `openssl rand -base64 32`)")
	}
	for i, k := range cfg.Session.Keys {
		switch {
		case len(k) != session.KeySize:
			return bad("Session.Keys[%d] has %d bytes, want %d (session.GenerateKey, or session.ParseKeys of `openssl rand -base64 32`)", i, len(k), session.KeySize)
		case allZero(k):
			return bad("Session.Keys[%d] is all zeros: generate one with session.GenerateKey or `openssl rand -base64 32`", i)
		}
	}
	var callbackPath string // each tenant's is checked when it is first used
	if cfg.Tenants == nil {
		redirect, err := url.Parse(cfg.LINE.RedirectURL)
		if err != nil {
			return bad("LINE.RedirectURL: %v", err)
		}
		if redirect.Scheme != "https" && !localHost(redirect.Hostname()) {
			return bad("LINE.RedirectURL %q is plain http on a public host: use https (http is for localhost, *.localhost, 127.0.0.0/8 and ::1 only)", cfg.LINE.RedirectURL)
		}
		callbackPath = redirect.Path
	}
	for name, p := range map[string]string{"Routes.Login": cfg.Routes.Login, "Routes.Logout": cfg.Routes.Logout, "Routes.AfterLogout": cfg.Routes.AfterLogout} {
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
			return bad("%s %q must be a local path", name, p)
		}
	}
	if callbackPath != "" && (callbackPath == cfg.Routes.Login || callbackPath == cfg.Routes.Logout) || cfg.Routes.Login == cfg.Routes.Logout {
		return bad("the login, callback and logout paths must differ")
	}
	for _, c := range cfg.Session.CookieName {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return bad("Session.CookieName %q: letters, digits, '_', '-' and '.' only", cfg.Session.CookieName)
		}
	}
	if cfg.Session.Lifetime < 0 {
		return bad("Session.Lifetime must be positive")
	}
	return nil
}

// localHost reports whether a plain-http callback URL on host stays on the
// developer's machine: localhost, *.localhost, 127.0.0.0/8 or ::1.
func localHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
