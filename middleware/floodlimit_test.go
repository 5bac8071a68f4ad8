package middleware_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

// randomToken is a well-formed bearer token LINE never issued.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// withClock gives the app the test clock, which the tests move instead of
// sleeping.
func withClock(c *testkit.Clock) appOption {
	return func(cfg *middleware.Config) { cfg.Now = c.Now }
}

// retryAfter returns resp's Retry-After in seconds, failing the test
// unless it is a positive integer.
func retryAfter(t *testing.T, resp *http.Response) time.Duration {
	t.Helper()
	n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || n < 1 {
		t.Errorf("status %d, Retry-After %q: want a positive number of seconds", resp.StatusCode, resp.Header.Get("Retry-After"))
		return 0
	}
	return time.Duration(n) * time.Second
}

// assertNotChecked checks a 429 or 503 answer to a credential left
// unchecked: JSON, Retry-After, never a user.
func assertNotChecked(t *testing.T, resp *http.Response, body string, status int) time.Duration {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	want := map[int]string{429: "too_many_requests", 503: "temporarily_unavailable"}[status]
	var e struct{ Error string }
	if json.Unmarshal([]byte(body), &e) != nil || e.Error != want {
		t.Errorf("body %s, want error %q", body, want)
	}
	return retryAfter(t, resp)
}

