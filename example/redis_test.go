package main

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/internal/redistest"
)

func TestExample_RedisSessions(t *testing.T) {
	for _, topo := range redistest.Topologies() {
		t.Run(topo.Name, func(t *testing.T) {
			srv, browser, _ := startExample(t, "servemux", map[string]string{"REDIS_URL": topo.URL(t)})
			if resp, _ := get(t, browser, srv.URL+"/me", "text/html"); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/me" {
				t.Fatalf("login: %d at %s", resp.StatusCode, resp.Request.URL)
			}
			// A second device of the same user.
			jar, _ := cookiejar.New(nil)
			other := &http.Client{Jar: jar}
			if resp, _ := get(t, other, srv.URL+"/me", "text/html"); resp.StatusCode != http.StatusOK {
				t.Fatalf("second login: %d", resp.StatusCode)
			}

			// /me lists both sessions, each with an End button.
			_, body := get(t, browser, srv.URL+"/me", "text/html")
			rows := sessionRow.FindAllStringSubmatch(body, -1)
			if !strings.Contains(body, `id="sessions"`) || len(rows) != 2 {
				t.Fatalf("/me lists %d sessions, want 2: %.2000s", len(rows), body)
			}
			var otherID string
			for _, row := range rows {
				if row[1] == "" {
					otherID = row[2]
				}
			}
			if otherID == "" {
				t.Fatalf("no session but the current one has an End button: %v", rows)
			}
			// The End button: a same-origin POST, back to /me.
			form := url.Values{"id": {otherID}, "return_to": {"/me"}}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+endSessionPath, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", srv.URL)
			req.Header.Set("Accept", "text/html")
			resp, err := browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/me" {
				t.Fatalf("End: %d at %s, want /me", resp.StatusCode, resp.Request.URL)
			}
			if resp, _ := get(t, other, srv.URL+"/api/me", "application/json"); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("the ended session: %d, want 401", resp.StatusCode)
			}
			// Without the same-origin proof, nothing is ended.
			req, _ = http.NewRequest(http.MethodPost, srv.URL+endSessionPath, strings.NewReader("others=1"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err = browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("cross-site End: %d, want 403", resp.StatusCode)
			}

			appURL, _ := url.Parse(srv.URL)
			var copied *http.Cookie
			for _, c := range browser.Jar.Cookies(appURL) {
				if c.Name == "linelogin_session" {
					copied = c
				}
			}
			if copied == nil || len(copied.Value) > 300 {
				t.Fatalf("session cookie %v: want a short one carrying only the session ID", copied)
			}
			req, _ = http.NewRequest(http.MethodPost, srv.URL+"/logout", nil)
			req.Header.Set("Origin", srv.URL)
			resp, err = browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			// With sessions in Redis, logout ends the session itself: a copy of
			// the cookie made before is worthless (with cookies alone it would
			// still work until it expired).
			req, _ = http.NewRequest(http.MethodGet, srv.URL+"/api/me", nil)
			req.Header.Set("Accept", "application/json")
			req.AddCookie(copied)
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("copied cookie after logout: %d, want 401", resp.StatusCode)
			}
		})
	}
}

// sessionRow matches a session's row on /me: whether it is the current
// one, and the ID its End button posts.
var sessionRow = regexp.MustCompile(`(?s)<tr class="session"( id="current-session")?>.*?name="id" value="([0-9a-f]+)"`)

// The cookie store lists no sessions: /me shows none, and says nothing
// of them.
func TestExample_NoSessionListWithCookies(t *testing.T) {
	srv, browser, _ := startExample(t, "servemux", nil)
	resp, body := get(t, browser, srv.URL+"/me", "text/html")
	if resp.StatusCode != http.StatusOK || strings.Contains(body, `id="sessions"`) {
		t.Errorf("/me with the cookie store: %d, sessions listed: %v", resp.StatusCode, strings.Contains(body, `id="sessions"`))
	}
}

func TestExample_RedisURL(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	if s, err := redisStore("", log); s != nil || err != nil {
		t.Errorf("no REDIS_URL: %v, %v; want the cookie store (nil)", s, err)
	}
	for _, bad := range []string{"http://user:hunter2@example.com", "redis://user:hunter2@host:6379/notadb", "redis://user:hunter2@[::1"} {
		_, err := redisStore(bad, log)
		if !errors.Is(err, errRedisURL) {
			t.Errorf("REDIS_URL %q: %v, want errRedisURL", bad, err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
	// Redis down at start-up: the app starts anyway, with a warning; the
	// client connects once Redis answers. (The middleware's tests show the
	// 503 and the recovery.)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "redis://" + ln.Addr().String() + "/0?dial_timeout=200ms"
	ln.Close()
	srv, _, _ := startExample(t, "servemux", map[string]string{"REDIS_URL": down})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/me", nil)
	req.Header.Set("Accept", "application/json")
	req.AddCookie(&http.Cookie{Name: "linelogin_session", Value: "whatever"})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A cookie that does not decode is "not logged in" before any store
	// is asked.
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/api/me with a bad cookie and Redis down: %d, want 401", resp.StatusCode)
	}
	if resp, body := get(t, http.DefaultClient, srv.URL+"/healthz", "*/*"); resp.StatusCode != http.StatusOK || body != "ok" {
		t.Errorf("/healthz with Redis down: %d %q", resp.StatusCode, body)
	}
}
