package middleware_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// TestNew_RefusesWhatCanNeverWork: each impossible configuration is
// refused by New with a message of its own.
func TestNew_RefusesWhatCanNeverWork(t *testing.T) {
	good := func() middleware.Config {
		return middleware.Config{
			LINE: callback.Config{
				ChannelID:     "1234567890",
				ChannelSecret: linetest.DefaultChannelSecret,
				RedirectURL:   "https://app.example/callback",
			},
			Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}},
		}
	}
	checkMistakes(t, good, map[string]configMistake{
		"empty channel secret":      {func(c *middleware.Config) { c.LINE.ChannelSecret = "" }, "ChannelSecret is empty"},
		"callback URL at /":         {func(c *middleware.Config) { c.LINE.RedirectURL = "https://app.example/" }, "has no path"},
		"callback URL with no path": {func(c *middleware.Config) { c.LINE.RedirectURL = "http://localhost:8080" }, "has no path"},
		"scope typo":                {func(c *middleware.Config) { c.LINE.Scopes = []string{"openid", "emial"} }, `unknown scope "emial"`},
		"all-zero session key":      {func(c *middleware.Config) { c.Session.Keys = [][]byte{make([]byte, session.KeySize)} }, "Session.Keys[0] is all zeros"},
		"all-zero second key": {func(c *middleware.Config) {
			c.Session.Keys = append(c.Session.Keys, make([]byte, session.KeySize))
		}, "Session.Keys[1] is all zeros"},
	})
	if _, err := middleware.New(good()); err != nil {
		t.Errorf("the good config: %v", err)
	}
}

// TestCallback_RefusedCredentialsSayTheSiteIsMisconfigured: LINE refusing
// the channel secret, or the redirect_uri, is logged as a configuration
// error with what to fix, and the page says the site is misconfigured
// (500), not that LINE is down.
func TestCallback_RefusedCredentialsSayTheSiteIsMisconfigured(t *testing.T) {
	for name, tc := range map[string]struct {
		setup func(*testApp)
		hint  string
	}{
		"wrong channel secret": {func(a *testApp) {
			cfg := a.cfg
			cfg.LINE.ChannelSecret = strings.Repeat("s", 32)
			a.mount(t, cfg)
		}, "LINE refused the channel ID or secret (invalid_client)"},
		"redirect_uri not registered": {func(a *testApp) {
			a.platform.SetFault(linetest.PathToken, linetest.Fault{
				Status: http.StatusBadRequest,
				Body:   `{"error":"invalid_grant","error_description":"redirect_uri does not match"}`,
				Header: http.Header{"Content-Type": {"application/json"}},
			})
		}, "register exactly http://"},
	} {
		t.Run(name, func(t *testing.T) {
			app := newTestApp(t)
			tc.setup(app)
			resp := app.browser().login("/orders")
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", resp.StatusCode)
			}
			if !strings.Contains(body, "This site is misconfigured") || strings.Contains(body, "not responding") {
				t.Errorf("the page does not say the site is misconfigured: %.400s", body)
			}
			logs := app.logs.String()
			if !strings.Contains(logs, `msg="linelogin: configuration error"`) || !strings.Contains(logs, tc.hint) {
				t.Errorf("log lacks the configuration error and %q:\n%s", tc.hint, logs)
			}
			if strings.Contains(logs, app.platform.ChannelSecret()) || strings.Contains(logs, strings.Repeat("s", 32)) {
				t.Error("the log holds the channel secret")
			}
		})
	}
	// An expired code stays "please try again", 400.
	app := newTestApp(t)
	app.platform.SetFault(linetest.PathToken, linetest.Fault{
		Status: http.StatusBadRequest,
		Body:   `{"error":"invalid_grant","error_description":"authorization code expired"}`,
		Header: http.Header{"Content-Type": {"application/json"}},
	})
	if resp := app.browser().login(""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("expired code: %d, want 400", resp.StatusCode)
	}
	if strings.Contains(app.logs.String(), "configuration error") {
		t.Error("an expired code is logged as a configuration error")
	}
}

// TestCallback_HostNameMismatchIsExplained: the app's callback URL is on
// 127.0.0.1 but the developer opened localhost: the login cannot finish
// (the browser keeps the flow cookie on localhost), and the log says why
// instead of only "state does not match".
func TestCallback_HostNameMismatchIsExplained(t *testing.T) {
	app := newTestApp(t) // callback URL on 127.0.0.1
	port := app.srv.Listener.Addr().String()[strings.LastIndex(app.srv.Listener.Addr().String(), ":"):]
	localhost := "http://localhost" + port
	b := app.browser()
	resp := b.get(localhost + "/login")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("/login on localhost: %d", resp.StatusCode)
	}
	if !strings.Contains(app.logs.String(), "login started on another host name than the callback URL's") {
		t.Errorf("/login on localhost logs no warning:\n%s", app.logs.String())
	}
	authorize, _ := resp.Location()
	cb := b.authorize(authorize)
	if !strings.HasPrefix(cb.String(), app.srv.URL+"/callback") {
		t.Fatalf("LINE redirected to %s", cb)
	}
	resp = b.get(cb.String())
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback without its cookie: %d, want 400", resp.StatusCode)
	}
	if logs := app.logs.String(); !strings.Contains(logs, "no login cookie came back") || !strings.Contains(logs, "localhost instead of 127.0.0.1") {
		t.Errorf("the state error carries no host hint:\n%s", logs)
	}

	// A callback arriving on another host than the callback URL's says so.
	resp = app.browser().get(localhost + "/callback?code=abc&state=" + strings.Repeat("b", 32))
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback on localhost: %d", resp.StatusCode)
	}
	if logs := app.logs.String(); !strings.Contains(logs, "the callback came to host localhost"+port+" but the callback URL is on 127.0.0.1"+port) {
		t.Errorf("no hint for the callback's host:\n%s", logs)
	}
}
