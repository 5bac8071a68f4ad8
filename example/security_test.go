package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/linetest"
)

// getFrom is get with the request's Accept-Language, following redirects
// (through LINE and back) and recording the authorize URLs visited.
func getFrom(t *testing.T, c *http.Client, u, accept, lang string) (*http.Response, string, []string) {
	t.Helper()
	var authorizes []string
	client := *c
	client.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == linetest.PathAuthorize {
			authorizes = append(authorizes, req.URL.RawQuery)
		}
		return nil
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", accept)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), authorizes
}

// TestExample_SecurityNeedsARecentLogin: DESIGN §4's /me/security and
// /api/me/security on every router. After a plain login (whose time LINE
// does not report), the API answers RFC 9470's 401 and the page goes
// through LINE with max_age=300, then shows the time of that
// authentication, which the API then gives.
func TestExample_SecurityNeedsARecentLogin(t *testing.T) {
	for router := range routers {
		t.Run(router, func(t *testing.T) {
			srv, browser, _ := startExample(t, router, nil)
			if resp, _ := get(t, browser, srv.URL+"/me", "text/html"); resp.StatusCode != http.StatusOK {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			resp, body := get(t, browser, srv.URL+"/api/me/security", "application/json")
			const challenge = `Bearer error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=300`
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != challenge {
				t.Errorf("/api/me/security after a plain login: %d %q, want 401 %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), challenge)
			}
			if !strings.Contains(body, `"insufficient_user_authentication"`) {
				t.Errorf("/api/me/security body %s", body)
			}

			before := time.Now().Unix()
			resp, body, authorizes := getFrom(t, browser, srv.URL+"/me/security", "text/html", "")
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/me/security" {
				t.Fatalf("/me/security: %d at %s", resp.StatusCode, resp.Request.URL)
			}
			if len(authorizes) != 1 || !strings.Contains("&"+authorizes[0]+"&", "&max_age=300&") || strings.Contains(authorizes[0], "prompt=") {
				t.Errorf("/me/security went through LINE with %q, want once with max_age=300 and no prompt", authorizes)
			}
			unix := between(body, `data-unix="`, `"`)
			authTime, err := strconv.ParseInt(unix, 10, 64)
			if err != nil || authTime < before || authTime > time.Now().Unix() {
				t.Errorf("/me/security shows auth time %q, want the step-up's (%d or later): %.600s", unix, before, body)
			}

			resp, body = get(t, browser, srv.URL+"/api/me/security", "application/json")
			var got map[string]int64
			if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != http.StatusOK || got["authTime"] != authTime {
				t.Errorf("/api/me/security after the step-up: %d %s, want {\"authTime\":%d}", resp.StatusCode, body, authTime)
			}
			// Recent enough now: no second trip through LINE.
			if _, _, authorizes := getFrom(t, browser, srv.URL+"/me/security", "text/html", ""); len(authorizes) != 0 {
				t.Errorf("a second visit went through LINE again: %q", authorizes)
			}
		})
	}
}

// TestExample_SecurityPageSpeaksTheUsersLanguage: the page is in each of
// the example's four languages.
func TestExample_SecurityPageSpeaksTheUsersLanguage(t *testing.T) {
	srv, browser, _ := startExample(t, "servemux", nil)
	for lang, want := range map[string]string{"en": "Security", "ja": "セキュリティ", "zh-TW": "安全性", "th": "ความปลอดภัย"} {
		resp, body, _ := getFrom(t, browser, srv.URL+"/me/security", "text/html", lang)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<h1 id="security-title">`+want+`</h1>`) {
			t.Errorf("/me/security in %s: %d, want the title %q: %.400s", lang, resp.StatusCode, want, body)
		}
	}
}

// TestExample_EmailAskedOnce: /me/email asks LINE for the email scope when
// the session lacks it, then shows the address; a user who declined gets
// a page that says so, and is not sent to LINE again and again.
func TestExample_EmailAskedOnce(t *testing.T) {
	srv, browser, platform := startExample(t, "servemux", nil)
	user := platform.Users()[0]
	if resp, _ := get(t, browser, srv.URL+"/me", "text/html"); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	resp, body, authorizes := getFrom(t, browser, srv.URL+"/me/email", "text/html", "")
	if resp.StatusCode != http.StatusOK || len(authorizes) != 1 || !strings.Contains(authorizes[0], "scope=openid%20profile%20email") {
		t.Fatalf("/me/email: %d after %q, want once through LINE asking for email", resp.StatusCode, authorizes)
	}
	if !strings.Contains(body, `<dd id="email">`+user.Email+`</dd>`) {
		t.Errorf("/me/email does not show %s: %.600s", user.Email, body)
	}
	if _, _, authorizes := getFrom(t, browser, srv.URL+"/me/email", "text/html", ""); len(authorizes) != 0 {
		t.Errorf("a second visit went through LINE again: %q", authorizes)
	}

	// Another browser, whose user unticks email on LINE's consent screen.
	jar, _ := cookiejar.New(nil)
	declining := &http.Client{Jar: jar}
	if err := platform.SignIn(jar, linetest.Consent{UserID: user.ID, DeclineEmail: true}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		resp, body, authorizes := getFrom(t, declining, srv.URL+"/me/email", "text/html", "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="email-declined"`) || strings.Contains(body, user.Email) {
			t.Errorf("visit %d of a user who declined: %d %.600s", i+1, resp.StatusCode, body)
		}
		if want := 1 - i; len(authorizes) != want {
			t.Errorf("visit %d of a user who declined went through LINE %d times, want %d", i+1, len(authorizes), want)
		}
	}
}

// between returns the text of s between the first prefix and the next
// suffix, or "".
func between(s, prefix, suffix string) string {
	i := strings.Index(s, prefix)
	if i < 0 {
		return ""
	}
	s = s[i+len(prefix):]
	if j := strings.Index(s, suffix); j >= 0 {
		return s[:j]
	}
	return ""
}
