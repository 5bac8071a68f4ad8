package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// mountUserSessions adds the routes of a "where you're signed in" page to
// the test app: GET /sessions lists the user's sessions as JSON, POST
// /sessions/end ends one or all others.
func mountUserSessions(mux *http.ServeMux, auth *middleware.Auth) {
	mux.Handle("GET /sessions", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := auth.Sessions().List(r)
		switch {
		case errors.Is(err, session.ErrListingUnsupported):
			http.Error(w, err.Error(), http.StatusNotImplemented)
			return
		case err != nil:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(list)
	})))
	mux.Handle("/sessions/end", auth.Sessions().EndHandler())
}

// listSessions returns user's sessions as the app's store has them (what
// an operator or a test sees, whatever request asks).
func listSessions(t *testing.T, app *testApp, user string) []session.Info {
	t.Helper()
	l, ok := app.cfg.Session.Store.(session.Lister)
	if !ok {
		t.Fatal("the app's store does not list sessions")
	}
	list, err := l.List(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

const (
	uaAndroid = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	uaIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)

// sessionsPage fetches GET /sessions as b with the User-Agent ua.
func (b *browser) sessions(ua string) (int, []middleware.UserSession) {
	b.t.Helper()
	resp := b.do(http.MethodGet, b.app.url("/sessions"), http.Header{"User-Agent": {ua}, "Accept": {"application/json"}}, nil)
	var list []middleware.UserSession
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
			b.t.Fatal(err)
		}
	}
	return resp.StatusCode, list
}

// endSessions posts the end-session form as b, with header.
func (b *browser) endSessions(form url.Values, header http.Header) *http.Response {
	b.t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	for k, v := range header {
		h[k] = v
	}
	return b.do(http.MethodPost, b.app.url("/sessions/end"), h, strings.NewReader(form.Encode()))
}

