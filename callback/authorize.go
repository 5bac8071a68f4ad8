package callback

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/oauth2"
)

// AuthCodeURL returns LINE's authorize URL for the attempt a, with the nonce, the PKCE
// challenge (S256; LINE supports nothing else) and every optional parameter
// the Config sets.
//
// The URL is the one x/oauth2's AuthCodeURL makes from the same Config
// (parameters in the order of their names, values query-escaped), with
// LINE's %20 between scopes, written into one buffer: /login makes one per
// login, and x/oauth2 builds a url.Values map and sorts it each time.
func (c *Client) AuthCodeURL(a Attempt) string {
	cfg := &c.cfg
	params := make([]authParam, 0, 16)
	add := func(key, value string) {
		if value != "" {
			params = append(params, authParam{key, value})
		}
	}
	add("response_type", "code")
	add("client_id", c.oauth.ClientID)
	add("redirect_uri", c.oauth.RedirectURL)
	add("scope", strings.Join(c.oauth.Scopes, " "))
	add("state", a.State)
	add("nonce", a.Nonce)
	add("code_challenge_method", "S256")
	add("code_challenge", oauth2.S256ChallengeFromVerifier(a.Verifier))
	add("prompt", cfg.Prompt)
	if cfg.MaxAge > 0 {
		add("max_age", strconv.Itoa(int(cfg.MaxAge.Seconds())))
	}
	if a.UILocales != "" {
		add("ui_locales", a.UILocales)
	} else {
		add("ui_locales", cfg.UILocales)
	}
	add("bot_prompt", cfg.BotPrompt)
	add("initial_amr_display", cfg.InitialAMRDisplay)
	if cfg.DisableAMRSwitch {
		add("switch_amr", "false")
	}
	if cfg.DisableAutoLogin {
		add("disable_auto_login", "true")
	}
	if cfg.DisableIOSAutoLogin {
		add("disable_ios_auto_login", "true")
	}
	if cfg.ResponseMode != ResponseModeQuery {
		add("response_mode", cfg.ResponseMode)
	}
	slices.SortFunc(params, func(x, y authParam) int { return strings.Compare(x.key, y.key) })

	var b strings.Builder
	base := c.oauth.Endpoint.AuthURL
	n := len(base) + 1
	for _, p := range params {
		n += len(p.key) + 2 + len(p.value)*3/2
	}
	b.Grow(n)
	b.WriteString(base)
	sep := byte('?')
	if strings.Contains(base, "?") {
		sep = '&'
	}
	for _, p := range params {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(url.QueryEscape(p.key))
		b.WriteByte('=')
		v := url.QueryEscape(p.value)
		// LINE documents scopes separated by %20; QueryEscape writes "+". A
		// literal "+" would have been escaped as %2B, so every "+" is a space.
		if strings.IndexByte(v, '+') >= 0 {
			v = strings.ReplaceAll(v, "+", "%20")
		}
		b.WriteString(v)
	}
	return b.String()
}

// authParam is one parameter of the authorize URL.
type authParam struct{ key, value string }
