package middleware_test

// Sessions in Redis (issue 5), over real HTTP with the harness: several
// instances sharing one Redis and one set of keys, logout and RevokeUser
// ending sessions everywhere, key rotation, oversize sessions, and a Redis
// outage answered with 503 and recovered from without a restart.
//
// The tests need a real redis-server: `make test` starts one and exports
// REDIS_URL; without it, each test starts its own from PATH. A missing
// redis-server fails the test; it is never skipped.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
	"github.com/linelogin/linelogin/session/redisstore"
)

// newTestRedisStore returns a store of its own (its own client and
// client-side cache, as each app instance has) for the Redis at url,
// under prefix. Instances of one app share a prefix; each test has its
// own.
func newTestRedisStore(t testing.TB, url, prefix string) *redisstore.Store {
	t.Helper()
	store, err := redisstore.NewURL(url, redisstore.Options{Prefix: prefix, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	return store
}

// withStore makes the app keep its sessions in store.
func withStore(store session.Store) appOption {
	return func(c *middleware.Config) { c.Session.Store = store }
}

// withKeys gives the app these session keys.
func withKeys(keys ...[]byte) appOption {
	return func(c *middleware.Config) { c.Session.Keys = keys }
}

// sameChannelAs makes the app log in with other's LINE channel and
// platform, as a second instance of the same app does (its own callback
// URL, registered for the channel too).
func sameChannelAs(other *testApp) appOption {
	return func(c *middleware.Config) {
		if err := other.platform.AddCallbackURL(c.LINE.RedirectURL); err != nil {
			panic(err)
		}
		c.LINE.ChannelID = other.platform.ChannelID()
		c.LINE.ChannelSecret = other.platform.ChannelSecret()
		c.LINE.AccessURL = other.platform.AccessURL()
		c.LINE.APIURL = other.platform.APIURL()
	}
}

// sessionValue returns the session cookie the browser holds for app.
func (b *browser) sessionValue(app *testApp) string {
	b.t.Helper()
	u, _ := url.Parse(app.url("/"))
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	b.t.Fatal("no session cookie in the jar")
	return ""
}

// statusWith requests path on app as a browser (html) or API client with
// only the given session cookie value, and returns the response.
func statusWith(t *testing.T, app *testApp, path, value string, html bool) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, app.url(path), nil)
	req.Header.Set("Accept", "application/json")
	if html {
		req.Header.Set("Accept", "text/html")
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: value})
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// twoInstances starts two apps on separate servers sharing a Redis (each
// with its own client), the session keys and the LINE channel.
func twoInstances(t *testing.T, opts ...appOption) (a, b *testApp) {
	t.Helper()
	return twoInstancesOn(t, redistest.URL(t), redistest.Prefix(), opts...)
}

func twoInstancesOn(t *testing.T, url, prefix string, opts ...appOption) (a, b *testApp) {
	t.Helper()
	keys := [][]byte{session.GenerateKey()}
	a = newTestApp(t, append([]appOption{withStore(newTestRedisStore(t, url, prefix)), withKeys(keys...)}, opts...)...)
	b = newTestApp(t, append([]appOption{withStore(newTestRedisStore(t, url, prefix)), withKeys(keys...), sameChannelAs(a)}, opts...)...)
	return a, b
}

func TestRedis_TwoInstancesShareSessionsAndLogout(t *testing.T) {
	a, b := twoInstances(t)
	br := a.browser()
	br.mustLogin() // on A
	value := br.sessionValue(a)
	if len(value) > 300 {
		t.Errorf("the Redis session cookie has %d bytes: it should carry only the ID", len(value))
	}

	// The same browser on B (another origin; the cookie is copied as a
	// load balancer would route it).
	onB := b.browser()
	bURL, _ := url.Parse(b.url("/"))
	onB.client.Jar.SetCookies(bURL, []*http.Cookie{{Name: sessionCookie, Value: value, Path: "/"}})
	status, cu := onB.me()
	if status != http.StatusOK || cu.User == nil || cu.User.ID != a.user.ID {
		t.Fatalf("session from A on B: status %d, user %+v", status, cu.User)
	}

	// Logout on B deletes the session in Redis: the old cookie, which an
	// attacker might have copied, stops working on A too.
	resp := onB.logout(b.origin())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout on B: status %d", resp.StatusCode)
	}
	if got := a.platform.Count(linetest.PathRevoke); got != 1 {
		t.Errorf("revoke at LINE called %d times, want 1", got)
	}
	for _, app := range []*testApp{a, b} {
		if resp := statusWith(t, app, "/api/me", value, false); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("old cookie on %s after logout: status %d, want 401", app.srv.URL, resp.StatusCode)
		}
		if resp := statusWith(t, app, "/me", value, true); resp.StatusCode != http.StatusFound {
			t.Errorf("old cookie on %s after logout (browser): status %d, want 302", app.srv.URL, resp.StatusCode)
		}
	}
	if status, _ := br.me(); status != http.StatusUnauthorized {
		t.Errorf("A's browser after logout on B: status %d, want 401", status)
	}
}

