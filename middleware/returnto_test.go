package middleware_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/middleware"
)

// Open-redirect payloads: each must land on "/" after login.
var offSiteReturnTo = []string{
	"https://evil.example/",
	"http://evil.example",
	"//evil.example",
	"///evil.example",
	"/\\evil.example",
	"\\\\evil.example",
	"/%2fevil.example",
	"/%2Fevil.example",
	"/%5cevil.example",
	"%2F%2Fevil.example",
	"javascript:alert(1)",
	"data:text/html,hi",
	"/\tevil",
	"/\r\nLocation: https://evil.example",
	"/%0d%0aSet-Cookie:x=1",
	"/\x00",
	"/／evil.example", // fullwidth solidus
	"/⁄evil.example",
	"/\u3002evil",
	" /orders",
	"orders",
	"/" + strings.Repeat("a", 2000),
	"https:/evil.example",
}

func TestSafeReturnTo(t *testing.T) {
	for _, in := range offSiteReturnTo {
		if got := middleware.SafeReturnTo(in); got != "/" {
			t.Errorf("SafeReturnTo(%q) = %q, want /", in, got)
		}
	}
	for _, in := range []string{"/", "/orders?id=7", "/a/b#frag", "/search?q=a%20b", "/me"} {
		if got := middleware.SafeReturnTo(in); got != in {
			t.Errorf("SafeReturnTo(%q) = %q, want it kept", in, got)
		}
	}
}

func TestLogin_ReturnToOnlyKeepsLocalPaths(t *testing.T) {
	app := newTestApp(t)
	for _, in := range append([]string{"/orders?id=7"}, offSiteReturnTo...) {
		b := app.browser()
		cb := b.authorize(b.startLogin(in))
		resp := b.get(cb.String())
		want := middleware.SafeReturnTo(in)
		if in == "/orders?id=7" {
			want = in
		}
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != want {
			t.Errorf("return_to %q: status %d to %q, want 303 to %q", in, resp.StatusCode, got, want)
		}
	}
}

func TestCallback_QueryCannotChangeReturnTo(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	cb := b.authorize(b.startLogin("/orders"))
	q := cb.Query()
	q.Set("return_to", "https://evil.example/")
	q.Set("redirect_uri", "https://evil.example/")
	q.Set("next", "//evil.example")
	cb.RawQuery = q.Encode()
	resp := b.get(cb.String())
	if got := resp.Header.Get("Location"); got != "/orders" {
		t.Errorf("callback redirects to %q, want /orders (bound at /login)", got)
	}
}

func TestRequireLINEUser_BrowserIsSentToLoginAndBack(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	resp := b.get(app.url("/me?tab=orders"))
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("anonymous /me: status %d, want 302", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Path != "/login" || loc.Query().Get("return_to") != "/me?tab=orders" {
		t.Fatalf("anonymous /me redirects to %q", loc)
	}
	// Follow it: log in and land back on the page asked for.
	cb := b.authorize(b.startLogin(loc.Query().Get("return_to")))
	if got := b.get(cb.String()).Header.Get("Location"); got != "/me?tab=orders" {
		t.Errorf("after login: redirected to %q", got)
	}
	if resp := b.get(app.url("/me?tab=orders")); resp.StatusCode != http.StatusOK {
		t.Errorf("/me after login: %d", resp.StatusCode)
	}
}

func TestRequireLINEUser_APIClientGets401JSON(t *testing.T) {
	app := newTestApp(t)
	for name, header := range map[string]http.Header{
		"accept json":    {"Accept": {"application/json"}},
		"no accept":      {},
		"fetch anything": {"Accept": {"*/*"}},
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, app.url("/me"), nil)
			req.Header = header
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", resp.StatusCode)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != "Bearer" {
				t.Errorf("WWW-Authenticate = %q, want Bearer", got)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" || !strings.Contains(body, `"error":"unauthorized"`) {
				t.Errorf("body %q (%s), want JSON error", body, ct)
			}
		})
	}
}
