package middleware_test

// Sessions in Redis when Redis fails (DESIGN §10): a logout the store
// cannot carry out says so; with Redis down, hung or slow (through a
// fault-injecting proxy), simultaneous requests each answer within twice
// the store's timeout, and nothing is lost once Redis is back.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/session/redisstore"
)

// TestRedis_LogoutWithRedisDownSaysItDidNotFinish: with Redis down, the
// logout cannot end the session server-side, so it answers 503 and a page
// saying the logout did not finish (clearing the browser's cookie all the
// same), not the redirect of a logout that worked; once Redis is back,
// the session, which was never ended, still works with a copy of the
// cookie, which is why the user had to be told.
func TestRedis_LogoutWithRedisDownSaysItDidNotFinish(t *testing.T) {
	srv := redistest.Start(t, true)
	app := newTestApp(t, withStore(newTestRedisStore(t, srv.URL(), redistest.Prefix())))
	b := app.browser()
	b.mustLogin()
	value := b.sessionValue(app)

	srv.Stop()
	resp := b.logout(app.origin())
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("logout with Redis down: status %d to %q, want 503", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !strings.Contains(body, "Logout not finished") || !strings.Contains(body, "log") {
		t.Errorf("logout with Redis down: the page does not say the logout did not finish: %.400s", body)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("logout with Redis down: no Retry-After")
	}
	if c := setCookie(resp, sessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout with Redis down: the browser's cookie was not cleared: %+v", c)
	}
	if strings.Contains(app.logs.String(), value) {
		t.Error("a session cookie value reached the logs")
	}

	srv.Restart()
	eventually(t, 15*time.Second, "the unfinished logout's session served again", func() bool {
		return statusWith(t, app, "/api/me", value, false).StatusCode == http.StatusOK
	})
}

// storeTimeout is the store's timeout in the fault tests: every request
// needing Redis must answer within twice it.
const storeTimeout = 500 * time.Millisecond

// schedulingMargin is what a loaded two-core machine under -race may add to
// an answer's time: the bounds stay far below what queued requests take.
const schedulingMargin = 250 * time.Millisecond

func newTimedRedisStore(t *testing.T, url, prefix string) *redisstore.Store {
	t.Helper()
	store, err := redisstore.NewURL(url, redisstore.Options{Prefix: prefix, Timeout: storeTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	return store
}

// timedAnswer is a status and how long it took.
type timedAnswer struct {
	status  int
	elapsed time.Duration
}

// atOnce sends n requests for /api/me with the session cookie value to
// each app, all at once.
func atOnce(t *testing.T, apps []*testApp, value string, n int) []timedAnswer {
	t.Helper()
	answers := make([]timedAnswer, n*len(apps))
	testkit.AtOnce(len(answers), func(i int) {
		begin := time.Now()
		req, _ := http.NewRequest(http.MethodGet, apps[i%len(apps)].url("/api/me"), nil)
		req.Header.Set("Accept", "application/json")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: value})
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
		answers[i] = timedAnswer{resp.StatusCode, time.Since(begin)}
	}, nil)
	return answers
}

// TestRedis_DownHungOrSlowAnswersInParallel: with Redis hung (accepting
// connections, never answering) or down, six simultaneous requests to an
// instance that was connected, and six to one that started during the
// fault, each answer 503 within twice the store's timeout, not one after
// another; slow but within the timeout, they are served; and once Redis is
// back, the session works on every instance: nothing was lost.
func TestRedis_DownHungOrSlowAnswersInParallel(t *testing.T) {
	srv := redistest.Start(t, false)
	proxy := testkit.NewProxy(t, srv.Addr())
	url, prefix := "redis://"+proxy.Addr(), redistest.Prefix()
	login := newTestApp(t, withStore(newTimedRedisStore(t, url, prefix)))
	connected := newTestApp(t, withStore(newTimedRedisStore(t, url, prefix)), sameChannelAs(login), withKeys(login.cfg.Session.Keys...))
	b := login.browser()
	b.mustLogin()
	value := b.sessionValue(login)
	// The connected instance has its client, but has never read this
	// session: it must ask Redis.
	other := connected.browser()
	other.mustLogin()

	for _, fault := range []struct {
		name string
		mode testkit.ProxyMode
	}{{"hung", testkit.ProxyHang}, {"down", testkit.ProxyDown}} {
		t.Run(fault.name, func(t *testing.T) {
			proxy.Set(fault.mode, 0)
			defer proxy.Set(testkit.ProxyPass, 0)
			// An instance that starts during the fault.
			started := newTestApp(t, withStore(newTimedRedisStore(t, url, prefix)), sameChannelAs(login), withKeys(login.cfg.Session.Keys...))
			begin := time.Now()
			answers := atOnce(t, []*testApp{connected, started}, value, 6)
			total := time.Since(begin)
			for i, a := range answers {
				if a.status != http.StatusServiceUnavailable {
					t.Errorf("request %d: status %d, want 503", i, a.status)
				}
				// Twice the timeout, plus room for the scheduler of a busy
				// two-core machine under -race; queued requests would take
				// six times as long.
				if a.elapsed > 2*storeTimeout+schedulingMargin {
					t.Errorf("request %d answered after %v, more than twice the store's timeout (%v)", i, a.elapsed, storeTimeout)
				}
			}
			if total > 3*storeTimeout {
				t.Errorf("12 simultaneous requests took %v in all: they queued", total)
			}
		})
	}

	t.Run("slow", func(t *testing.T) {
		proxy.Set(testkit.ProxySlow, 20*time.Millisecond)
		defer proxy.Set(testkit.ProxyPass, 0)
		eventually(t, 10*time.Second, "the session served through a slow Redis", func() bool {
			return statusWith(t, connected, "/api/me", value, false).StatusCode == http.StatusOK
		})
		for i, a := range atOnce(t, []*testApp{connected}, value, 6) {
			if a.status != http.StatusOK || a.elapsed > 2*storeTimeout {
				t.Errorf("slow Redis, request %d: status %d after %v, want 200 within %v", i, a.status, a.elapsed, 2*storeTimeout)
			}
		}
	})

	// Recovered: the sessions work everywhere, with no restart.
	for _, app := range []*testApp{login, connected} {
		eventually(t, 10*time.Second, "the session served after Redis recovered", func() bool {
			return statusWith(t, app, "/api/me", value, false).StatusCode == http.StatusOK
		})
	}
	if status, _ := other.me(); status != http.StatusOK {
		t.Errorf("the other session after Redis recovered: status %d", status)
	}
}

// TestRedis_TokenReportsASessionItCouldNotEnd: when LINE rejects the
// refresh token and Redis goes down before the session is ended, Token
// says the store failed (the session may live on) instead of "login
// required", as if it had ended.
func TestRedis_TokenReportsASessionItCouldNotEnd(t *testing.T) {
	srv := redistest.Start(t, false)
	proxy := testkit.NewProxy(t, srv.Addr())
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, withTokens(clock), withStore(newTimedRedisStore(t, "redis://"+proxy.Addr(), redistest.Prefix())))
	b := app.browser()
	b.mustLogin()
	clock.Advance(linetest.DefaultAccessTokenTTL)
	app.platform.SetFault(linetest.PathToken, linetest.Fault{
		Status: http.StatusBadRequest, Body: `{"error":"invalid_grant"}`, Delay: 300 * time.Millisecond,
		Header: http.Header{"Content-Type": {"application/json"}},
	})
	done := make(chan *http.Response, 1)
	go func() { done <- b.do(http.MethodGet, app.url("/token"), nil, nil) }()
	// Redis goes down while LINE considers the refresh token.
	eventually(t, 5*time.Second, "a refresh at LINE", func() bool { return refreshCount(app.platform) == 1 })
	proxy.Set(testkit.ProxyDown, 0)
	resp := <-done
	if body := readBody(t, resp); !strings.Contains(body, "store unavailable") {
		t.Errorf("/token, the session not ended: %d %q, want the store's failure", resp.StatusCode, body)
	}
}
