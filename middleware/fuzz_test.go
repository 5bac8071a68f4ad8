package middleware_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/flow"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

// FuzzSafeReturnTo: whatever comes in, SafeReturnTo keeps it or returns
// "/", and what it keeps is a local path that a browser resolves on the
// app's own origin.
func FuzzSafeReturnTo(f *testing.F) {
	for _, s := range append(append([]string{"/", "/orders?id=7", "/a/b#frag", "/search?q=a%20b", ""}, offSiteReturnTo...), offSiteRedirects...) {
		f.Add(s)
	}
	base, _ := url.Parse("https://app.example/")
	f.Fuzz(func(t *testing.T, in string) {
		out := middleware.SafeReturnTo(in)
		if out == "/" {
			return
		}
		if out != in {
			t.Fatalf("SafeReturnTo(%q) = %q: neither kept nor /", in, out)
		}
		if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.HasPrefix(out, "/\\") || len(out) > 1024 {
			t.Fatalf("SafeReturnTo kept %q", out)
		}
		for i := 0; i < len(out); i++ {
			if c := out[i]; c < 0x21 || c >= 0x7f || c == '\\' {
				t.Fatalf("SafeReturnTo kept %q with byte %#x", out, c)
			}
		}
		u, err := browserLocation(base, out)
		if err != nil || u.Scheme != base.Scheme || u.Host != base.Host {
			t.Fatalf("SafeReturnTo kept %q, which a browser resolves to %v (%v)", out, u, err)
		}
		if again := middleware.SafeReturnTo(out); again != out {
			t.Fatalf("not idempotent: %q, then %q", out, again)
		}
	})
}

// fuzzLINE is a token endpoint in memory for FuzzCallbackQuery: by the
// code, it breaks (code 500, html) or answers with tokens whose ID token
// is signed with the channel secret but carries another nonce, so that no
// fuzzed callback can ever complete a login.
type fuzzLINE struct{ p *linetest.Platform }

func (l fuzzLINE) RoundTrip(req *http.Request) (*http.Response, error) {
	req.ParseForm()
	if req.Body != nil {
		req.Body.Close()
	}
	answer := func(status int, contentType, body string) (*http.Response, error) {
		return &http.Response{
			StatusCode: status, Header: http.Header{"Content-Type": {contentType}},
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req,
		}, nil
	}
	switch req.PostForm.Get("code") {
	case "500":
		return answer(http.StatusInternalServerError, "application/json", `{"error":"server_error"}`)
	case "html":
		return answer(http.StatusOK, "text/html", "<html>")
	case "invalid_grant":
		return answer(http.StatusBadRequest, "application/json", `{"error":"invalid_grant"}`)
	}
	now := time.Now()
	idToken, err := l.p.SignIDToken(map[string]any{"alg": "HS256"}, map[string]any{
		"iss": l.p.Issuer(), "sub": l.p.Users()[0].ID, "aud": l.p.ChannelID(),
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nonce": "not-the-flow-nonce",
	})
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]any{"access_token": "a", "token_type": "Bearer", "expires_in": 3600, "id_token": idToken})
	return answer(http.StatusOK, "application/json", string(body))
}

// FuzzCallbackQuery sends arbitrary query strings to the real callback
// handler, with and without the flow cookie of a login in progress (the
// seeds' STATE stands for that flow's state): never a panic, never a 5xx
// but 502, never a session cookie, never markup from the query.
func FuzzCallbackQuery(f *testing.F) {
	p, err := linetest.New(linetest.Config{})
	if err != nil {
		f.Fatal(err)
	}
	auth, err := middleware.New(middleware.Config{
		LINE: callback.Config{
			ChannelID:     p.ChannelID(),
			ChannelSecret: p.ChannelSecret(),
			RedirectURL:   "https://app.example/callback",
			AccessURL:     p.AccessURL(),
			APIURL:        p.APIURL(),
			HTTPClient:    &http.Client{Transport: fuzzLINE{p}},
			Timeout:       time.Second,
		},
		Session: middleware.SessionConfig{Keys: [][]byte{bytes.Repeat([]byte{9}, 32)}},
	})
	if err != nil {
		f.Fatal(err)
	}
	h := auth.Handler(http.NotFoundHandler())

	// A login in progress, renewed before its cookie expires (FlowTTL), so
	// that runs longer than ten minutes still reach the exchange.
	var (
		mu      sync.Mutex
		state   string
		cookie  *http.Cookie
		started time.Time
	)
	current := func() (string, *http.Cookie) {
		mu.Lock()
		defer mu.Unlock()
		if cookie == nil || time.Since(started) > flow.TTL/2 {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
			loc, err := url.Parse(rec.Header().Get("Location"))
			cookies := rec.Result().Cookies()
			if err != nil || len(cookies) != 1 {
				panic("fuzz set-up: /login gave no flow")
			}
			state, cookie, started = loc.Query().Get("state"), cookies[0], time.Now()
		}
		return state, cookie
	}

	for _, seed := range []string{
		"code=abc&state=STATE",
		"code=500&state=STATE",
		"code=html&state=STATE",
		"code=invalid_grant&state=STATE",
		"state=STATE",
		"state=STATE&error=ACCESS_DENIED&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
		"errorCode=417&errorMessage=DISALLOWED&state=STATE",
		"error=SERVER_ERROR&state=STATE",
		"code=abc&state=STATE&iss=https%3A%2F%2Fevil.example&return_to=%2F%2Fevil.example",
		"code=a&code=b&state=STATE&state=0123456789abcdef0123456789abcdef",
		"code=abc&state=" + strings.Repeat("a", 3000),
		"state=STATE&friendship_status_changed=true&code=abc",
		"%zz&state=STATE;code=abc",
		"",
	} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, raw string, withFlow bool) {
		st, fc := current()
		r := httptest.NewRequest(http.MethodGet, "/callback", nil)
		r.URL.RawQuery = strings.ReplaceAll(raw, "STATE", st)
		r.Header.Set("Accept", "text/html")
		if withFlow {
			r.AddCookie(fc)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		resp := rec.Result()
		if resp.StatusCode >= 500 && resp.StatusCode != http.StatusBadGateway {
			t.Fatalf("status %d for %q", resp.StatusCode, r.URL.RawQuery)
		}
		if resp.StatusCode < 400 {
			t.Fatalf("status %d for %q: a fuzzed callback succeeded", resp.StatusCode, r.URL.RawQuery)
		}
		for _, c := range resp.Cookies() {
			if strings.Contains(c.Name, "linelogin_session") && c.MaxAge >= 0 {
				t.Fatalf("session cookie set for %q", r.URL.RawQuery)
			}
		}
		if body := rec.Body.String(); strings.Contains(body, "<script") || strings.Contains(body, "<img") {
			t.Fatalf("markup from the query in the page for %q", r.URL.RawQuery)
		}
	})
}