func TestUserSessions_ListAndEnd(t *testing.T) {
	a, b := twoInstances(t)
	phone, tablet, laptop := a.browser(), a.browser(), a.browser()
	for _, br := range []*browser{phone, tablet, laptop} {
		br.mustLogin()
	}
	// Each device uses its session once, with its own User-Agent; the
	// "last seen" write follows the request.
	phone.do(http.MethodGet, a.url("/api/me"), http.Header{"User-Agent": {uaAndroid}}, nil)
	tablet.do(http.MethodGet, a.url("/api/me"), http.Header{"User-Agent": {uaIPhone}}, nil)
	eventually(t, 3*time.Second, "devices recorded", func() bool {
		devices := map[string]bool{}
		for _, s := range listSessions(t, a, a.user.ID) {
			devices[s.Device] = true
		}
		return devices["Chrome on Android"] && devices["Safari on iPhone"]
	})

	status, list := phone.sessions(uaAndroid)
	if status != http.StatusOK || len(list) != 3 {
		t.Fatalf("GET /sessions: %d, %d sessions, want 200 and 3", status, len(list))
	}
	var current, tabletID string
	for _, s := range list {
		if s.Current {
			if current != "" {
				t.Error("two sessions are marked current")
			}
			current = s.ID
			if s.Device != "Chrome on Android" {
				t.Errorf("current session's device %q, want Chrome on Android", s.Device)
			}
		}
		if s.Device == "Safari on iPhone" {
			tabletID = s.ID
		}
		if s.Created.IsZero() || s.LastSeen.Before(s.Created) || !s.Expires.After(time.Now()) {
			t.Errorf("session %+v: times wrong", s)
		}
		if len(s.ID) > 100 || strings.Contains(phone.sessionValue(a), s.ID) {
			t.Errorf("session ID %q looks like a cookie", s.ID)
		}
	}
	if current == "" || tabletID == "" {
		t.Fatalf("current %q, tablet %q in %+v", current, tabletID, list)
	}

	// Only a same-origin POST ends a session.
	if resp := phone.endSessions(url.Values{"id": {tabletID}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without Origin: %d, want 403", resp.StatusCode)
	}
	if resp := phone.endSessions(url.Values{"id": {tabletID}}, http.Header{"Origin": {"https://evil.example"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	if resp := phone.get(a.url("/sessions/end?id=" + tabletID)); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
	// B holds the tablet's session in memory; ending it on A ends it
	// there too.
	tabletValue := tablet.sessionValue(a)
	if resp := statusWith(t, b, "/api/me", tabletValue, false); resp.StatusCode != http.StatusOK {
		t.Fatalf("tablet's session on B: %d", resp.StatusCode)
	}
	resp := phone.endSessions(url.Values{"id": {tabletID}, "return_to": {"/me"}}, a.origin())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/me" {
		t.Fatalf("end the tablet's session: %d to %q, want 303 to /me", resp.StatusCode, resp.Header.Get("Location"))
	}
	if status, _ := tablet.me(); status != http.StatusUnauthorized {
		t.Errorf("ended session on A: %d, want 401", status)
	}
	refusedWithin(t, b, tabletValue, time.Now(), 100*time.Millisecond)
	if status, _ := phone.me(); status != http.StatusOK {
		t.Errorf("the phone after ending the tablet: %d", status)
	}
	// Another user cannot end this user's sessions by ID.
	other := a.platform.Users()[1]
	a.platform.SetAutoApprove(other.ID)
	intruder := a.browser()
	intruder.mustLogin()
	intruder.endSessions(url.Values{"id": {current}}, a.origin())
	if status, _ := phone.me(); status != http.StatusOK {
		t.Errorf("the phone after another user tried to end it: %d", status)
	}

	// End all but this one.
	resp = phone.endSessions(url.Values{"others": {"1"}}, a.origin())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("end others: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if status, _ := laptop.me(); status != http.StatusUnauthorized {
		t.Errorf("laptop after end others: %d, want 401", status)
	}
	if status, list := phone.sessions(uaAndroid); status != http.StatusOK || len(list) != 1 || !list[0].Current {
		t.Errorf("after end others: %d %+v, want the current session alone", status, list)
	}
	if status, _ := intruder.me(); status != http.StatusOK {
		t.Errorf("the other user's session after end others: %d", status)
	}

	// Ending the current session is a logout: the cookie goes too.
	resp = phone.endSessions(url.Values{"id": {current}}, a.origin())
	if c := setCookie(resp, sessionCookie); resp.StatusCode != http.StatusSeeOther || c == nil || c.MaxAge >= 0 {
		t.Errorf("end the current session: %d, cookie %v; want 303 and the cookie deleted", resp.StatusCode, c)
	}
	if status, _ := phone.me(); status != http.StatusUnauthorized {
		t.Errorf("after ending the current session: %d", status)
	}
}

func TestUserSessions_CookieStoreCannotList(t *testing.T) {
	app := newTestApp(t)
	br := app.browser()
	br.mustLogin()
	if status, _ := br.sessions(uaAndroid); status != http.StatusNotImplemented {
		t.Errorf("GET /sessions with the cookie store: %d, want 501 (ErrListingUnsupported)", status)
	}
}

func TestUserSessions_NoSessionNoList(t *testing.T) {
	app := newTestApp(t, withStore(newTestRedisStore(t, redistest.URL(t), redistest.Prefix())))
	if resp := app.browser().endSessions(url.Values{"others": {"1"}}, app.origin()); resp.StatusCode != http.StatusFound {
		t.Errorf("end others without a session (browser): %d, want 302 to log in", resp.StatusCode)
	}
}

func TestDeviceHint(t *testing.T) {
	for ua, want := range map[string]string{
		uaAndroid: "Chrome on Android",
		uaIPhone:  "Safari on iPhone",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/14.3.0": "LINE on iPhone",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0":    "Edge on Windows",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:132.0) Gecko/20100101 Firefox/132.0":                                              "Firefox on macOS",
		"curl/8.5.0": "",
		"":           "",
	} {
		if got := middleware.DeviceHint(ua); got != want {
			t.Errorf("DeviceHint(%.40q) = %q, want %q", ua, got, want)
		}
	}
}
