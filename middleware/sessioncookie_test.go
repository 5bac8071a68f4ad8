package middleware_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

func TestSessionCookie_Attributes(t *testing.T) {
	t.Run("http", func(t *testing.T) {
		app := newTestApp(t)
		b := app.browser()
		resp := b.login("")
		c := setCookie(resp, sessionCookie)
		if c == nil {
			t.Fatal("no session cookie")
		}
		checkCookie(t, resp, sessionCookie, false, "Lax")
	})
	t.Run("https", func(t *testing.T) {
		app := newTLSTestApp(t)
		b := app.browser()
		resp := b.get(app.url("/login"))
		flows := setCookiesWithPrefix(resp, "__Host-"+flowCookiePrefix)
		if len(flows) != 1 {
			t.Fatalf("login set %d __Host- flow cookies, want 1", len(flows))
		}
		checkCookie(t, resp, flows[0].Name, true, "Lax")
		authz, _ := url.Parse(resp.Header.Get("Location"))
		resp = b.get(b.authorize(authz).String())
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("https callback: %d %s", resp.StatusCode, readBody(t, resp))
		}
		checkCookie(t, resp, "__Host-"+sessionCookie, true, "Lax")
		if status, _ := b.me(); status != http.StatusOK {
			t.Errorf("/api/me over https: %d", status)
		}
	})
	t.Run("form_post flow cookie", func(t *testing.T) {
		app := newTLSTestApp(t, func(c *middleware.Config) { c.LINE.ResponseMode = callback.ResponseModeFormPost })
		resp := app.browser().get(app.url("/login"))
		flows := setCookiesWithPrefix(resp, "__Host-"+flowCookiePrefix)
		if len(flows) != 1 {
			t.Fatal("no flow cookie")
		}
		checkCookie(t, resp, flows[0].Name, true, "None")
	})
}

// checkCookie checks the raw Set-Cookie line for name: HttpOnly, Path=/,
// no Domain, the SameSite value, and Secure exactly when secure.
func checkCookie(t *testing.T, resp *http.Response, name string, secure bool, sameSite string) {
	t.Helper()
	var line string
	for _, l := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(l, name+"=") {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no Set-Cookie for %s", name)
	}
	attrs := strings.ToLower(line)
	for _, want := range []string{"httponly", "path=/", "samesite=" + strings.ToLower(sameSite)} {
		if !strings.Contains(attrs, "; "+want) {
			t.Errorf("%s lacks %q: %s", name, want, line)
		}
	}
	if strings.Contains(attrs, "domain=") {
		t.Errorf("%s sets a Domain: %s", name, line)
	}
	if got := strings.Contains(attrs, "; secure"); got != secure {
		t.Errorf("%s Secure = %v, want %v: %s", name, got, secure, line)
	}
	if len(line) > 4096 {
		t.Errorf("%s is %d bytes", name, len(line))
	}
}

func TestSessionCookie_BadValuesMeanLoggedOut(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	b.mustLogin()
	appURL, _ := url.Parse(app.url("/"))
	var good string
	for _, c := range b.client.Jar.Cookies(appURL) {
		if c.Name == sessionCookie {
			good = c.Value
		}
	}
	if good == "" {
		t.Fatal("no session cookie in the jar")
	}
	// A value made for another cookie name, under the same keys.
	other := app.browser()
	flowResp := other.get(app.url("/login"))
	flow := setCookiesWithPrefix(flowResp, flowCookiePrefix)[0].Value
	// A value made under a key the app does not have.
	foreign := newTestApp(t).browser()
	foreign.mustLogin()
	var foreignValue string
	for _, c := range foreign.client.Jar.Cookies(appURL) {
		if c.Name == sessionCookie {
			foreignValue = c.Value
		}
	}

	flip := []byte(good)
	flip[len(flip)/2] ^= 0x01
	cases := map[string]string{
		"tampered":    string(flip),
		"truncated":   good[:len(good)/2],
		"empty":       "",
		"garbage":     "not-a-session",
		"other name":  flow,
		"foreign key": foreignValue,
		"huge":        strings.Repeat("A", 8000),
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/me", "/api/me", "/"} {
				req, _ := http.NewRequest(http.MethodGet, app.url(path), nil)
				req.Header.Set("Accept", "text/html")
				if path == "/api/me" {
					req.Header.Set("Accept", "application/json")
				}
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: value})
				resp, err := http.DefaultTransport.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				want := map[string]int{"/me": http.StatusFound, "/api/me": http.StatusUnauthorized, "/": http.StatusOK}[path]
				if resp.StatusCode != want {
					t.Errorf("%s with a %s cookie: status %d, want %d", path, name, resp.StatusCode, want)
				}
			}
		})
	}
}