// flood sends tokens to /api/me from workers goroutines and returns how
// many answers had each status; any answer but 401 (with an invalid_token
// challenge), 429 or 503 (with Retry-After) fails the test.
func flood(t *testing.T, app *testApp, tokens []string, workers int) map[int]int {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	work := make(chan string)
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tok := range work {
				req, _ := http.NewRequest(http.MethodGet, app.url("/api/me"), nil)
				req.Header = bearerHeader(tok)
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					continue
				}
				resp.Body.Close()
				switch resp.StatusCode {
				case http.StatusUnauthorized:
					if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Bearer error="invalid_token"`) {
						t.Errorf("401 with WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
					}
				case http.StatusTooManyRequests, http.StatusServiceUnavailable:
					if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 {
						t.Errorf("%d with Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
					}
				default:
					t.Errorf("a random token got status %d", resp.StatusCode)
				}
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	for _, tok := range tokens {
		work <- tok
	}
	close(work)
	wg.Wait()
	return statuses
}

// TestFlood_RandomTokensCannotExhaustLINE is issue 16's measurement: 300
// distinct random tokens from one address, then the same again.
func TestFlood_RandomTokensCannotExhaustLINE(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, withClock(clock))
	tokens := make([]string, 300)
	for i := range tokens {
		tokens[i] = randomToken()
	}

	first := flood(t, app, tokens, 10)
	calls := app.platform.Count(linetest.PathVerify)
	t.Logf("300 random tokens from one address: %d calls to verify; answers %v", calls, first)
	if calls > 100 {
		t.Errorf("300 random tokens from one address reached verify %d times, want at most 100", calls)
	}
	if first[http.StatusTooManyRequests] == 0 {
		t.Errorf("no 429 in %v: the address was not limited", first)
	}

	again := flood(t, app, tokens, 10)
	more := app.platform.Count(linetest.PathVerify) - calls
	t.Logf("the same 300 again: %d more calls to verify; answers %v", more, again)
	if more > 10 {
		t.Errorf("repeating the 300 tokens reached verify %d more times, want at most 10", more)
	}

	// A real user at the same address waits as told, then gets in.
	tok := app.accessToken(t)
	resp, body := app.apiCall(t, "/api/me", bearerHeader(tok))
	wait := assertNotChecked(t, resp, body, http.StatusTooManyRequests)
	clock.Advance(wait)
	resp, body = app.apiCall(t, "/api/me", bearerHeader(tok))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a valid token once Retry-After (%v) passed: status %d: %s", wait, resp.StatusCode, body)
	}
	if logs := app.logs.String(); strings.Contains(logs, tok) || strings.Contains(logs, tokens[0]) {
		t.Error("a token reached the log")
	}
}

func TestFlood_RefusedTokenIsRememberedForAWhile(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, withClock(clock))
	tok := app.accessToken(t)
	app.platform.RevokeAccessToken(tok)
	for range 5 {
		resp, body := app.apiCall(t, "/api/me", bearerHeader(tok))
		assertInvalidToken(t, resp, body)
	}
	if n := app.platform.Count(linetest.PathVerify); n != 1 {
		t.Errorf("a refused token sent 5 times reached verify %d times, want 1", n)
	}
	clock.Advance(middleware.DefaultRefusedTokenTTL)
	resp, body := app.apiCall(t, "/api/me", bearerHeader(tok))
	assertInvalidToken(t, resp, body)
	if n := app.platform.Count(linetest.PathVerify); n != 2 {
		t.Errorf("after RefusedTokenTTL: %d calls to verify, want 2 (asked again)", n)
	}
}

func TestFlood_ValidTokensDoNotSpendTheAllowance(t *testing.T) {
	// A carrier's NAT address carries many users with tokens new to the
	// cache: LINE vouching for one gives its check back.
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, withClock(clock), func(c *middleware.Config) { c.Bearer.Limits.ClientBurst = 3 })
	for i := range 20 {
		resp, body := app.apiCall(t, "/api/me", bearerHeader(app.accessToken(t)))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("valid token %d from one address: status %d: %s", i, resp.StatusCode, body)
		}
	}
	for range 3 {
		resp, body := app.apiCall(t, "/api/me", bearerHeader(randomToken()))
		assertInvalidToken(t, resp, body)
	}
	resp, body := app.apiCall(t, "/api/me", bearerHeader(randomToken()))
	assertNotChecked(t, resp, body, http.StatusTooManyRequests)
}

// gatedTransport holds the first hold calls to verify until release is
// closed, reporting each on started; later calls go through at once.
type gatedTransport struct {
	mu      sync.Mutex
	hold    int
	started chan struct{}
	release chan struct{}
}

func (g *gatedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == linetest.PathVerify {
		g.mu.Lock()
		held := g.hold > 0
		g.hold--
		g.mu.Unlock()
		if held {
			g.started <- struct{}{}
			<-g.release
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestFlood_ConcurrentChecksAreCapped(t *testing.T) {
	gate := &gatedTransport{hold: 2, started: make(chan struct{}, 2), release: make(chan struct{})}
	app := newTestApp(t, func(c *middleware.Config) {
		c.Bearer.Limits.MaxConcurrentChecks = 2
		c.Bearer.Limits.ClientAddress = middleware.TrustedProxyHeader("X-Forwarded-For", netip.MustParsePrefix("127.0.0.0/8"))
		c.LINE.HTTPClient = &http.Client{Transport: gate}
	})
	// Each from an address of its own: one address holds at most half of
	// the slots (TestFlood_OneAddressHoldsAtMostHalfTheChecks).
	tokens := []string{app.accessToken(t), app.accessToken(t), app.accessToken(t)}
	results := make(chan int, 2)
	for i, tok := range tokens[:2] {
		go func() {
			// Not apiCall: its t.Fatal would leave the test waiting.
			req, _ := http.NewRequest(http.MethodGet, app.url("/api/me"), nil)
			req.Header = bearerHeader(tok)
			req.Header.Set("X-Forwarded-For", "198.51.100."+strconv.Itoa(i+1))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				results <- 0
				return
			}
			resp.Body.Close()
			results <- resp.StatusCode
		}()
	}
	<-gate.started
	<-gate.started // both slots taken
	third := bearerHeader(tokens[2])
	third.Set("X-Forwarded-For", "198.51.100.3")
	resp, body := app.apiCall(t, "/api/me", third)
	assertNotChecked(t, resp, body, http.StatusServiceUnavailable)
	close(gate.release)
	for range 2 {
		if s := <-results; s != http.StatusOK {
			t.Errorf("a check within the cap: status %d", s)
		}
	}
	if resp, body := app.apiCall(t, "/api/me", bearerHeader(tokens[2])); resp.StatusCode != http.StatusOK {
		t.Errorf("once a slot is free: status %d: %s", resp.StatusCode, body)
	}
	if n := app.platform.Count(linetest.PathVerify); n != 3 {
		t.Errorf("verify calls: %d, want 3 (none for the request over the cap)", n)
	}
}

func TestFlood_LINE429BacksOff(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, withClock(clock))
	tok := app.accessToken(t)
	app.platform.SetFault(linetest.PathVerify, linetest.Fault{Status: 429, Header: http.Header{"Retry-After": {"30"}}, Times: 1})

	resp, body := app.apiCall(t, "/api/me", bearerHeader(tok))
	if wait := assertNotChecked(t, resp, body, http.StatusServiceUnavailable); wait != 30*time.Second {
		t.Errorf("Retry-After %v, want LINE's 30s", wait)
	}
	// LINE would answer now, but the instance keeps away as LINE asked,
	// for every token and every address.
	clock.Advance(29 * time.Second)
	for _, tk := range []string{tok, app.accessToken(t), randomToken()} {
		resp, body := app.apiCall(t, "/api/me", bearerHeader(tk))
		if wait := assertNotChecked(t, resp, body, http.StatusServiceUnavailable); wait != time.Second {
			t.Errorf("29s into the back-off: Retry-After %v, want 1s", wait)
		}
	}
	if n := app.platform.Count(linetest.PathVerify); n != 1 {
		t.Errorf("verify calls during the back-off: %d, want 1 (the one LINE refused)", n)
	}
	clock.Advance(time.Second)
	if resp, body := app.apiCall(t, "/api/me", bearerHeader(tok)); resp.StatusCode != http.StatusOK {
		t.Errorf("after the back-off: status %d: %s", resp.StatusCode, body)
	}

	t.Run("without Retry-After, a growing back-off", func(t *testing.T) {
		clock := testkit.NewClock(time.Now())
		app := newTestApp(t, withClock(clock))
		app.platform.SetFault(linetest.PathVerify, linetest.Fault{Status: 429})
		var waits []time.Duration
		for range 3 {
			resp, body := app.apiCall(t, "/api/me", bearerHeader(app.accessToken(t)))
			wait := assertNotChecked(t, resp, body, http.StatusServiceUnavailable)
			waits = append(waits, wait)
			clock.Advance(wait)
		}
		if waits[0] < time.Second || waits[1] != 2*waits[0] || waits[2] != 2*waits[1] {
			t.Errorf("back-offs %v: want each twice the last", waits)
		}
		if n := app.platform.Count(linetest.PathVerify); n != 3 {
			t.Errorf("verify calls: %d, want 3 (one after each back-off)", n)
		}
		app.platform.ClearFaults()
		if resp, body := app.apiCall(t, "/api/me", bearerHeader(app.accessToken(t))); resp.StatusCode != http.StatusOK {
			t.Errorf("after LINE recovered: status %d: %s", resp.StatusCode, body)
		}
	})
}

func TestFlood_AllowanceIsPerClientAddress(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, withClock(clock), func(c *middleware.Config) {
		c.Bearer.Limits.ClientBurst = 2
		c.Bearer.Limits.ClientAddress = middleware.TrustedProxyHeader("X-Forwarded-For", netip.MustParsePrefix("127.0.0.0/8"))
	})
	from := func(addr string) http.Header {
		h := bearerHeader(randomToken())
		h.Set("X-Forwarded-For", addr)
		return h
	}
	for range 2 {
		resp, body := app.apiCall(t, "/api/me", from("198.51.100.1"))
		assertInvalidToken(t, resp, body)
	}
	resp, body := app.apiCall(t, "/api/me", from("198.51.100.1"))
	assertNotChecked(t, resp, body, http.StatusTooManyRequests)
	// A spoofed left-most entry changes nothing: the proxy appended the
	// real address last.
	resp, body = app.apiCall(t, "/api/me", from("203.0.113.7, 198.51.100.1"))
	assertNotChecked(t, resp, body, http.StatusTooManyRequests)
	resp, body = app.apiCall(t, "/api/me", from("198.51.100.2"))
	assertInvalidToken(t, resp, body)
}

func TestTrustedProxyHeader(t *testing.T) {
	client := middleware.TrustedProxyHeader("X-Forwarded-For",
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8"))
	for name, tc := range map[string]struct {
		remote, xff, want string
	}{
		"from the proxy":                 {"10.0.0.1:5000", "198.51.100.1", "198.51.100.1"},
		"chain of proxies":               {"10.0.0.1:5000", "198.51.100.1, 10.0.0.2", "198.51.100.1"},
		"client-written entries ignored": {"10.0.0.1:5000", "192.0.2.66, 198.51.100.1", "198.51.100.1"},
		"not from the proxy":             {"192.0.2.9:5000", "198.51.100.1", "192.0.2.9"},
		"no header":                      {"10.0.0.1:5000", "", "10.0.0.1"},
		"garbage":                        {"10.0.0.1:5000", "nonsense", "10.0.0.1"},
		"IPv6 client, its /64":           {"[fd00::1]:5000", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		"IPv6 connection, its /64":       {"[2001:db8:1:2::9]:5000", "", "2001:db8:1:2::/64"},
		"IPv4-mapped proxy":              {"[::ffff:10.0.0.1]:5000", "198.51.100.1", "198.51.100.1"},
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := client(r); got != tc.want {
				t.Errorf("client %q, want %q", got, tc.want)
			}
		})
	}
}
