package callback_test

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
)

// TestLoginOptions_CheckRefusesWhatLINEWouldRefuse: options a login could
// not finish with fail before the user goes to LINE, as configuration
// errors.
func TestLoginOptions_CheckRefusesWhatLINEWouldRefuse(t *testing.T) {
	for _, c := range []struct {
		name   string
		opts   callback.LoginOptions
		openid bool
		ok     bool
	}{
		{"zero", callback.LoginOptions{}, true, true},
		{"every option", callback.LoginOptions{Scopes: []string{"openid", "profile", "email"}, Prompt: "consent", MaxAge: time.Minute, BotPrompt: "aggressive", UILocales: "ja en", InitialAMRDisplay: "lineqr"}, false, true},
		{"unknown scope", callback.LoginOptions{Scopes: []string{"openid", "friends"}}, true, false},
		{"email without openid", callback.LoginOptions{Scopes: []string{"profile", "email"}}, true, false},
		{"neither openid nor profile", callback.LoginOptions{Scopes: []string{}}, true, false},
		{"bad prompt", callback.LoginOptions{Prompt: "select_account"}, true, false},
		{"bad bot_prompt", callback.LoginOptions{BotPrompt: "always"}, true, false},
		{"bad initial_amr_display", callback.LoginOptions{InitialAMRDisplay: "pwd"}, true, false},
		{"negative max_age", callback.LoginOptions{MaxAge: -time.Second}, true, false},
		{"max_age without an ID token", callback.LoginOptions{MaxAge: time.Minute}, false, false},
		{"max_age with the login's own openid", callback.LoginOptions{MaxAge: time.Minute, Scopes: []string{"openid"}}, false, true},
	} {
		err := c.opts.Check(c.openid)
		if c.ok && err != nil || !c.ok && !errors.Is(err, callback.ErrConfig) {
			t.Errorf("%s: Check = %v, want ok %v (ErrConfig otherwise)", c.name, err, c.ok)
		}
	}
}

// TestAuthCodeURL_AttemptOptionsReplaceTheConfigs: each option an attempt
// sets replaces the Config's; max_age is sent in whole seconds, rounded up
// so that LINE is never asked for less than the app will check.
func TestAuthCodeURL_AttemptOptionsReplaceTheConfigs(t *testing.T) {
	p := linetest.NewServer(t, linetest.Config{})
	c := newClientFor(t, p, nil, func(cfg *callback.Config) {
		cfg.Prompt, cfg.BotPrompt, cfg.UILocales, cfg.MaxAge = "login", "normal", "en", time.Hour
	})
	a := callback.Attempt{State: "s", Nonce: "n", Verifier: "v0123456789012345678901234567890123456789012", LoginOptions: callback.LoginOptions{
		Scopes: []string{"openid", "email"}, Prompt: "consent", MaxAge: 1500 * time.Millisecond,
		BotPrompt: "aggressive", UILocales: "th", InitialAMRDisplay: "lineqr",
	}}
	raw, err := c.AuthCodeURL(a)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, v := range map[string]string{"scope": "openid email", "prompt": "consent", "max_age": "2", "bot_prompt": "aggressive", "ui_locales": "th", "initial_amr_display": "lineqr"} {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	raw, _ = c.AuthCodeURL(callback.Attempt{State: "s", Nonce: "n", Verifier: a.Verifier})
	u, _ = url.Parse(raw)
	q = u.Query()
	for k, v := range map[string]string{"scope": "openid profile", "prompt": "login", "max_age": "3600", "bot_prompt": "normal", "ui_locales": "en"} {
		if q.Get(k) != v {
			t.Errorf("without options: %s = %q, want the Config's %q", k, q.Get(k), v)
		}
	}
}
