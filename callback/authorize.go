package callback

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// AuthCodeURL returns LINE's authorize URL for the attempt a, with the nonce, the PKCE
// challenge (S256; LINE supports nothing else) and every optional parameter
// the Config sets. It fails with ErrConfig if the Config has no
// RedirectURL.
func (c *Client) AuthCodeURL(a Attempt) (string, error) {
	if err := c.webLogin(); err != nil {
		return "", err
	}
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
	either := func(own, configured string) string {
		if own != "" {
			return own
		}
		return configured
	}
	if a.Scopes != nil {
		opts = append(opts, oauth2.SetAuthURLParam("scope", strings.Join(a.Scopes, " ")))
	}
	set("prompt", either(a.Prompt, cfg.Prompt))
	if maxAge := c.maxAge(a); maxAge > 0 {
		set("max_age", strconv.FormatInt(maxAgeSeconds(maxAge), 10))
	}
	set("ui_locales", either(a.UILocales, cfg.UILocales))
	set("bot_prompt", either(a.BotPrompt, cfg.BotPrompt))
	set("initial_amr_display", either(a.InitialAMRDisplay, cfg.InitialAMRDisplay))
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
	return strings.ReplaceAll(c.oauth.AuthCodeURL(a.State, opts...), "+", "%20"), nil
}

// webLogin refuses a web login to a Client made without a callback URL,
// one that only checks bearer tokens.
func (c *Client) webLogin() error {
	if c.cfg.RedirectURL == "" {
		return fmt.Errorf("%w: RedirectURL is empty: a Client without one only checks bearer tokens", ErrConfig)
	}
	return nil
}

// maxAge is the max_age of the attempt a: its own, else the Config's.
func (c *Client) maxAge(a Attempt) time.Duration {
	if a.MaxAge > 0 {
		return a.MaxAge
	}
	return c.cfg.MaxAge
}
