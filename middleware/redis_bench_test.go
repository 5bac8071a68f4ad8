package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/linelogin/linelogin/internal/redistest"
)

// benchStoreRequest logs in once on app (over HTTP, outside the timer),
// then serves an authenticated GET /api/me in process, with a new
// httptest.ResponseRecorder per request, b.N times.
func benchStoreRequest(b *testing.B, app *testApp) {
	br := app.browser()
	br.mustLogin()
	value := br.sessionValue(app)
	h := *app.handler.Load()
	req := httptest.NewRequest(http.MethodGet, app.url("/api/me"), nil)
	req.Header.Set("Accept", "application/json")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: value})
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d, want 200", rec.Code)
		}
	}
}

// BenchmarkAuthenticatedRequestRedis is an authenticated request with the
// session in Redis: the cookie's ID decoded, one GET to Redis over
// loopback, the session decoded. Compare it with
// BenchmarkAuthenticatedRequestCookieStore from the same run.
func BenchmarkAuthenticatedRequestRedis(b *testing.B) {
	store := newTestRedisStore(b, redistest.URL(b), redistest.Prefix())
	benchStoreRequest(b, newTestApp(b, withStore(store)))
}

// BenchmarkAuthenticatedRequestCookieStore is the same request, set up the
// same way, with the default cookie store: the baseline for
// BenchmarkAuthenticatedRequestRedis.
func BenchmarkAuthenticatedRequestCookieStore(b *testing.B) {
	benchStoreRequest(b, newTestApp(b))
}

// BenchmarkAuthenticatedRequestRedisStore is BenchmarkAuthenticatedRequest
// (the same in-process harness, discarding writer and app) with sessions in
// Redis (session/redisstore on REDIS_URL, or a redis-server of its own):
// after the first request, the session cache answers while the store's
// lease holds, so an op costs a map lookup and an atomic load, as a cookie
// session does. Compare with BenchmarkAuthenticatedRequest of the same run
// (issue 14: at least 0.90 of its rate).
func BenchmarkAuthenticatedRequestRedisStore(b *testing.B) {
	e := newBenchEnv(b)
	e.cfg.Session.Store = newTestRedisStore(b, redistest.URL(b), redistest.Prefix())
	e.auth, e.handler = e.newInstance(b)
	serveLoop(b, e.handler, appRequest(e.login(b)), true)
}

// BenchmarkAuthenticatedRequestRedisStoreParallel is
// BenchmarkAuthenticatedRequestRedisStore from GOMAXPROCS goroutines.
func BenchmarkAuthenticatedRequestRedisStoreParallel(b *testing.B) {
	e := newBenchEnv(b)
	e.cfg.Session.Store = newTestRedisStore(b, redistest.URL(b), redistest.Prefix())
	e.auth, e.handler = e.newInstance(b)
	serveParallel(b, e.handler, e.login(b))
}
