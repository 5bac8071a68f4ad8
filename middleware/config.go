package middleware

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"golang.org/x/text/language"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/session"
)

// Defaults for the zero values of Config.
const (
	DefaultLoginPath  = "/login"
	DefaultLogoutPath = "/logout"
	DefaultMaxFlows   = 5

	DefaultSessionLifetime = 7 * 24 * time.Hour

	DefaultTokenCacheTTL  = 5 * time.Minute
	DefaultTokenCacheSize = 10000
)

// Config configures an Auth. LINE.ChannelID, LINE.ChannelSecret,
// LINE.RedirectURL and SessionKeys are required; every other zero value is
// a safe default.
type Config struct {
	// LINE is the channel and how to log in with it: credentials, the
	// callback URL (RedirectURL, whose path is mounted and whose origin is
	// the app's), scopes, optional authorize parameters, LINE's hosts and
	// back-channel timeouts.
	LINE callback.Config

	// SessionKeys encrypt and authenticate the cookies, session.KeySize
	// bytes each (see session.ParseKeys). The first encodes; all decode.
	SessionKeys [][]byte
	// SessionLifetime is how long a login lasts, enforced by the server
	// whatever the browser does; DefaultSessionLifetime if zero.
	SessionLifetime time.Duration
	// SessionStore keeps sessions; in the cookie itself if nil.
	SessionStore session.Store
	// SessionCookieName is the session cookie's name (with the __Host-
	// prefix on https); "linelogin_session" if empty. Two Auths on one host
	// (one per country, mounted under different paths) need different
	// names: the cookie's path is always "/".
	SessionCookieName string

	// KeepRefreshToken keeps LINE's refresh token in the session
	// (encrypted), so that Token can renew the access token for calls to
	// LINE's APIs months after login. The access token itself is always
	// kept, for logout's revocation; the raw ID token never is.
	KeepRefreshToken bool

	// LoginPath and LogoutPath are where Handler mounts the login and
	// logout endpoints; DefaultLoginPath and DefaultLogoutPath if empty.
	LoginPath  string
	LogoutPath string
	// AfterLogout is where logout sends the browser; "/" if empty.
	AfterLogout string
	// MaxFlows caps the login flows a browser can have in progress, one
	// cookie each; starting another evicts the oldest. DefaultMaxFlows if
	// zero.
	MaxFlows int

	// IDTokenVerifier verifies the ID tokens LIFF and native apps send in
	// the X-Line-ID-Token header. The default verifies locally (ES256 from
	// LINE's JWKS, or HS256 with the channel secret); callback.LINEVerifier
	// asks LINE instead.
	IDTokenVerifier callback.IDTokenVerifier
	// IDTokenNonce, when set, returns the nonce the app expects in a
	// request's ID token (for example one it issued to its LIFF page); ""
	// skips the nonce check. A nonce a client sends is never evidence.
	IDTokenNonce func(r *http.Request) string
	// TokenCacheTTL caps how long a verified bearer token is trusted
	// without asking LINE again (never past the token's own expiry);
	// DefaultTokenCacheTTL if zero. TokenCacheSize bounds the cache;
	// DefaultTokenCacheSize if zero.
	TokenCacheTTL  time.Duration
	TokenCacheSize int
	// BearerLimits bound what bearer tokens the cache has not seen can
	// cost at LINE: refused tokens are remembered, and checks are limited
	// per client address and in total. The zero value is a safe default.
	BearerLimits BearerLimits

	// OnLogin, when set, runs after LINE vouched for the user and before
	// the session is created. It is where an app links the LINE user ID to
	// its own account: the account ID it returns is kept in the session
	// (see LinkedAccountFromContext). An error refuses the login with 403.
	OnLogin func(ctx context.Context, login *callback.Login) (accountID string, err error)
	// Linking, when set, links LINE users to the app's own accounts in a
	// store (see Linking); OnLogin may still refuse logins, but the
	// account ID comes from the store.
	Linking *Linking
	// OnError, when set, answers a failed login, callback or logout instead
	// of the default page. It may call (*Auth).ServeError to fall back to
	// that page after recording the error. Match err with errors.Is against
	// the callback and middleware sentinels, or errors.As *callback.AuthError
	// for LINE's error code.
	OnError func(w http.ResponseWriter, r *http.Request, err error)
	// Messages rewords the middleware's pages, or adds languages: each
	// replaces the built-in texts of its Tag (see DefaultMessages), or adds
	// that language. Empty fields keep the built-in text.
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

	// OnEvent, when set, is told of every login, logout, link, unlink,
	// revoke and failure (with its Reason), for an audit log. It runs on
	// the request's goroutine: keep it quick.
	OnEvent func(ctx context.Context, e Event)
	// MeterProvider receives the metrics: linelogin.login.started,
	// linelogin.login.finished{result,reason} and
	// linelogin.bearer.checks{source,result} (with the Prometheus exporter:
	// linelogin_login_started_total and so on), and the durations of the
	// calls to LINE (see callback.WithMeterProvider).
	// The global otel.GetMeterProvider() if nil, which records nothing
	// until the app installs an SDK MeterProvider. A request with a
	// session cookie records nothing.
	MeterProvider metric.MeterProvider
	// Logger receives one line per login, logout and failure, never with a
	// token, code, secret or cookie value. Discarded if nil.
	Logger *slog.Logger
	// Now is the one clock of everything an Auth dates or expires: flows,
	// sessions, caches, token expiry, and the ID token checks of LINE (see
	// callback.WithClock); time.Now if nil. Tests move it instead of
	// sleeping.
	Now func() time.Time
}

