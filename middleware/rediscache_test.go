package middleware_test

// Redis sessions served from each instance's memory (issue 14): whatever
// ends a session (a logout or a revocation on another instance, a DEL by
// an operator, an expiry) is refused everywhere within 100 ms, and an
// instance whose invalidation connection drops serves nothing it held.

import (
	"cmp"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/middleware"
)

// eventually polls cond until it holds, failing t after deadline: for
// what happens asynchronously (an invalidation, an expiry in Redis).
func eventually(t *testing.T, deadline time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %v", what, deadline)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// refusedWithin asks app for /api/me with the session cookie value until
// it answers 401, and fails t unless that happens within limit of since.
func refusedWithin(t *testing.T, app *testApp, value string, since time.Time, limit time.Duration) {
	t.Helper()
	for {
		status := statusWith(t, app, "/api/me", value, false).StatusCode
		elapsed := time.Since(since)
		if status == http.StatusUnauthorized {
			t.Logf("refused after %v", elapsed.Round(100*time.Microsecond))
			return
		}
		if status != http.StatusOK {
			t.Fatalf("status %d, want 200 and then 401", status)
		}
		if elapsed > limit {
			t.Fatalf("the session was still served %v after it ended (limit %v)", elapsed, limit)
		}
	}
}

// sessionKey returns the Redis key of the only session of user, as an
// operator finds it.
func sessionKey(t *testing.T, app *testApp, prefix, user string) string {
	t.Helper()
	sessions := listSessions(t, app, user)
	if len(sessions) != 1 {
		t.Fatalf("%d sessions of %s, want 1", len(sessions), user)
	}
	return prefix + "s:" + sessions[0].ID
}

func TestRedis_EndedSessionsAreRefusedEverywhereWithin100ms(t *testing.T) {
	url := redistest.URL(t)
	raw := redistest.NewClient(t, url)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// end ends the session held by browser br, logged in on a, and
		// returns when it did (the expiry moment, for an expiry).
		end func(t *testing.T, a, b *testApp, br *browser, prefix string, clock *testkit.Clock) time.Time
	}{
		{"logout on the other instance", func(t *testing.T, a, b *testApp, br *browser, _ string, _ *testkit.Clock) time.Time {
			if resp := br.logout(a.origin()); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: %d", resp.StatusCode)
			}
			return time.Now()
		}},
		{"RevokeUser on the other instance", func(t *testing.T, a, b *testApp, _ *browser, _ string, _ *testkit.Clock) time.Time {
			if err := a.auth.Sessions().RevokeUser(ctx, a.user.ID); err != nil {
				t.Fatal(err)
			}
			return time.Now()
		}},
		{"DEL by an operator", func(t *testing.T, a, b *testApp, _ *browser, prefix string, _ *testkit.Clock) time.Time {
			key := sessionKey(t, a, prefix, a.user.ID)
			if err := raw.Do(ctx, raw.B().Del().Key(key).Build()).Error(); err != nil {
				t.Fatal(err)
			}
			return time.Now()
		}},
		{"expiry in Redis", func(t *testing.T, a, b *testApp, _ *browser, prefix string, _ *testkit.Clock) time.Time {
			key := sessionKey(t, a, prefix, a.user.ID)
			if err := raw.Do(ctx, raw.B().Pexpire().Key(key).Milliseconds(50).Build()).Error(); err != nil {
				t.Fatal(err)
			}
			return time.Now().Add(50 * time.Millisecond)
		}},
		{"expiry of the session's lifetime", func(t *testing.T, a, b *testApp, _ *browser, _ string, clock *testkit.Clock) time.Time {
			clock.Advance(cmp.Or(a.cfg.Session.Lifetime, middleware.DefaultSessionLifetime))
			return time.Now()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := testkit.NewClock(time.Now())
			prefix := redistest.Prefix()
			a, b := twoInstancesOn(t, url, prefix, func(c *middleware.Config) { c.Now = clock.Now })
			br := a.browser()
			br.mustLogin()
			value := br.sessionValue(a)
			// B has served the session, so holds it in memory.
			for range 3 {
				if resp := statusWith(t, b, "/api/me", value, false); resp.StatusCode != http.StatusOK {
					t.Fatalf("session on B: %d", resp.StatusCode)
				}
			}
			ended := tc.end(t, a, b, br, prefix, clock)
			refusedWithin(t, b, value, ended, 100*time.Millisecond)
			refusedWithin(t, a, value, ended, 100*time.Millisecond)
		})
	}
}

