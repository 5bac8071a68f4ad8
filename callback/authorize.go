package callback

import (
	"strconv"
	"strings"

	"golang.org/x/oauth2"
)

// AuthCodeURL returns LINE's authorize URL for the attempt a, with the nonce, the PKCE
// challenge (S256; LINE supports nothing else) and every optional parameter
// the Config sets.
func (c *Client) AuthCodeURL(a Attempt) string {
	opts := []oauth2.AuthCodeOption{
		oauth2.SetAuthURLParam("nonce", a.Nonce),
		oauth2.S256ChallengeOption(a.Verifier),
	}
	set := func(key, value string) {
		if value != "" {
			opts = append(opts, oauth2.SetAuthURLParam(key, value))
		}
	}
	cfg := &c.cfg
	set("prompt", cfg.Prompt)
	if cfg.MaxAge > 0 {
		set("max_age", strconv.Itoa(int(cfg.MaxAge.Seconds())))
	}
	if a.UILocales != "" {
		set("ui_locales", a.UILocales)
	} else {
		set("ui_locales", cfg.UILocales)
	}
	set("bot_prompt", cfg.BotPrompt)
	set("initial_amr_display", cfg.InitialAMRDisplay)
	if cfg.DisableAMRSwitch {
		set("switch_amr", "false")
	}
	if cfg.DisableAutoLogin {
		set("disable_auto_login", "true")
	}
	if cfg.DisableIOSAutoLogin {
		set("disable_ios_auto_login", "true")
	}
	if cfg.ResponseMode != ResponseModeQuery {
		set("response_mode", cfg.ResponseMode)
	}
	// LINE documents scopes separated by %20; url.Values writes "+". A
	// literal "+" would have been escaped as %2B, so every "+" is a space.
	return strings.ReplaceAll(c.oauth.AuthCodeURL(a.State, opts...), "+", "%20")
}
