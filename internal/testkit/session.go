package testkit

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/session"
)

// NewManager returns a session manager with an hour's lifetime over store
// (the cookie store if nil), on clock c.
func NewManager(tb testing.TB, c *Clock, store session.Store, keys ...[]byte) *sessioncookie.Manager {
	tb.Helper()
	m, err := sessioncookie.NewManager(sessioncookie.Config{Keys: keys, Lifetime: time.Hour, Store: store, Now: c.Now})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// Issue issues a session of payload and returns the request a browser
// would send back with its cookie, and the cookie.
func Issue(tb testing.TB, m *sessioncookie.Manager, payload []byte) (*http.Request, *http.Cookie) {
	tb.Helper()
	rec := httptest.NewRecorder()
	if err := m.Issue(rec, httptest.NewRequest(http.MethodGet, "/", nil), "owner", payload); err != nil {
		tb.Fatal(err)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		tb.Fatalf("Issue set %d cookies", len(cookies))
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookies[0])
	return r, cookies[0]
}
