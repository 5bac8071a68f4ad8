package callback

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// oauth2AuthCodeURL is how AuthCodeURL was made before it was written out:
// through x/oauth2, whose URL it must still equal.
func oauth2AuthCodeURL(c *Client, a Attempt) string {
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
	return strings.ReplaceAll(c.oauth.AuthCodeURL(a.State, opts...), "+", "%20")
}

// TestAuthCodeURL_SameAsOAuth2: the authorize URL, written out by hand,
// is byte for byte the one x/oauth2 makes from the same Config, with every
// optional parameter, with none, and with values that need escaping.
func TestAuthCodeURL_SameAsOAuth2(t *testing.T) {
	a := Attempt{State: "0123456789abcdef0123456789abcdef", Nonce: "fedcba9876543210fedcba9876543210", Verifier: oauth2.GenerateVerifier()}
	for name, cfg := range map[string]Config{
		"defaults": {},
		"every option": {
			Scopes: []string{"openid", "profile", "email"}, Prompt: "consent", MaxAge: 5 * time.Minute,
			UILocales: "ja th", BotPrompt: "aggressive", InitialAMRDisplay: "lineqr",
			DisableAMRSwitch: true, DisableAutoLogin: true, DisableIOSAutoLogin: true, ResponseMode: ResponseModeFormPost,
		},
		"a callback URL with a query": {RedirectURL: "https://app.example/cb?x=1&y=a+b"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.ChannelID = "1234567890"
			cfg.ChannelSecret = "0123456789abcdef0123456789abcdef"
			if cfg.RedirectURL == "" {
				cfg.RedirectURL = "https://app.example/callback"
			}
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, at := range []Attempt{a, {State: a.State, Nonce: a.Nonce, Verifier: a.Verifier, UILocales: "zh-TW"}} {
				if got, want := c.AuthCodeURL(at), oauth2AuthCodeURL(c, at); got != want {
					t.Errorf("AuthCodeURL:\n got %s\nwant %s", got, want)
				}
			}
		})
	}
}
