package comparisons_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/linelogin/linelogin/linetest"
)

// The login comparison of issue 21: the server work of a whole LINE login
// (/login, LINE's authorize page auto-approving, /callback with the token
// exchange and the ID token's verification) done by linelogin's middleware,
// by zitadel/oidc's relying party, and by a hand-written baseline on
// x/oauth2 and go-oidc. Every contender talks to its own linetest Platform
// through the Platform's in-memory Transport (as middleware's
// BenchmarkLoginRoundTrip does), is driven by the same loop (loginOnce),
// and does the same checks: state bound to the browser, a nonce, PKCE
// (S256), and the HS256 ID token's signature, issuer, audience, expiry and
// nonce. Each contender's set-up is in a file of its own. A fourth,
// "floor", is the libraries' share alone (newFloorContender): not a way
// to log in, but what no contender on x/oauth2 and go-oidc goes below.

const (
	cmpAppURL      = "http://app.localhost" // plain http is for local hosts only
	cmpCallbackURL = cmpAppURL + "/callback"
	cmpAccessURL   = "https://access.line.test" // never dialled: linetest.New's Transport serves it
	cmpAPIURL      = "https://api.line.test"
)

// contender is one way of logging in with LINE: an app whose handler
// serves /login and /callback, ends a login with a session cookie (each
// with its own tool: what the app reads the user from on later requests),
// and reports the LINE user ID of the last login it completed.
type contender struct {
	name     string
	platform *linetest.Platform
	handler  http.Handler
	session  string // the session cookie's name; "" for the floor, which sets none
	// lastUser returns the user ID of the last completed login and forgets
	// it, so that each login is seen to complete.
	lastUser func() string
}

// contenders lists the contenders, each on a new platform, in the order
// they are printed.
var contenders = []struct {
	name string
	make func(tb testing.TB, p *linetest.Platform) contender
}{
	{"linelogin", newLineloginContender},
	{"zitadel-rp", newZitadelContender},
	{"oauth2-go-oidc", newBaselineContender},
	// Not a peer: the libraries' share of every contender (see
	// newFloorContender), printed beside them.
	{"floor", newFloorContender},
}

