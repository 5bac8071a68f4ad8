package linetest_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

// BenchmarkTokenExchange measures the token endpoint's server-side work for
// an authorization_code grant with openid (so one HS256 ID token and one
// access token are signed), without the network.
func BenchmarkTokenExchange(b *testing.B) {
	p, err := linetest.New(linetest.Config{AutoApprove: brown().ID, CallbackURLs: []string{callbackURL}})
	if err != nil {
		b.Fatal(err)
	}
	p.SetURL("http://linetest.invalid")
	l := newLogin("profile openid")
	authorizeURL := "http://linetest.invalid" + linetest.PathAuthorize + "?" + l.params.Encode()

	bodies := make([]string, b.N)
	for i := range bodies {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, authorizeURL, nil))
		loc, _ := url.Parse(rec.Header().Get("Location"))
		bodies[i] = exchangeForm(loc.Query().Get("code"), l).Encode()
	}
	p.ResetRequests()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, "http://linetest.invalid"+linetest.PathToken, strings.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("token: %d %s", rec.Code, rec.Body)
		}
	}
}
