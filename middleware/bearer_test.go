package middleware_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

// apiCall sends GET path with header set, as a native app would.
func (a *testApp) apiCall(t testing.TB, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.url(path), nil)
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readBody(t, resp)
}

func bearerHeader(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}, "Accept": {"application/json"}}
}

func (a *testApp) accessToken(t testing.TB) string {
	t.Helper()
	tok, err := a.platform.IssueAccessToken(a.user.ID, []string{"openid", "profile"})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestBearer_AccessTokenAuthenticatesNativeApp(t *testing.T) {
	app := newTestApp(t)
	tok := app.accessToken(t)
	resp, body := app.apiCall(t, "/api/me", bearerHeader(tok))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var me contextUser
	json.Unmarshal([]byte(body), &me)
	if me.User.ID != app.user.ID || me.User.DisplayName != app.user.DisplayName || me.Source != "access token" {
		t.Errorf("context: %+v", me)
	}
	// Verify and profile both asked once; the second request is cached.
	app.apiCall(t, "/api/me", bearerHeader(tok))
	if v, p := app.platform.Count(linetest.PathVerify), app.platform.Count(linetest.PathProfile); v != 1 || p != 1 {
		t.Errorf("upstream calls: verify %d, profile %d, want 1 and 1", v, p)
	}
	if resp, _ := app.apiCall(t, "/browser-only", bearerHeader(tok)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bearer on a session-only route: %d, want 401", resp.StatusCode)
	}
	if strings.Contains(app.logs.String(), tok) {
		t.Error("the access token reached the log")
	}
}

// assertInvalidToken checks an RFC 6750 invalid_token answer.
func assertInvalidToken(t *testing.T, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401: %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, `Bearer error="invalid_token"`) {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	if !strings.Contains(body, `"error":"invalid_token"`) {
		t.Errorf("body %s", body)
	}
}

func TestBearer_RefusedTokensGet401(t *testing.T) {
	json := http.Header{"Content-Type": {"application/json"}}
	verifyBody := func(s string) linetest.Fault { return linetest.Fault{Body: s, Header: json} }
	cases := map[string]struct {
		setup func(app *testApp, tok string)
	}{
		"wrong channel": {func(a *testApp, _ string) {
			a.platform.SetFault(linetest.PathVerify, verifyBody(`{"scope":"profile","client_id":"9999999999","expires_in":2591000}`))
		}},
		"expires_in 0": {func(a *testApp, _ string) {
			a.platform.SetFault(linetest.PathVerify, verifyBody(`{"scope":"profile","client_id":"1234567890","expires_in":0}`))
		}},
		"expires_in missing": {func(a *testApp, _ string) {
			a.platform.SetFault(linetest.PathVerify, verifyBody(`{"scope":"profile","client_id":"1234567890"}`))
		}},
		"expires_in a string": {func(a *testApp, _ string) {
			a.platform.SetFault(linetest.PathVerify, verifyBody(`{"scope":"profile","client_id":"1234567890","expires_in":"2591000"}`))
		}},
		"expires_in negative": {func(a *testApp, _ string) {
			a.platform.SetFault(linetest.PathVerify, verifyBody(`{"scope":"profile","client_id":"1234567890","expires_in":-5}`))
		}},
		"expires_in a fraction": {func(a *testApp, _ string) {
			a.platform.SetFault(linetest.PathVerify, verifyBody(`{"scope":"profile","client_id":"1234567890","expires_in":0.5}`))
		}},
		"verify 400": {func(a *testApp, _ string) {
			a.platform.SetFault(linetest.PathVerify, linetest.Fault{Status: 400, Body: `{"error":"invalid_request"}`})
		}},
		"verify 401":  {func(a *testApp, _ string) { a.platform.SetFault(linetest.PathVerify, linetest.Fault{Status: 401}) }},
		"revoked":     {func(a *testApp, tok string) { a.platform.RevokeAccessToken(tok) }},
		"expired":     {func(a *testApp, _ string) { a.platform.ExpireAccessTokens() }},
		"profile 401": {func(a *testApp, _ string) { a.platform.SetFault(linetest.PathProfile, linetest.Fault{Status: 401}) }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			app := newTestApp(t)
			tok := app.accessToken(t)
			tc.setup(app, tok)
			resp, body := app.apiCall(t, "/api/me", bearerHeader(tok))
			assertInvalidToken(t, resp, body)
			if resp, _ := app.apiCall(t, "/", bearerHeader(tok)); resp.StatusCode != http.StatusOK {
				t.Errorf("public route with a refused token: %d, want 200 (anonymous)", resp.StatusCode)
			}
		})
	}
	t.Run("unknown token", func(t *testing.T) {
		app := newTestApp(t)
		resp, body := app.apiCall(t, "/api/me", bearerHeader("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"))
		assertInvalidToken(t, resp, body)
	})
}

