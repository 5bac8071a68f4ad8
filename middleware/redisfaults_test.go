package middleware_test

// Sessions in Redis when Redis fails (DESIGN §10): a logout the store
// cannot carry out says so.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/redistest"
)

// TestRedis_LogoutWithRedisDownSaysItDidNotFinish: with Redis down, the
// logout cannot end the session server-side, so it answers 503 and a page
// saying the logout did not finish (clearing the browser's cookie all the
// same), not the redirect of a logout that worked; once Redis is back,
// the session, which was never ended, still works with a copy of the
// cookie, which is why the user had to be told.
func TestRedis_LogoutWithRedisDownSaysItDidNotFinish(t *testing.T) {
	srv := redistest.Start(t, true)
	app := newTestApp(t, withStore(newTestRedisStore(t, srv.URL(), redistest.Prefix())))
	b := app.browser()
	b.mustLogin()
	value := b.sessionValue(app)

	srv.Stop()
	resp := b.logout(app.origin())
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("logout with Redis down: status %d to %q, want 503", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !strings.Contains(body, "Logout not finished") || !strings.Contains(body, "log") {
		t.Errorf("logout with Redis down: the page does not say the logout did not finish: %.400s", body)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("logout with Redis down: no Retry-After")
	}
	if c := setCookie(resp, sessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout with Redis down: the browser's cookie was not cleared: %+v", c)
	}
	if strings.Contains(app.logs.String(), value) {
		t.Error("a session cookie value reached the logs")
	}

	srv.Restart()
	eventually(t, 15*time.Second, "the unfinished logout's session served again", func() bool {
		return statusWith(t, app, "/api/me", value, false).StatusCode == http.StatusOK
	})
}