func TestSessionCookie_KeyRotation(t *testing.T) {
	oldKey, newKey := session.GenerateKey(), session.GenerateKey()
	app := newTestApp(t, func(c *middleware.Config) { c.Session.Keys = [][]byte{oldKey} })
	b := app.browser()
	b.mustLogin()
	appURL, _ := url.Parse(app.url("/"))
	cookies := b.client.Jar.Cookies(appURL)

	rotated := restartWithKeys(t, app, newKey, oldKey)
	rb := rotated.browser()
	rb.client.Jar.SetCookies(appURL, cookies)
	resp := rb.do(http.MethodGet, rotated.url("/api/me"), http.Header{"Accept": {"application/json"}}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cookie under the old key: status %d, want 200", resp.StatusCode)
	}
	reissued := setCookie(resp, sessionCookie)
	if reissued == nil {
		t.Fatal("cookie under the old key was not re-issued")
	}

	onlyNew := restartWithKeys(t, app, newKey)
	nb := onlyNew.browser()
	nb.client.Jar.SetCookies(appURL, []*http.Cookie{reissued})
	if status, _ := nb.me(); status != http.StatusOK {
		t.Errorf("re-issued cookie under the new key: status %d", status)
	}
	ob := onlyNew.browser()
	ob.client.Jar.SetCookies(appURL, cookies)
	if status, _ := ob.me(); status != http.StatusUnauthorized {
		t.Errorf("cookie under a removed key: status %d, want 401", status)
	}
}

// restartWithKeys redeploys app with keys, at the same address.
func restartWithKeys(t *testing.T, app *testApp, keys ...[]byte) *testApp {
	t.Helper()
	cfg := app.cfg
	cfg.Session.Keys = keys
	app.mount(t, cfg)
	return app
}

func TestSessionCookie_NewValueOnEveryLogin(t *testing.T) {
	app := newTestApp(t)
	attacker := app.browser()
	attacker.mustLogin()
	appURL, _ := url.Parse(app.url("/"))
	planted := attacker.client.Jar.Cookies(appURL)

	victim := app.browser()
	victim.client.Jar.SetCookies(appURL, planted)
	resp := victim.login("")
	c := setCookie(resp, sessionCookie)
	if c == nil {
		t.Fatal("login did not issue a session cookie")
	}
	for _, p := range planted {
		if p.Name == sessionCookie && p.Value == c.Value {
			t.Error("login kept the planted session value")
		}
	}
}

func TestSessionCookie_ServerEnforcesExpiry(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, func(c *middleware.Config) {
		c.Now = clock.Now
		c.Session.Lifetime = time.Hour
	})
	b := app.browser()
	b.mustLogin()
	appURL, _ := url.Parse(app.url("/"))
	cookies := b.client.Jar.Cookies(appURL)
	clock.Advance(time.Hour + time.Second)
	// A browser that ignores Max-Age keeps sending the cookie.
	req, _ := http.NewRequest(http.MethodGet, app.url("/api/me"), nil)
	req.Header.Set("Accept", "application/json")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("expired session: status %d, want 401", resp.StatusCode)
	}
}

func TestSessionCookie_TooLargeIsNeverSent(t *testing.T) {
	app := newTestApp(t)
	app.platform.SetIDTokenHook(func(_, claims map[string]any) {
		claims["name"] = strings.Repeat("長い名前", 400) // ~4.8 KB of UTF-8
	})
	b := app.browser()
	resp := b.login("")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("oversize session: status %d, want 500", resp.StatusCode)
	}
	if c := setCookie(resp, sessionCookie); c != nil {
		t.Errorf("oversize session cookie was sent (%d bytes)", len(c.Value))
	}
	if !strings.Contains(body, "Something went wrong") {
		t.Errorf("page: %.300s", body)
	}
	if !strings.Contains(app.logs.String(), "4096") {
		t.Errorf("log does not explain the cookie size: %s", app.logs.String())
	}
}

// A session cookie is bound to its channel (DESIGN §10): an app of another
// channel that shares the session keys refuses it as "not logged in",
// while another instance of the same channel accepts it.
func TestSessionCookie_BoundToItsChannel(t *testing.T) {
	keys := [][]byte{session.GenerateKey()}
	a := newTestApp(t, withKeys(keys...))
	sameChannel := newTestApp(t, withKeys(keys...), sameChannelAs(a))
	otherChannel := newTestApp(t, withKeys(keys...), func(c *middleware.Config) { c.LINE.ChannelID = "2000000002" })
	b := a.browser()
	b.mustLogin()
	value := b.sessionValue(a)

	if resp := statusWith(t, sameChannel, "/api/me", value, false); resp.StatusCode != http.StatusOK {
		t.Fatalf("same channel, same keys: status %d, want 200", resp.StatusCode)
	}
	if resp := statusWith(t, otherChannel, "/api/me", value, false); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("API on another channel: status %d, want 401", resp.StatusCode)
	}
	resp := statusWith(t, otherChannel, "/me", value, true)
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("browser on another channel: status %d to %q, want 302 to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := statusWith(t, otherChannel, "/", value, true); !strings.Contains(readBody(t, resp), "hello stranger") {
		t.Error("the public page of another channel greets the user of a foreign cookie")
	}
}