func (cfg *Config) setDefaults() {
	if cfg.LoginPath == "" {
		cfg.LoginPath = DefaultLoginPath
	}
	if cfg.LogoutPath == "" {
		cfg.LogoutPath = DefaultLogoutPath
	}
	if cfg.AfterLogout == "" {
		cfg.AfterLogout = "/"
	}
	if cfg.MaxFlows == 0 {
		cfg.MaxFlows = DefaultMaxFlows
	}
	if cfg.TokenCacheTTL == 0 {
		cfg.TokenCacheTTL = DefaultTokenCacheTTL
	}
	if cfg.TokenCacheSize == 0 {
		cfg.TokenCacheSize = DefaultTokenCacheSize
	}
	cfg.BearerLimits.setDefaults()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionLifetime == 0 {
		cfg.SessionLifetime = DefaultSessionLifetime
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MeterProvider == nil {
		cfg.MeterProvider = otel.GetMeterProvider()
	}
}

func (cfg *Config) validate(callbackPath string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	for name, p := range map[string]string{"LoginPath": cfg.LoginPath, "LogoutPath": cfg.LogoutPath, "AfterLogout": cfg.AfterLogout} {
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
			return bad("%s %q must be a local path", name, p)
		}
	}
	if callbackPath == cfg.LoginPath || callbackPath == cfg.LogoutPath || cfg.LoginPath == cfg.LogoutPath {
		return bad("login, callback and logout paths must differ")
	}
	if cfg.MaxFlows < 1 {
		return bad("MaxFlows must be positive")
	}
	if cfg.TokenCacheTTL < 0 || cfg.TokenCacheSize < 1 {
		return bad("TokenCacheTTL and TokenCacheSize must be positive")
	}
	for _, c := range cfg.SessionCookieName {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return bad("SessionCookieName %q: letters, digits, '_', '-' and '.' only", cfg.SessionCookieName)
		}
	}
	if err := cfg.BearerLimits.validate(); err != nil {
		return err
	}
	if cfg.SessionLifetime < 0 {
		return bad("SessionLifetime must be positive")
	}
	return checkSessionKeys(cfg.SessionKeys)
}