func TestRedis_RevokeUser(t *testing.T) {
	a, b := twoInstances(t)
	victim := a.user
	b1, b2 := a.browser(), b.browser()
	b1.mustLogin()
	b2.mustLogin()
	// Another user, whose session must survive.
	other := a.platform.Users()[1]
	a.platform.SetAutoApprove(other.ID)
	b3 := a.browser()
	b3.mustLogin()
	if status, cu := b3.me(); status != http.StatusOK || cu.User.ID != other.ID {
		t.Fatalf("other user: %d %+v", status, cu.User)
	}
	v1, v2, v3 := b1.sessionValue(a), b2.sessionValue(b), b3.sessionValue(a)

	if err := b.auth.Sessions().RevokeUser(context.Background(), victim.ID); err != nil {
		t.Fatalf("RevokeUser: %v", err)
	}
	for _, app := range []*testApp{a, b} {
		for _, v := range []string{v1, v2} {
			if resp := statusWith(t, app, "/api/me", v, false); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("revoked user's session on %s: status %d, want 401", app.srv.URL, resp.StatusCode)
			}
		}
		if resp := statusWith(t, app, "/api/me", v3, false); resp.StatusCode != http.StatusOK {
			t.Errorf("other user's session on %s after RevokeUser: status %d, want 200", app.srv.URL, resp.StatusCode)
		}
	}
	// The user can log in again.
	a.platform.SetAutoApprove(victim.ID)
	b4 := a.browser()
	b4.mustLogin()
	if status, cu := b4.me(); status != http.StatusOK || cu.User.ID != victim.ID {
		t.Errorf("login after RevokeUser: %d %+v", status, cu.User)
	}
	// Without a store that indexes sessions, RevokeUser says so.
	cookieApp := newTestApp(t)
	if err := cookieApp.auth.Sessions().RevokeUser(context.Background(), victim.ID); !errors.Is(err, session.ErrRevocationUnsupported) {
		t.Errorf("RevokeUser with the cookie store: %v, want ErrRevocationUnsupported", err)
	}
}

func TestRedis_KeyRotation(t *testing.T) {
	url, prefix := redistest.URL(t), redistest.Prefix()
	oldKey, newKey := session.GenerateKey(), session.GenerateKey()
	app := newTestApp(t, withStore(newTestRedisStore(t, url, prefix)), withKeys(oldKey))
	b := app.browser()
	b.mustLogin()
	old := b.sessionValue(app)

	// Every instance redeployed with the new key first: the old cookie is
	// accepted and re-issued under the new key, for the same session.
	cfg := app.cfg
	cfg.Session.Keys = [][]byte{newKey, oldKey}
	app.mount(t, cfg)
	resp := statusWith(t, app, "/api/me", old, false)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cookie under the old key: status %d, want 200", resp.StatusCode)
	}
	reissued := setCookie(resp, sessionCookie)
	if reissued == nil || reissued.Value == old {
		t.Fatal("cookie under the old key was not re-issued")
	}

	// The old key dropped: the re-issued cookie works, the old one does
	// not.
	cfg.Session.Keys = [][]byte{newKey}
	app.mount(t, cfg)
	if resp := statusWith(t, app, "/api/me", reissued.Value, false); resp.StatusCode != http.StatusOK {
		t.Errorf("re-issued cookie under the new key alone: status %d", resp.StatusCode)
	}
	if resp := statusWith(t, app, "/api/me", old, false); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("cookie under a removed key: status %d, want 401", resp.StatusCode)
	}
}

