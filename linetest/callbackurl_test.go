package linetest_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

func TestAuthorize_NoRegisteredCallbackShowsLINEsErrorPage(t *testing.T) {
	s := linetest.NewServer(t, linetest.Config{AutoApprove: brown().ID})
	for _, redirect := range []string{callbackURL, "http://127.0.0.1:8080/callback", "https://app.example/callback?x=1"} {
		l := newLogin("openid")
		l.params.Set("redirect_uri", redirect)
		res := authorize(t, s, l.params)
		body := readBody(t, res)
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" || !strings.Contains(body, "redirect_uri") {
			t.Errorf("%s: got %d Location=%q, want LINE's 400 error page", redirect, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if n := len(s.CallbackURLs()); n != 0 {
		t.Fatalf("%d callback URLs registered", n)
	}
}

func TestAuthorize_RegisteredCallbackTakesExtraQueryParameters(t *testing.T) {
	for _, tc := range []struct {
		name, registered, redirect string
		accepted                   bool
	}{
		{"exact", "https://app.example/cb", "https://app.example/cb", true},
		{"extra parameter", "https://app.example/cb", "https://app.example/cb?key=value", true},
		{"two extra parameters", "https://app.example/cb", "https://app.example/cb?a=1&b=2", true},
		{"registered parameter kept, one added", "https://app.example/cb?tenant=7", "https://app.example/cb?tenant=7&lang=ja", true},
		{"registered parameter changed", "https://app.example/cb?tenant=7", "https://app.example/cb?tenant=8", false},
		{"registered parameter dropped", "https://app.example/cb?tenant=7", "https://app.example/cb", false},
		{"other path", "https://app.example/cb", "https://app.example/cb2?key=value", false},
		{"path prefix", "https://app.example/cb", "https://app.example/cb/more", false},
		{"other scheme", "https://app.example/cb", "http://app.example/cb", false},
		{"other port", "https://app.example/cb", "https://app.example:8443/cb", false},
		{"other host", "https://app.example/cb", "https://evil.example/cb?key=value", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := linetest.NewServer(t, linetest.Config{AutoApprove: brown().ID, CallbackURLs: []string{tc.registered}})
			l := newLogin("openid")
			l.params.Set("redirect_uri", tc.redirect)
			res := authorize(t, s, l.params)
			loc := res.Header.Get("Location")
			if !tc.accepted {
				if res.StatusCode != http.StatusBadRequest || loc != "" {
					t.Fatalf("got %d %q, want the error page", res.StatusCode, loc)
				}
				return
			}
			sep := "?"
			if strings.Contains(tc.redirect, "?") {
				sep = "&"
			}
			if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, tc.redirect+sep+"code=") {
				t.Fatalf("got %d %q, want a redirect to %s with the app's parameters kept", res.StatusCode, loc, tc.redirect)
			}
			// The token request must repeat redirect_uri exactly, extra
			// parameters included.
			u, _ := url.Parse(loc)
			form := exchangeForm(u.Query().Get("code"), l)
			form.Set("redirect_uri", tc.registered)
			if tc.registered != tc.redirect {
				res, body := postForm(t, s, linetest.PathToken, form)
				wantOAuthError(t, res, body, "invalid_grant")
			}
		})
	}
}

func TestAddCallbackURL_RegistersAtRunTime(t *testing.T) {
	s := linetest.NewServer(t, linetest.Config{AutoApprove: brown().ID})
	l := newLogin("openid")
	if res := authorize(t, s, l.params); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("before registering: %d, want 400", res.StatusCode)
	}
	if err := s.AddCallbackURL(callbackURL); err != nil {
		t.Fatal(err)
	}
	code(t, s, l)
	for _, bad := range []string{"/callback", "ftp://app.test/cb", "http://app.test/cb#frag", "http://user:pw@app.test/cb"} {
		if err := s.AddCallbackURL(bad); err == nil {
			t.Errorf("AddCallbackURL(%q) accepted", bad)
		}
	}
}

// TestCallbackConfig_RefusalSaysItsPrefixOnce: a refused callback URL is an
// ErrInvalidConfig that names the URL, with "linetest:" said once.
func TestCallbackConfig_RefusalSaysItsPrefixOnce(t *testing.T) {
	s := newServer(t, linetest.Config{})
	_, err := s.CallbackConfig("https://app.example/callback#fragment")
	if !errors.Is(err, linetest.ErrInvalidConfig) || !strings.Contains(err.Error(), "app.example") {
		t.Fatalf("CallbackConfig = %v, want ErrInvalidConfig naming the URL", err)
	}
	if n := strings.Count(err.Error(), "linetest:"); n != 1 {
		t.Errorf("%q says linetest: %d times", err, n)
	}
}
