package middleware

import (
	"net/http"
	"net/http/httptest"

	"fmt"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/session"
)

func TestSessionCache_ExpiresAndStaysBounded(t *testing.T) {
	c := newSessionCache(time.Now)
	now := time.Unix(1_800_000_000, 0)
	c.now = func() time.Time { return now }
	st := &requestState{source: SourceSession}
	c.put("v", sessionCacheEntry{state: st, expiry: now.Add(time.Minute)})
	if got, _ := c.get("v"); got != st {
		t.Fatal("fresh entry missed")
	}
	now = now.Add(time.Minute)
	if got, _ := c.get("v"); got != nil {
		t.Error("entry served at its expiry")
	}
	for i := range sessionCacheSize * 2 {
		c.put(fmt.Sprint(i), sessionCacheEntry{state: st, expiry: now.Add(time.Hour)})
	}
	if n := len(c.entries); n > sessionCacheSize {
		t.Errorf("%d entries, want at most %d", n, sessionCacheSize)
	}
	c.forget("19999")
	if got, _ := c.get("19999"); got != nil {
		t.Error("forgotten entry served")
	}
}

func TestSessionCache_EndedLeaseMisses(t *testing.T) {
	c := newSessionCache(time.Now)
	st := &requestState{source: SourceSession}
	lease := session.NewLease(time.Now().Add(time.Hour))
	c.put("v", sessionCacheEntry{state: st, expiry: time.Now().Add(time.Hour), lease: lease})
	if got, _ := c.get("v"); got != st {
		t.Fatal("entry under a held lease missed")
	}
	lease.End()
	if got, _ := c.get("v"); got != nil {
		t.Error("entry served after the store ended its lease")
	}
}

// A cookie that is no session leaves loggedOut in the context, so that
// RequireLINEUser behind Handler finds the verdict instead of decoding the
// cookie again; the page still asks to log in.
func TestInvalidCookieVerdictIsKeptForRequireLINEUser(t *testing.T) {
	auth, err := New(Config{
		LINE: callback.Config{
			ChannelID: "1234567890", ChannelSecret: "0123456789abcdef0123456789abcdef",
			RedirectURL: "http://app.localhost/callback",
		},
		Session: SessionConfig{Keys: [][]byte{session.GenerateKey()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/me", nil)
	req.Header.Set("Accept", "text/html")
	req.AddCookie(&http.Cookie{Name: sessioncookie.DefaultCookieName, Value: "tampered"})

	var seen *requestState
	auth.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = stateFrom(r.Context())
	})).ServeHTTP(httptest.NewRecorder(), req)
	if seen != loggedOut {
		t.Errorf("state after a tampered cookie = %+v, want loggedOut in the context", seen)
	}

	rec := httptest.NewRecorder()
	auth.Handler(auth.RequireLINEUser(http.NotFoundHandler())).ServeHTTP(rec, req)
	if rec.Code != http.StatusFound {
		t.Errorf("tampered cookie on a protected page: %d, want 302 to log in", rec.Code)
	}
}