func TestRedis_OversizeSessionIsStoredServerSide(t *testing.T) {
	app := newTestApp(t, withStore(newTestRedisStore(t, redistest.URL(t), redistest.Prefix())))
	name := strings.Repeat("長い名前", 400) // ~4.8 KB of UTF-8: too much for a cookie
	app.platform.SetIDTokenHook(func(_, claims map[string]any) { claims["name"] = name })
	b := app.browser()
	resp := b.login("")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("oversize session with Redis: status %d, want 303: %.300s", resp.StatusCode, readBody(t, resp))
	}
	checkCookie(t, resp, sessionCookie, false, "Lax")
	if c := setCookie(resp, sessionCookie); c == nil || len(c.String()) > 400 {
		t.Errorf("session cookie: %v", c)
	}
	status, cu := b.me()
	if status != http.StatusOK || cu.User == nil || cu.User.DisplayName != name {
		t.Errorf("/api/me: status %d, user name of %d bytes, want %d", status, len(cu.User.DisplayName), len(name))
	}
}

func TestRedis_OutageIs503AndRecoveryNeedsNoRestart(t *testing.T) {
	srv := redistest.Start(t, true)
	store := newTestRedisStore(t, srv.URL(), redistest.Prefix())
	app := newTestApp(t, withStore(store))
	b := app.browser()
	b.mustLogin()
	value := b.sessionValue(app)
	if status, _ := b.me(); status != http.StatusOK {
		t.Fatalf("before the outage: status %d", status)
	}

	srv.Stop()
	// The instance holds the session in memory, but learns of the
	// outage when its connection drops, and then trusts nothing it held:
	// the session needs Redis again, and gets 503 (never a logout).
	eventually(t, 3*time.Second, "the outage seen", func() bool {
		return statusWith(t, app, "/api/me", value, false).StatusCode == http.StatusServiceUnavailable
	})
	for _, html := range []bool{true, false} {
		start := time.Now()
		resp := statusWith(t, app, "/me", value, html)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("Redis down (html %v): status %d, want 503: %.300s", html, resp.StatusCode, body)
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("Redis down (html %v): answered after %v", html, d)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("Redis down (html %v): no Retry-After", html)
		}
		if c := setCookie(resp, sessionCookie); c != nil {
			t.Errorf("Redis down (html %v): the session cookie was touched: %v", html, c)
		}
		for _, leak := range []string{"goroutine", "panic", "redis", "127.0.0.1", value} {
			if strings.Contains(body, leak) {
				t.Errorf("Redis down (html %v): the body shows %q: %.300s", html, leak, body)
			}
		}
		if !html && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("Redis down (API): Content-Type %q", resp.Header.Get("Content-Type"))
		}
	}
	// The public page still answers, as a visitor.
	if resp := statusWith(t, app, "/", value, true); resp.StatusCode != http.StatusOK {
		t.Errorf("public page with Redis down: status %d", resp.StatusCode)
	}
	// A login cannot be saved: 503 and a page saying so, not a 500.
	resp := app.browser().login("")
	if body := readBody(t, resp); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Temporarily unavailable") {
		t.Errorf("login with Redis down: status %d: %.300s", resp.StatusCode, body)
	}

	// Redis comes back with its data: the same app (no restart, no new
	// client) serves the same session again; the user was never logged
	// out.
	srv.Restart()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp := statusWith(t, app, "/api/me", value, false)
		if resp.StatusCode == http.StatusOK {
			break
		}
		if resp.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("after Redis restarted: status %d, want 200", resp.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if resp := statusWith(t, app, "/me", value, true); resp.StatusCode != http.StatusOK {
		t.Errorf("browser after Redis restarted: status %d", resp.StatusCode)
	}
	b2 := app.browser()
	b2.mustLogin()
	if status, _ := b2.me(); status != http.StatusOK {
		t.Errorf("new login after Redis restarted: status %d", status)
	}
	if logs := app.logs.String(); strings.Contains(logs, value) {
		t.Error("a session cookie value reached the logs")
	}
	if !strings.Contains(app.logs.String(), "session store unavailable") {
		t.Error("the outage was not logged")
	}
}
