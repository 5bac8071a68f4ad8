package middleware_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

func (b *browser) logout(header http.Header) *http.Response {
	b.t.Helper()
	return b.do(http.MethodPost, b.app.url("/logout"), header, nil)
}

func (a *testApp) origin() http.Header { return http.Header{"Origin": {a.srv.URL}} }

func TestLogout_ClearsSessionAndRevokesToken(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	b.mustLogin()
	resp := b.logout(app.origin())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("logout: status %d to %q, want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
	}
	c := setCookie(resp, sessionCookie)
	if c == nil || c.MaxAge >= 0 || c.Value != "" || c.Path != "/" {
		t.Fatalf("logout does not delete the session cookie: %+v", c)
	}
	if got := app.platform.Count(linetest.PathRevoke); got != 1 {
		t.Errorf("revoke called %d times, want 1", got)
	}
	if status, _ := b.me(); status != http.StatusUnauthorized {
		t.Errorf("/api/me after logout: %d, want 401", status)
	}
}

func TestLogout_SecureCookieIsClearedWithSameAttributes(t *testing.T) {
	app := newTLSTestApp(t)
	b := app.browser()
	b.mustLogin()
	resp := b.logout(app.origin())
	line := ""
	for _, l := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(l, "__Host-"+sessionCookie+"=") {
			line = l
		}
	}
	if !strings.Contains(line, "Path=/") || !strings.Contains(line, "Secure") || !strings.Contains(line, "Max-Age=0") {
		t.Errorf("logout Set-Cookie = %q", line)
	}
	if status, _ := b.me(); status != http.StatusUnauthorized {
		t.Errorf("/api/me after logout: %d", status)
	}
}

func TestLogout_RefusesGETAndCrossSitePOST(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	b.mustLogin()
	if resp := b.get(app.url("/logout")); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /logout: %d, want 405", resp.StatusCode)
	}
	for name, h := range map[string]http.Header{
		"no proof":          {},
		"foreign origin":    {"Origin": {"https://evil.example"}},
		"null origin":       {"Origin": {"null"}},
		"cross-site fetch":  {"Sec-Fetch-Site": {"cross-site"}},
		"same-site fetch":   {"Sec-Fetch-Site": {"same-site"}},
		"origin wins":       {"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"same-origin"}},
		"origin other port": {"Origin": {"http://127.0.0.1:1"}},
	} {
		resp := b.logout(h)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, resp.StatusCode)
		}
		if c := setCookie(resp, sessionCookie); c != nil {
			t.Errorf("%s: cookie changed", name)
		}
	}
	if status, _ := b.me(); status != http.StatusOK {
		t.Errorf("refused logouts logged the user out: %d", status)
	}
	if app.platform.Count(linetest.PathRevoke) != 0 {
		t.Error("refused logout revoked the token")
	}
	resp := b.logout(http.Header{"Sec-Fetch-Site": {"same-origin"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("Sec-Fetch-Site same-origin logout: %d", resp.StatusCode)
	}
}

func TestLogout_RevokeFailureStillLogsOut(t *testing.T) {
	for name, fault := range map[string]linetest.Fault{
		"500":  {Status: http.StatusInternalServerError},
		"hang": {Delay: 10 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			app := newTestApp(t, func(c *middleware.Config) { c.LINE.Timeout = 300 * time.Millisecond })
			b := app.browser()
			b.mustLogin()
			app.platform.SetFault(linetest.PathRevoke, fault)
			start := time.Now()
			resp := b.logout(app.origin())
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("logout took %v with LINE hanging", elapsed)
			}
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("logout status %d", resp.StatusCode)
			}
			if status, _ := b.me(); status != http.StatusUnauthorized {
				t.Errorf("still logged in after logout with revoke failing: %d", status)
			}
			if !strings.Contains(app.logs.String(), "revoke") {
				t.Error("revoke failure not logged")
			}
		})
	}
}

// A LINE error page still validates the config: a logout path clash is an
// error at New, not a runtime surprise.
func TestNew_RejectsBadConfig(t *testing.T) {
	good := func() middleware.Config {
		return middleware.Config{
			LINE: callback.Config{
				ChannelID:     "1234567890",
				ChannelSecret: linetest.DefaultChannelSecret,
				RedirectURL:   "https://example.com/callback",
			},
			Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}},
		}
	}
	if _, err := middleware.New(good()); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for name, mutate := range map[string]func(*middleware.Config){
		"no channel":      func(c *middleware.Config) { c.LINE.ChannelID = "" },
		"short secret":    func(c *middleware.Config) { c.LINE.ChannelSecret = "short" },
		"relative URL":    func(c *middleware.Config) { c.LINE.RedirectURL = "/callback" },
		"no keys":         func(c *middleware.Config) { c.Session.Keys = nil },
		"short key":       func(c *middleware.Config) { c.Session.Keys = [][]byte{[]byte("x")} },
		"email no openid": func(c *middleware.Config) { c.LINE.Scopes = []string{"profile", "email"} },
		"no scope":        func(c *middleware.Config) { c.LINE.Scopes = []string{"email"} },
		"bad prompt":      func(c *middleware.Config) { c.LINE.Prompt = "always" },
		"bad mode":        func(c *middleware.Config) { c.LINE.ResponseMode = "fragment" },
		"path clash":      func(c *middleware.Config) { c.Routes.Login = "/callback" },
		"remote logout":   func(c *middleware.Config) { c.Routes.AfterLogout = "//evil.example" },
	} {
		cfg := good()
		mutate(&cfg)
		_, err := middleware.New(cfg)
		if err == nil {
			t.Errorf("%s: New accepted it", name)
			continue
		}
		if !strings.Contains(err.Error(), "invalid config") {
			t.Errorf("%s: error %q does not say invalid config", name, err)
		}
	}
}