// newCmpPlatform is a linetest Platform on two made-up origins that only
// its Transport serves, with the app's callback registered, auto-approving
// as its first user.
func newCmpPlatform(tb testing.TB) *linetest.Platform {
	tb.Helper()
	p, err := linetest.New(linetest.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.AddCallbackURL(cmpCallbackURL); err != nil {
		tb.Fatal(err)
	}
	p.SetAutoApprove(p.Users()[0].ID)
	return p
}

// platformClient is the HTTP client the contenders call LINE with: the
// platform in memory, no timeout of the client's own. Every contender
// bounds its calls in time, each as its library does: linelogin with a
// context deadline per call (Config.Timeout), zitadel-rp with
// http.Client.Timeout (zitadelTimeout, as its default client has), the
// baseline with a context deadline around the exchange (loginTimeout).
func platformClient(p *linetest.Platform) *http.Client {
	return &http.Client{Transport: p.Transport()}
}

// loginTimeout bounds the baseline's token exchange, as linelogin's
// default Config.Timeout bounds its calls.
const loginTimeout = 10 * time.Second

// randomHex returns 16 random bytes in hex: LINE wants an alphanumeric
// state and nonce.
func randomHex() string {
	var b [16]byte
	rand.Read(b[:]) // never fails since Go 1.24
	return hex.EncodeToString(b[:])
}

// browserWriter is the response writer of every step: reused, reset each
// time, keeping the status and the headers (for Location and Set-Cookie).
type browserWriter struct {
	h    http.Header
	code int
}

func (w *browserWriter) Header() http.Header { return w.h }

func (w *browserWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return len(p), nil
}

func (w *browserWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *browserWriter) reset() {
	clear(w.h)
	w.code = 0
}

// loginOnce is one whole login of c, as a browser makes it: GET /login,
// LINE's authorize page (auto-approved, through the Transport), then
// /callback with the cookies /login set. It returns the callback's status
// and the user ID c reports ("" when the login did not complete).
func loginOnce(tb testing.TB, c *contender, w *browserWriter) (status int, userID string) {
	w.reset()
	c.handler.ServeHTTP(w, browserRequest(tb, cmpAppURL+"/login"))
	if w.code != http.StatusFound {
		tb.Fatalf("%s: /login: status %d, want 302", c.name, w.code)
	}
	cookies := (&http.Response{Header: w.h}).Cookies()
	authReq, err := http.NewRequest(http.MethodGet, w.h.Get("Location"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := c.platform.Transport().RoundTrip(authReq)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		tb.Fatalf("%s: authorize: status %d, want 302", c.name, resp.StatusCode)
	}
	cb := browserRequest(tb, resp.Header.Get("Location"))
	for _, ck := range cookies {
		cb.AddCookie(ck)
	}
	w.reset()
	c.handler.ServeHTTP(w, cb)
	return w.code, c.lastUser()
}

// browserRequest is a GET of rawURL as the server sees it. It is built
// directly rather than with httptest.NewRequest, which parses a whole
// request from text through a 4 KB buffer: the browser's side is not the
// work being measured.
func browserRequest(tb testing.TB, rawURL string) *http.Request {
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Request{
		Method:     http.MethodGet,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header),
		Body:       http.NoBody,
		Host:       u.Host,
		RemoteAddr: "192.0.2.1:1234",
		RequestURI: u.RequestURI(),
	}
}

// sessionCookie returns the value of the cookie called name that the last
// response set, or "".
func sessionCookie(w *browserWriter, name string) string {
	for _, c := range (&http.Response{Header: w.h}).Cookies() {
		if c.Name == name && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

// TestLoginCompared_EachContenderLogsIn: each contender of the benchmark
// completes a login as linetest's user with a session cookie (the floor
// with none; a broken contender fails make test, not only make bench), and
// refuses an ID token whose nonce, audience or issuer is not its own, so
// each really checks what the others check.
func TestLoginCompared_EachContenderLogsIn(t *testing.T) {
	for _, k := range contenders {
		t.Run(k.name, func(t *testing.T) {
			p := newCmpPlatform(t)
			c := k.make(t, p)
			w := &browserWriter{h: make(http.Header)}
			want := p.Users()[0].ID
			for i := range 3 {
				status, got := loginOnce(t, &c, w)
				if status != http.StatusFound && status != http.StatusSeeOther {
					t.Fatalf("login %d: /callback status %d, want a redirect", i, status)
				}
				if got != want {
					t.Fatalf("login %d: user %q, want %q", i, got, want)
				}
				if c.session != "" && sessionCookie(w, c.session) == "" {
					t.Fatalf("login %d: no %s cookie set", i, c.session)
				}
			}
			for _, bad := range []struct{ claim, value string }{
				{"nonce", "0123456789abcdef0123456789abcdef"},
				{"aud", "2000000001"},
				{"iss", "https://access.line.me.evil.example"},
			} {
				p.SetIDTokenHook(func(_, claims map[string]any) { claims[bad.claim] = bad.value })
				status, got := loginOnce(t, &c, w)
				if got != "" || status == http.StatusFound || status == http.StatusSeeOther || c.session != "" && sessionCookie(w, c.session) != "" {
					t.Errorf("ID token with a foreign %s: status %d, user %q; want refused", bad.claim, status, got)
				}
			}
		})
	}
}

// BenchmarkLoginCompared is a whole login, all timed, of each contender:
// /login, linetest's authorize (auto-approved) and /callback with the
// token exchange and the HS256 ID token's verification, all in memory, the
// same loop for all, each iteration checked to end with the user logged in.
// make bench runs it at -cpu 1,8 and prints linelogin's time over the
// fastest other contender's.
func BenchmarkLoginCompared(b *testing.B) {
	for _, k := range contenders {
		b.Run(k.name, func(b *testing.B) {
			p := newCmpPlatform(b)
			c := k.make(b, p)
			w := &browserWriter{h: make(http.Header)}
			want := p.Users()[0].ID
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i%256 == 0 {
					p.ResetRequests() // linetest's record of requests is bounded, but keep it small
				}
				if _, got := loginOnce(b, &c, w); got != want {
					b.Fatalf("user %q, want %q", got, want)
				}
			}
		})
	}
}
