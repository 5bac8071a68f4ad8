package middleware_test

import (
	"net/http"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

// TestFlood_OneAddressHoldsAtMostHalfTheChecks: with LINE's verify hung,
// one address firing 40 new tokens at once gets at most half of the check
// slots (the rest 429, counted as result="limited", never reaching LINE),
// and a new token from another address is still checked: 200, not 503.
// The same holds with the default limits and with an app's ClientBurst
// far above the slots.
func TestFlood_OneAddressHoldsAtMostHalfTheChecks(t *testing.T) {
	for name, limits := range map[string]middleware.BearerLimits{
		"defaults":          {},
		"a large burst":     {ClientBurst: 100},
		"a configured pool": {ClientBurst: 50, MaxConcurrentChecks: 10},
	} {
		t.Run(name, func(t *testing.T) {
			obs, observe := withObservation(t)
			app := newTestApp(t, observe, func(c *middleware.Config) {
				c.Bearer.Limits = limits
				c.Bearer.Limits.ClientAddress = middleware.TrustedProxyHeader("X-Forwarded-For", netip.MustParsePrefix("127.0.0.0/8"))
				c.LINE.Timeout = time.Minute // the hung checks last until the platform closes
			})
			slots := limits.MaxConcurrentChecks
			if slots == 0 {
				slots = middleware.DefaultMaxConcurrentChecks
			}
			valid := app.accessToken(t)
			app.platform.SetFault(linetest.PathVerify, linetest.Fault{Delay: time.Hour})

			const burst = 40
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				answered = map[int]int{}
			)
			client := &http.Client{}
			defer client.CloseIdleConnections()
			for range burst {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, _ := http.NewRequest(http.MethodGet, app.url("/api/me"), nil)
					req.Header = bearerHeader(randomToken())
					req.Header.Set("X-Forwarded-For", "198.51.100.1")
					status := 0
					if resp, err := client.Do(req); err == nil {
						resp.Body.Close()
						status = resp.StatusCode
					}
					mu.Lock()
					answered[status]++
					mu.Unlock()
				}()
			}
			// Every request is either hung at LINE or answered.
			settled := waitFor(10*time.Second, func() bool {
				mu.Lock()
				defer mu.Unlock()
				n := 0
				for _, c := range answered {
					n += c
				}
				return n+app.platform.Count(linetest.PathVerify) == burst
			})
			reached := app.platform.Count(linetest.PathVerify)
			mu.Lock()
			refused := answered[http.StatusTooManyRequests]
			others := len(answered) > 1 || (len(answered) == 1 && refused == 0)
			mu.Unlock()
			if !settled || others {
				t.Errorf("the burst did not settle into hung checks and 429s: %d at LINE, answers %v", reached, answered)
			}
			if reached > slots/2 || reached == 0 {
				t.Errorf("one address has %d checks at LINE, want 1 to %d (half of %d)", reached, slots/2, slots)
			}

			// LINE answers again, but the address's checks still hang: a
			// new token from someone else is checked all the same.
			app.platform.ClearFaults()
			h := bearerHeader(valid)
			h.Set("X-Forwarded-For", "203.0.113.9")
			resp, body := app.apiCall(t, "/api/me", h)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("another address's new token while the first holds its checks: status %d: %s", resp.StatusCode, body)
			}

			checks := obs.collect()["linelogin.bearer.checks"]
			if got := checks["result=limited,source=access_token"]; got != int64(refused) || refused != burst-reached {
				t.Errorf("result=limited counted %d, want the %d refusals (%d requests, %d at LINE): %v", got, refused, burst, reached, checks)
			}
			if got := checks["result=unavailable,source=access_token"]; got != 0 {
				t.Errorf("result=unavailable counted %d while LINE was only slow: %v", got, checks)
			}
			app.platform.Close() // ends the hung checks
			wg.Wait()
		})
	}
}