func TestBearer_MalformedHeadersGet400(t *testing.T) {
	app := newTestApp(t)
	for name, h := range map[string]http.Header{
		"no token":        {"Authorization": {"Bearer"}},
		"empty token":     {"Authorization": {"Bearer "}},
		"two tokens":      {"Authorization": {"Bearer a b"}},
		"bad characters":  {"Authorization": {"Bearer a\"b"}},
		"non-ASCII":       {"Authorization": {"Bearer tök"}},
		"too long":        {"Authorization": {"Bearer " + strings.Repeat("a", 9000)}},
		"ID token spaces": {middleware.HeaderIDToken: {"a b"}},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := app.apiCall(t, "/api/me", h)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_request"`) {
				t.Errorf("status %d, WWW-Authenticate %q: %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
			}
		})
	}
	if n := app.platform.Count(linetest.PathVerify); n != 0 {
		t.Errorf("malformed headers reached LINE %d times", n)
	}
}

// A 429 from LINE starts a back-off instead (TestFlood_LINE429BacksOff).
func TestBearer_LINEUnavailableGives503NeverFailOpen(t *testing.T) {
	for name, fault := range map[string]linetest.Fault{
		"verify 500":  {Status: 500},
		"verify HTML": {Body: "<html>", Header: http.Header{"Content-Type": {"text/html"}}},
		"verify hang": {Delay: 10 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			app := newTestApp(t, func(c *middleware.Config) { c.LINE.Timeout = 300 * time.Millisecond })
			tok := app.accessToken(t)
			app.platform.SetFault(linetest.PathVerify, fault)
			start := time.Now()
			resp, body := app.apiCall(t, "/api/me", bearerHeader(tok))
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "temporarily_unavailable") {
				t.Errorf("status %d: %s", resp.StatusCode, body)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			app.platform.ClearFaults()
			if resp, _ := app.apiCall(t, "/api/me", bearerHeader(tok)); resp.StatusCode != http.StatusOK {
				t.Errorf("after LINE recovered: %d", resp.StatusCode)
			}
		})
	}
	t.Run("profile 500", func(t *testing.T) {
		app := newTestApp(t)
		tok := app.accessToken(t)
		app.platform.SetFault(linetest.PathProfile, linetest.Fault{Status: 500})
		if resp, body := app.apiCall(t, "/api/me", bearerHeader(tok)); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status %d: %s", resp.StatusCode, body)
		}
	})
	t.Run("LINE down", func(t *testing.T) {
		app := newTestApp(t)
		tok := app.accessToken(t)
		app.platform.Close()
		if resp, body := app.apiCall(t, "/api/me", bearerHeader(tok)); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status %d: %s", resp.StatusCode, body)
		}
	})
}

func TestBearer_CacheExpiresAndIsBounded(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, func(c *middleware.Config) {
		c.Now = clock.Now
		c.Bearer.CacheTTL = 5 * time.Minute
		c.Bearer.CacheSize = 2
	})
	tok := app.accessToken(t)
	app.apiCall(t, "/api/me", bearerHeader(tok))
	app.apiCall(t, "/api/me", bearerHeader(tok))
	if n := app.platform.Count(linetest.PathVerify); n != 1 {
		t.Fatalf("verify calls within the TTL: %d, want 1", n)
	}
	clock.Advance(5*time.Minute + time.Second)
	app.platform.RevokeAccessToken(tok)
	resp, body := app.apiCall(t, "/api/me", bearerHeader(tok))
	assertInvalidToken(t, resp, body) // re-verified after the TTL: revocation seen
	if n := app.platform.Count(linetest.PathVerify); n != 2 {
		t.Errorf("verify calls after the TTL: %d, want 2", n)
	}
	// Three live tokens through a cache of two: the first is evicted.
	toks := []string{app.accessToken(t), app.accessToken(t), app.accessToken(t)}
	for _, tk := range toks {
		app.apiCall(t, "/api/me", bearerHeader(tk))
	}
	before := app.platform.Count(linetest.PathVerify)
	app.apiCall(t, "/api/me", bearerHeader(toks[0]))
	if app.platform.Count(linetest.PathVerify) != before+1 {
		t.Error("the least recently used token was not evicted")
	}
}

func TestBearer_ConcurrentMissesMakeOneUpstreamPair(t *testing.T) {
	app := newTestApp(t)
	tok := app.accessToken(t)
	// Slow LINE down so that all requests miss the cache together.
	app.platform.SetFault(linetest.PathVerify, linetest.Fault{Delay: 300 * time.Millisecond})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000}}
	defer client.CloseIdleConnections()
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, app.url("/api/me"), nil)
			req.Header = bearerHeader(tok)
			resp, err := client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[http.StatusOK] != 1000 {
		t.Errorf("statuses: %v, want 1000 × 200", statuses)
	}
	if v, p := app.platform.Count(linetest.PathVerify), app.platform.Count(linetest.PathProfile); v != 1 || p != 1 {
		t.Errorf("1000 concurrent requests made %d verify and %d profile calls, want 1 and 1", v, p)
	}
}

