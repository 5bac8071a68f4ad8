package middleware_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

// lineRequests is every request the platform received, as "METHOD path".
func lineRequests(app *testApp) []string {
	var out []string
	for _, r := range app.platform.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// TestBearer_UnprotectedRouteAsksLINENothing: an app's own API token in an
// Authorization: Bearer header (or any bearer credential) on a route that
// does not ask for a LINE user costs nothing at LINE and puts no user in
// the context.
func TestBearer_UnprotectedRouteAsksLINENothing(t *testing.T) {
	app := newTestApp(t)
	idToken, err := app.platform.IssueLIFFIDToken(app.user.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for name, h := range map[string]http.Header{
		"app's own token":    bearerHeader("app-api-key-0123456789"),
		"LINE access token":  bearerHeader(app.accessToken(t)),
		"lower-case scheme":  {"Authorization": {"bearer " + randomToken()}},
		"malformed bearer":   {"Authorization": {"Bearer a b"}},
		"LIFF ID token":      idTokenHeader(idToken),
		"Basic to the proxy": {"Authorization": {"Basic dXNlcjpwYXNz"}},
	} {
		t.Run(name, func(t *testing.T) {
			app.platform.ResetRequests()
			resp, body := app.apiCall(t, "/", h)
			if resp.StatusCode != http.StatusOK || body != "hello stranger" {
				t.Errorf("unprotected route: status %d, body %q; want 200, no user", resp.StatusCode, body)
			}
			if got := lineRequests(app); len(got) != 0 {
				t.Errorf("LINE received %v for a request to an unprotected route", got)
			}
		})
	}
}

// TestBearer_BasicAuthKeepsTheSession: a logged-in browser behind a proxy
// that asks for Basic credentials sends them with every request: its
// session still counts, and LINE hears nothing of the password.
func TestBearer_BasicAuthKeepsTheSession(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	b.mustLogin()
	app.platform.ResetRequests()
	for _, path := range []string{"/me", "/api/me", "/optional"} {
		resp := b.do(http.MethodGet, app.url(path), http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}, nil)
		body := readBody(t, resp)
		var me contextUser
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &me) != nil || me.User == nil ||
			me.User.ID != app.user.ID || me.Source != "session" {
			t.Errorf("%s with Basic credentials and a session: status %d: %.300s", path, resp.StatusCode, body)
		}
	}
	if got := lineRequests(app); len(got) != 0 {
		t.Errorf("LINE received %v", got)
	}
}

// TestBearer_OtherSchemesNeverReachLINE: only the Bearer scheme carries a
// LINE credential; an app's own "Token ..." scheme is no credential of
// LINE's, even on routes that ask for a LINE user.
func TestBearer_OtherSchemesNeverReachLINE(t *testing.T) {
	app := newTestApp(t)
	tok := app.accessToken(t) // a real LINE token, under the wrong scheme
	for _, value := range []string{"Token abc", "Token " + tok, "Bearertoken " + tok, "Basic dXNlcjpwYXNz"} {
		for _, path := range []string{"/", "/optional", "/api/me"} {
			app.platform.ResetRequests()
			resp, body := app.apiCall(t, path, http.Header{"Authorization": {value}, "Accept": {"application/json"}})
			switch path {
			case "/api/me":
				// No LINE credential at all: a bare challenge (RFC 6750).
				if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "Bearer" {
					t.Errorf("%q on %s: %d %q: %s", value, path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
				}
			case "/optional":
				var me contextUser
				if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &me) != nil || me.User != nil {
					t.Errorf("%q on %s: %d: %s", value, path, resp.StatusCode, body)
				}
			}
			if got := lineRequests(app); len(got) != 0 {
				t.Errorf("%q on %s: LINE received %v", value, path, got)
			}
		}
	}
	if strings.Contains(app.logs.String(), tok) {
		t.Error("the token reached the log")
	}
}

// TestBearer_SchemeIsCaseInsensitive: "bearer" in any case is the Bearer
// scheme (RFC 9110 section 11.1), checked with LINE on a route that asks
// for a LINE user, and by OptionalLINEUser.
func TestBearer_SchemeIsCaseInsensitive(t *testing.T) {
	app := newTestApp(t)
	for i, scheme := range []string{"bearer", "BEARER", "BeArEr"} {
		tok := app.accessToken(t)
		for _, path := range []string{"/api/me", "/optional"} {
			resp, body := app.apiCall(t, path, http.Header{"Authorization": {scheme + " " + tok}, "Accept": {"application/json"}})
			var me contextUser
			if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &me) != nil || me.User == nil ||
				me.User.ID != app.user.ID || me.Source != "access token" {
				t.Errorf("%q on %s: status %d: %s", scheme, path, resp.StatusCode, body)
			}
		}
		if n := app.platform.Count(linetest.PathVerify); n != i+1 {
			t.Errorf("after %q: %d calls to verify, want %d (one per token)", scheme, n, i+1)
		}
	}
	// A refused token on the optional route: no user, no error.
	resp, body := app.apiCall(t, "/optional", bearerHeader(randomToken()))
	var me contextUser
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &me) != nil || me.User != nil || me.Source != middleware.SourceNone.String() {
		t.Errorf("refused token on /optional: %d: %s", resp.StatusCode, body)
	}
}
