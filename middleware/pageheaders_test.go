package middleware_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// assertNoFraming checks the headers every HTML page must send: no site
// may frame it, and its URL leaves the origin in no Referer.
func assertNoFraming(t *testing.T, name string, status int, h http.Header) {
	t.Helper()
	if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Errorf("%s: status %d, Content-Type %q: not a page", name, status, h.Get("Content-Type"))
		return
	}
	for k, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s (status %d): %s = %q, want %q", name, status, k, got, want)
		}
	}
}

// TestPages_NoPageCanBeFramed: every HTML page the middleware can write,
// reached over HTTP where a request leads to it, and through ServeError
// for every category of error.
func TestPages_NoPageCanBeFramed(t *testing.T) {
	store := &flakyStore{}
	app := newTestApp(t, func(c *middleware.Config) { c.Session.Store = store })

	t.Run("over HTTP", func(t *testing.T) {
		b := app.browser()
		cb := b.authorize(b.startLogin(""))
		denied := url.Values{"state": {cb.Query().Get("state")}, "error": {"ACCESS_DENIED"}}
		cases := map[string]func() *http.Response{
			"try again (no state)": func() *http.Response { return b.get(app.url("/callback?code=x")) },
			"LINE error, no login": func() *http.Response { return b.get(app.url("/callback?error=SERVER_ERROR")) },
			"LINE error, declined": func() *http.Response { return b.get(app.url("/callback?" + denied.Encode())) },
			"cross-site logout": func() *http.Response {
				return b.do(http.MethodPost, app.url("/logout"), http.Header{"Origin": {"https://evil.example"}}, nil)
			},
			"store down on a protected page": func() *http.Response {
				b := app.browser()
				b.mustLogin()
				store.down.Store(true)
				defer store.down.Store(false)
				return b.get(app.url("/me"))
			},
		}
		for name, do := range cases {
			resp := do()
			readBody(t, resp)
			if resp.StatusCode < 400 {
				t.Errorf("%s: status %d, want an error page", name, resp.StatusCode)
			}
			assertNoFraming(t, name, resp.StatusCode, resp.Header)
		}
	})

	t.Run("every error", func(t *testing.T) {
		for name, err := range map[string]error{
			"state":                callback.ErrState,
			"code rejected":        callback.ErrCodeRejected,
			"response rejected":    callback.ErrResponseRejected,
			"upstream":             callback.ErrUpstream,
			"invalid token":        callback.ErrInvalidToken,
			"LINE error":           &callback.AuthError{Code: "SERVER_ERROR"},
			"LINE declined":        &callback.AuthError{Code: "ACCESS_DENIED"},
			"LINE unknown code":    &callback.AuthError{Code: "NEW_CODE"},
			"login rejected":       middleware.ErrLoginRejected,
			"store unavailable":    session.ErrStoreUnavailable,
			"config":               middleware.ErrConfig,
			"cross-site":           middleware.ErrCrossSiteRequest,
			"not signed in":        middleware.ErrNotSignedIn,
			"session changed":      middleware.ErrConnectSessionChanged,
			"LINE user linked":     &link.ConflictError{LINEUser: true},
			"account linked":       &link.ConflictError{Account: true},
			"link store down":      link.ErrUnavailable,
			"anything else":        errors.New("boom"),
			"login required":       middleware.ErrLoginRequired,
			"malformed credential": middleware.ErrMalformedCredential,
		} {
			rec := httptest.NewRecorder()
			app.auth.ServeError(rec, httptest.NewRequest(http.MethodGet, "/callback", nil), err)
			assertNoFraming(t, name, rec.Code, rec.Header())
		}
	})
}
