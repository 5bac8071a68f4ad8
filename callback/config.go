package callback

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// LINE's production hosts, the defaults for Config.AccessURL and APIURL.
const (
	DefaultAccessURL = "https://access.line.me"
	DefaultAPIURL    = "https://api.line.me"
)

// Defaults for the zero values of Config.
const (
	DefaultTimeout     = 5 * time.Second
	DefaultClockSkew   = time.Minute
	DefaultKeyCooldown = 10 * time.Second
)

// Response modes LINE supports for returning the authorization response.
const (
	ResponseModeQuery    = "query"
	ResponseModeFormPost = "form_post"
	// The JARM modes: the parameters come inside one JWT that LINE signs
	// with the channel secret (see Client.ReadResponse). ResponseModeJWT is
	// LINE's alias of ResponseModeQueryJWT.
	ResponseModeQueryJWT    = "query.jwt"
	ResponseModeJWT         = "jwt"
	ResponseModeFormPostJWT = "form_post.jwt"
)

// Config describes a LINE Login channel and how to log in with it. Only
// ChannelID and ChannelSecret are required, and RedirectURL for a web
// login; every other zero value is a safe default.
type Config struct {
	// ChannelID and ChannelSecret are the LINE Login channel's credentials
	// from the LINE Developers console. The secret also signs web-login ID
	// tokens (HS256), so it must be at least 32 bytes, as LINE's are.
	ChannelID     string
	ChannelSecret string
	// ExtraChannels are further LINE Login channels of the same provider
	// (one per country, a LIFF app's, a native app's) whose access tokens
	// and ID tokens UserFromAccessToken and VerifyIDToken accept too, each
	// ID token signed, for HS256, with its own channel's secret. User IDs
	// are the same across a provider's channels. Web login uses ChannelID
	// only.
	ExtraChannels []Channel
	// RedirectURL is the absolute callback URL registered for the channel.
	// A Client that only checks bearer tokens needs none: AuthCodeURL and
	// Exchange then fail with ErrConfig.
	RedirectURL string
	// Scopes default to "openid profile". With "profile" but no "openid"
	// LINE sends no ID token and the user is read from GET /v2/profile.
	// "email" needs "openid" and the email permission on the channel.
	Scopes []string

	// AccessURL is the origin of the authorize endpoint and the ID token
	// issuer; APIURL the origin of the token, verify, revoke, certs and
	// profile endpoints. They default to LINE's hosts; tests point them at
	// a linetest server. Issuer defaults to AccessURL.
	AccessURL string
	APIURL    string
	Issuer    string
	// AuthorizeURL and TokenURL override the authorize and token
	// endpoints (AccessURL and APIURL with LINE's v2.1 paths by default),
	// for apps migrating from LINE Login v2.0 or behind a proxy.
	AuthorizeURL string
	TokenURL     string

	// Optional authorize parameters, sent only when set (see LINE's
	// "Integrating LINE Login with your web app").
	Prompt              string        // "consent", "none" or "login"
	MaxAge              time.Duration // sent as max_age in seconds; auth_time is then required and checked
	UILocales           string        // e.g. "ja-JP en-US"
	BotPrompt           string        // "normal" or "aggressive": offer to add the official account
	InitialAMRDisplay   string        // "lineqr": show QR code login first
	DisableAMRSwitch    bool          // switch_amr=false: hide the buttons that change login method
	DisableAutoLogin    bool          // disable_auto_login=true
	DisableIOSAutoLogin bool          // disable_ios_auto_login=true
	ResponseMode        string        // ResponseModeQuery (default), ResponseModeFormPost, or a JARM mode

	// HTTPClient makes the back-channel calls. The client is copied and
	// never follows redirects; each call is bounded by Timeout through its
	// context, so the client needs no Timeout of its own. The Client
	// traces and times its calls itself (WithTracerProvider,
	// WithMeterProvider): a tracing transport here would record the
	// verify endpoint's URL, access token included.
	HTTPClient *http.Client
	// Timeout bounds every back-channel call; DefaultTimeout if zero.
	Timeout time.Duration
	// ClockSkew is the leeway for exp, iat and auth_time; DefaultClockSkew
	// if zero.
	ClockSkew time.Duration
	// KeyCooldown is the least time between two fetches of the JWKS, so
	// that tokens naming random key IDs cannot flood LINE's certs endpoint;
	// DefaultKeyCooldown if zero.
	KeyCooldown time.Duration
}