func TestRedis_NoStaleSessionAfterTheInvalidationConnectionDrops(t *testing.T) {
	for _, topo := range redistest.Topologies() {
		t.Run(topo.Name, func(t *testing.T) {
			url, prefix := topo.URL(t), redistest.Prefix()
			raw := redistest.NewClient(t, url)
			a, b := twoInstancesOn(t, url, prefix)
			br := a.browser()
			br.mustLogin()
			value := br.sessionValue(a)
			key := sessionKey(t, a, prefix, a.user.ID)
			for range 3 {
				if resp := statusWith(t, b, "/api/me", value, false); resp.StatusCode != http.StatusOK {
					t.Fatalf("session on B: %d", resp.StatusCode)
				}
			}
			// The connections that would carry the invalidation are gone
			// when the session is deleted: no instance hears of it.
			redistest.KillClients(t, raw)
			eventually(t, 2*time.Second, "DEL from outside", func() bool {
				return raw.Do(context.Background(), raw.B().Del().Key(key).Build()).Error() == nil
			})
			// Each instance drops what it held when its connection dropped
			// and asks Redis again, on a new connection.
			for _, app := range []*testApp{b, a} {
				eventually(t, 3*time.Second, "the deleted session refused", func() bool {
					return statusWith(t, app, "/api/me", value, false).StatusCode == http.StatusUnauthorized
				})
				for range 20 {
					if status := statusWith(t, app, "/api/me", value, false).StatusCode; status != http.StatusUnauthorized {
						t.Fatalf("after the reconnection: status %d, want 401", status)
					}
				}
			}
			// A new login works on the new connections, and is cached again.
			br2 := b.browser()
			br2.mustLogin()
			if status, _ := br2.me(); status != http.StatusOK {
				t.Errorf("new login after the drop: %d", status)
			}
		})
	}
}

// getCalls returns how many GETs srv has served (INFO commandstats).
func getCalls(t *testing.T, srv *redistest.Server) int64 {
	t.Helper()
	m, err := srv.Do("INFO", "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	info, _ := m.ToString()
	for _, line := range strings.Split(info, "\n") {
		if rest, ok := strings.CutPrefix(line, "cmdstat_get:calls="); ok {
			n, _ := strconv.ParseInt(rest[:strings.IndexByte(rest, ',')], 10, 64)
			return n
		}
	}
	return 0
}

// Once an instance has read a session, its requests are served from
// memory: Redis sees no more reads until the session changes.
func TestRedis_CachedSessionCostsNoRoundTrip(t *testing.T) {
	srv := redistest.Start(t, false)
	app := newTestApp(t, withStore(newTestRedisStore(t, srv.URL(), redistest.Prefix())))
	br := app.browser()
	br.mustLogin()
	value := br.sessionValue(app)
	if resp := statusWith(t, app, "/api/me", value, false); resp.StatusCode != http.StatusOK {
		t.Fatalf("first request: %d", resp.StatusCode)
	}
	before := getCalls(t, srv)
	if before == 0 {
		t.Fatal("INFO commandstats shows no GET: the count is not read right")
	}
	for range 50 {
		if resp := statusWith(t, app, "/api/me", value, false); resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if n := getCalls(t, srv) - before; n > 1 {
		// One read is allowed: a connection replaced on a loaded machine
		// drops the cache once.
		t.Errorf("50 requests on a cached session made %d GETs to Redis", n)
	}
}
