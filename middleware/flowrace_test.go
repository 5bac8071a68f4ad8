package middleware_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

// TestCallback_ConcurrentReplaysMakeOneSession: a callback and its flow
// cookie copied into 20 browsers and sent at once. Flow cookies hold no
// server-side state, so single use rests on LINE's single-use code: exactly
// one browser gets a session, every other one the "try again" page and no
// session cookie.
func TestCallback_ConcurrentReplaysMakeOneSession(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	cb := b.authorize(b.startLogin("/orders"))
	flowCookies := b.client.Jar.Cookies(cb)

	const n = 20
	var (
		mu       sync.Mutex
		sessions int
		statuses = map[int]int{}
		wg       sync.WaitGroup
		start    = make(chan struct{})
	)
	for range n {
		replay := app.browser()
		replay.client.Jar.SetCookies(cb, flowCookies)
		wg.Go(func() {
			<-start
			resp := replay.get(cb.String())
			body := readBody(t, resp)
			mu.Lock()
			defer mu.Unlock()
			statuses[resp.StatusCode]++
			if setCookie(resp, sessionCookie) != nil {
				sessions++
				if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders" {
					t.Errorf("the session came with %d to %q", resp.StatusCode, resp.Header.Get("Location"))
				}
			} else if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "try again") {
				t.Errorf("a refused replay: %d %.200s", resp.StatusCode, body)
			}
		})
	}
	close(start)
	wg.Wait()
	if sessions != 1 {
		t.Errorf("%d sessions from one callback sent %d times at once (statuses %v), want 1", sessions, n, statuses)
	}
	if got := app.platform.Count(linetest.PathToken); got > n {
		t.Errorf("%d token requests for %d callbacks", got, n)
	}
}

// TestLogin_ConcurrentLoginsThenTheCap: 40 logins started at once in one
// browser each see the Cookie header as it was, so none can evict the
// others; the next login sees them all and brings the browser back under
// MaxFlows, and it finishes.
func TestLogin_ConcurrentLoginsThenTheCap(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() { b.startLogin("") })
	}
	wg.Wait()
	appURL, _ := url.Parse(app.url("/"))
	flows := func() int {
		n := 0
		for _, c := range b.client.Jar.Cookies(appURL) {
			if strings.HasPrefix(c.Name, flowCookiePrefix) {
				n++
			}
		}
		return n
	}
	last := b.startLogin("/last")
	if n := flows(); n > middleware.MaxFlows {
		t.Errorf("%d flow cookies after the login that followed 40 concurrent ones, want at most %d", n, middleware.MaxFlows)
	}
	resp := b.get(b.authorize(last).String())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/last" {
		t.Fatalf("the login after the burst: callback %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
