package middleware_test

// One login keeps one session however many requests renew its access
// token at once, and a logout racing renewals ends it for good
// (DESIGN §10).

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/session"
	"github.com/linelogin/linelogin/session/redisstore"
)

// refreshCount is how many refresh grants reached the platform.
func refreshCount(p *linetest.Server) int {
	n := 0
	for _, r := range p.Requests() {
		if r.Path == linetest.PathToken && r.Form.Get("grant_type") == "refresh_token" {
			n++
		}
	}
	return n
}

// tokenAnswer is what /token answered a request carrying one session
// cookie value.
type tokenAnswer struct {
	status int
	token  string
	cookie string // the session cookie value the answer set, or ""
}

// tokenWith asks app's /token with only the session cookie value.
func tokenWith(t *testing.T, app *testApp, value string) tokenAnswer {
	req, _ := http.NewRequest(http.MethodGet, app.url("/token"), nil)
	req.Header.Set("Accept", "application/json")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: value})
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Error(err)
		return tokenAnswer{}
	}
	defer resp.Body.Close()
	a := tokenAnswer{status: resp.StatusCode}
	if c := setCookie(resp, sessionCookie); c != nil && c.MaxAge > 0 {
		a.cookie = c.Value
	}
	var tok oauth2.Token
	if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&tok) == nil {
		a.token = tok.AccessToken
	}
	return a
}

// renewAll sends n requests for /token at once, all with value.
func renewAll(t *testing.T, app *testApp, value string, n int, alongside func()) []tokenAnswer {
	answers := make([]tokenAnswer, n)
	testkit.AtOnce(n, func(i int) { answers[i] = tokenWith(t, app, value) }, alongside)
	return answers
}

func TestToken_ConcurrentRenewalsKeepOneSession(t *testing.T) {
	for _, tc := range []struct {
		name  string
		redis bool
	}{{"cookie", false}, {"redis", true}} {
		t.Run(tc.name, func(t *testing.T) {
			clock := testkit.NewClock(time.Now())
			keys := [][]byte{session.GenerateKey()}
			var store *redisstore.Store
			optsA := []appOption{withTokens(clock), withKeys(keys...)}
			optsB := optsA
			if tc.redis {
				url, prefix := redistest.URL(t), redistest.Prefix()
				store = newTestRedisStore(t, url, prefix)
				optsA = append(optsA, withStore(store))
				optsB = append(optsB, withStore(newTestRedisStore(t, url, prefix)))
			}
			a := newTestApp(t, optsA...)
			b := newTestApp(t, append(optsB, sameChannelAs(a))...)
			br := a.browser()
			br.mustLogin()
			value := br.sessionValue(a)

			clock.Advance(linetest.DefaultAccessTokenTTL - time.Minute)
			a.platform.SetFault(linetest.PathToken, linetest.Fault{Delay: 200 * time.Millisecond})
			answers := renewAll(t, a, value, 100, nil)
			a.platform.ClearFaults()

			if n := refreshCount(a.platform); n != 1 {
				t.Errorf("%d refreshes at LINE, want 1", n)
			}
			for i, ans := range answers {
				if ans.status != http.StatusOK || ans.token == "" || ans.token != answers[0].token || ans.cookie == "" {
					t.Fatalf("answer %d: status %d, same token %v, cookie set %v", i, ans.status, ans.token == answers[0].token, ans.cookie != "")
				}
			}
			// Every answered cookie works, on the other instance too, and
			// holds the new token: no second renewal.
			for i, ans := range answers {
				for _, app := range []*testApp{a, b} {
					if got := tokenWith(t, app, ans.cookie); got.status != http.StatusOK || got.token != answers[0].token {
						t.Fatalf("cookie of answer %d: status %d, new token %v", i, got.status, got.token == answers[0].token)
					}
				}
			}
			if n := refreshCount(a.platform); n != 1 {
				t.Errorf("%d refreshes at LINE after using the renewed cookies, want 1", n)
			}
			if store != nil {
				list, err := store.List(context.Background(), a.user.ID)
				if err != nil || len(list) != 1 {
					t.Errorf("the user's session list after 100 renewals: %d sessions (%v), want 1", len(list), err)
				}
			}
		})
	}
}

// TestRedis_LogoutRacingRenewalsLeavesNoSession: a logout while 50
// requests renew the session's token (and LINE cannot revoke it, so the
// renewal at LINE succeeds) ends the login for good: afterwards
// no cookie of it (the original, or any a renewal answered) works on
// another instance, and the user's session list is empty.
func TestRedis_LogoutRacingRenewalsLeavesNoSession(t *testing.T) {
	url := redistest.URL(t)
	for trial := range 5 {
		// Instances of their own for each trial: the clock moves a month
		// ahead in each, and a login needs it near LINE's.
		clock := testkit.NewClock(time.Now())
		prefix := redistest.Prefix()
		keys := [][]byte{session.GenerateKey()}
		store := newTestRedisStore(t, url, prefix)
		a := newTestApp(t, withTokens(clock), withKeys(keys...), withStore(store))
		b := newTestApp(t, withTokens(clock), withKeys(keys...), withStore(newTestRedisStore(t, url, prefix)), sameChannelAs(a))
		br := a.browser()
		br.mustLogin()
		value := br.sessionValue(a)
		refreshes := refreshCount(a.platform)
		clock.Advance(linetest.DefaultAccessTokenTTL - time.Minute)
		a.platform.SetFault(linetest.PathToken, linetest.Fault{Delay: 100 * time.Millisecond})
		// LINE fails to revoke the token at logout, so the refresh in
		// flight still succeeds: only the session store can end the login.
		a.platform.SetFault(linetest.PathRevoke, linetest.Fault{Status: http.StatusServiceUnavailable})
		var logout *http.Response
		answers := renewAll(t, a, value, 50, func() {
			// Log out while LINE is renewing the token.
			eventually(t, 5*time.Second, "a refresh at LINE", func() bool { return refreshCount(a.platform) > refreshes })
			logout = br.logout(a.origin())
		})
		a.platform.ClearFaults()
		if logout.StatusCode != http.StatusSeeOther {
			t.Fatalf("trial %d: logout: status %d", trial, logout.StatusCode)
		}
		usable := 0
		for _, v := range append([]string{value}, cookiesOf(answers)...) {
			if statusWith(t, b, "/api/me", v, false).StatusCode != http.StatusUnauthorized {
				usable++
			}
		}
		if usable > 0 {
			t.Errorf("trial %d: %d cookies of the login still work on another instance after its logout", trial, usable)
		}
		if list, err := store.List(context.Background(), a.user.ID); err != nil || len(list) != 0 {
			t.Errorf("trial %d: the user's session list after the logout: %d sessions (%v), want none", trial, len(list), err)
		}
	}
}

func cookiesOf(answers []tokenAnswer) []string {
	var values []string
	for _, a := range answers {
		if a.cookie != "" {
			values = append(values, a.cookie)
		}
	}
	return values
}