func idTokenHeader(tok string) http.Header {
	return http.Header{middleware.HeaderIDToken: {tok}, "Accept": {"application/json"}}
}

func TestIDTokenHeader_LIFFToken(t *testing.T) {
	app := newTestApp(t)
	tok, err := app.platform.IssueLIFFIDToken(app.user.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := app.apiCall(t, "/api/me", idTokenHeader(tok))
	var me contextUser
	json.Unmarshal([]byte(body), &me)
	if resp.StatusCode != http.StatusOK || me.User.ID != app.user.ID || me.Source != "ID token" {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	claims := func(mutate func(map[string]any)) map[string]any {
		c := map[string]any{
			"iss": app.platform.Issuer(), "sub": app.user.ID, "aud": app.platform.ChannelID(),
			"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
		}
		mutate(c)
		return c
	}
	for name, tc := range map[string]struct {
		alg    string
		mutate func(map[string]any)
		want   int
	}{
		"HS256 with the channel secret": {"HS256", func(map[string]any) {}, http.StatusOK},
		"other audience":                {"ES256", func(c map[string]any) { c["aud"] = "9999999999" }, http.StatusUnauthorized},
		"expired":                       {"ES256", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }, http.StatusUnauthorized},
		"other issuer":                  {"ES256", func(c map[string]any) { c["iss"] = "https://evil.example" }, http.StatusUnauthorized},
		"alg none":                      {"none", func(map[string]any) {}, http.StatusUnauthorized},
	} {
		t.Run(name, func(t *testing.T) {
			forged, err := app.platform.SignIDToken(map[string]any{"alg": tc.alg, "typ": "JWT"}, claims(tc.mutate))
			if err != nil {
				t.Fatal(err)
			}
			resp, body := app.apiCall(t, "/api/me", idTokenHeader(forged))
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
		})
	}
	t.Run("JWKS unreachable", func(t *testing.T) {
		app := newTestApp(t)
		tok, _ := app.platform.IssueLIFFIDToken(app.user.ID, "")
		app.platform.SetFault(linetest.PathCerts, linetest.Fault{Status: 500})
		if resp, body := app.apiCall(t, "/api/me", idTokenHeader(tok)); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503: %s", resp.StatusCode, body)
		}
	})
}

func TestIDTokenHeader_NonceSuppliedByApp(t *testing.T) {
	app := newTestApp(t, func(c *middleware.Config) {
		c.Bearer.IDTokenNonce = func(*http.Request) string { return "server-nonce" }
	})
	good, _ := app.platform.IssueLIFFIDToken(app.user.ID, "server-nonce")
	bad, _ := app.platform.IssueLIFFIDToken(app.user.ID, "client-chosen")
	none, _ := app.platform.IssueLIFFIDToken(app.user.ID, "")
	if resp, body := app.apiCall(t, "/api/me", idTokenHeader(good)); resp.StatusCode != http.StatusOK {
		t.Errorf("matching nonce: %d %s", resp.StatusCode, body)
	}
	for _, tok := range []string{bad, none} {
		resp, body := app.apiCall(t, "/api/me", idTokenHeader(tok))
		assertInvalidToken(t, resp, body)
	}
}

func TestIDTokenHeader_LINEVerifierAlternative(t *testing.T) {
	var app *testApp
	app = newTestApp(t, func(c *middleware.Config) {
		c.Bearer.IDTokenVerifier = lineVerifier{app: &app}
	})
	tok, _ := app.platform.IssueLIFFIDToken(app.user.ID, "")
	resp, body := app.apiCall(t, "/api/me", idTokenHeader(tok))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if app.platform.Count(linetest.PathVerify) != 1 || app.platform.Count(linetest.PathCerts) != 0 {
		t.Errorf("verify %d, certs %d: want LINE's endpoint, not the JWKS", app.platform.Count(linetest.PathVerify), app.platform.Count(linetest.PathCerts))
	}
	expired, _ := app.platform.SignIDToken(map[string]any{"alg": "ES256"}, map[string]any{
		"iss": app.platform.Issuer(), "sub": app.user.ID, "aud": app.platform.ChannelID(),
		"exp": time.Now().Add(-time.Hour).Unix(), "iat": time.Now().Add(-2 * time.Hour).Unix(),
	})
	resp, body = app.apiCall(t, "/api/me", idTokenHeader(expired))
	assertInvalidToken(t, resp, body)
}

// lineVerifier defers to callback.LINEVerifier with the app's client,
// which exists only once the app is built.
type lineVerifier struct{ app **testApp }

func (v lineVerifier) VerifyIDToken(ctx context.Context, raw, nonce string) (*callback.User, error) {
	return callback.LINEVerifier{Client: (*v.app).auth.Client()}.VerifyIDToken(ctx, raw, nonce)
}