func (cfg *Config) setDefaults() {
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"openid", "profile"}
	}
	if cfg.AccessURL == "" {
		cfg.AccessURL = DefaultAccessURL
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	cfg.AccessURL = strings.TrimRight(cfg.AccessURL, "/")
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.Issuer == "" {
		cfg.Issuer = cfg.AccessURL
	}
	if cfg.AuthorizeURL == "" {
		cfg.AuthorizeURL = cfg.AccessURL + pathAuthorize
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = cfg.APIURL + pathToken
	}
	if cfg.ResponseMode == "" {
		cfg.ResponseMode = ResponseModeQuery
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = DefaultClockSkew
	}
	if cfg.KeyCooldown == 0 {
		cfg.KeyCooldown = DefaultKeyCooldown
	}
}

func (cfg *Config) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	switch {
	case cfg.ChannelID == "":
		return bad("ChannelID is empty")
	case cfg.ChannelSecret == "":
		return bad("ChannelSecret is empty: copy the channel secret from the LINE Developers console")
	case len(cfg.ChannelSecret) < 32:
		return bad("ChannelSecret must be at least 32 bytes (LINE's are 32 characters)")
	}
	if err := cfg.validateChannels(); err != nil {
		return err
	}
	if cfg.RedirectURL != "" { // optional: bearer-only apps have no callback
		if err := absoluteURL(cfg.RedirectURL); err != nil {
			return bad("RedirectURL: %v", err)
		}
		if err := callbackPath(cfg.RedirectURL); err != nil {
			return bad("RedirectURL: %v", err)
		}
	}
	for name, u := range map[string]string{"AccessURL": cfg.AccessURL, "APIURL": cfg.APIURL, "Issuer": cfg.Issuer, "AuthorizeURL": cfg.AuthorizeURL, "TokenURL": cfg.TokenURL} {
		if err := absoluteURL(u); err != nil {
			return bad("%s: %v", name, err)
		}
	}
	openid, profile := slices.Contains(cfg.Scopes, "openid"), slices.Contains(cfg.Scopes, "profile")
	switch {
	case !openid && !profile:
		return bad(`Scopes need "openid" or "profile"`)
	case slices.Contains(cfg.Scopes, "email") && !openid:
		return bad(`scope "email" needs "openid"`)
	}
	for _, s := range cfg.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return bad("scope %q is not one word", s)
		}
		if !slices.Contains(knownScopes, s) {
			return bad("unknown scope %q: LINE Login's scopes are %s", s, strings.Join(knownScopes, ", "))
		}
	}
	if !slices.Contains([]string{"", "consent", "none", "login"}, cfg.Prompt) {
		return bad("Prompt %q is not consent, none or login", cfg.Prompt)
	}
	if !slices.Contains([]string{"", "normal", "aggressive"}, cfg.BotPrompt) {
		return bad("BotPrompt %q is not normal or aggressive", cfg.BotPrompt)
	}
	if !slices.Contains([]string{ResponseModeQuery, ResponseModeFormPost, ResponseModeQueryJWT, ResponseModeJWT, ResponseModeFormPostJWT}, cfg.ResponseMode) {
		return bad("ResponseMode %q is not query, form_post, query.jwt, jwt or form_post.jwt", cfg.ResponseMode)
	}
	if cfg.MaxAge < 0 || cfg.Timeout < 0 || cfg.ClockSkew < 0 || cfg.KeyCooldown < 0 {
		return bad("durations must not be negative")
	}
	return nil
}

func absoluteURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("does not parse")
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	case u.Host == "":
		return fmt.Errorf("%q has no host", s)
	}
	return nil
}
