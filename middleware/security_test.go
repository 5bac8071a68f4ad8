package middleware_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// This file attacks the middleware from the three sides of issue 8: the
// browser (forged callbacks, tampered and tossed cookies, open redirects,
// Host headers), the network (a slow, hostile or broken LINE) and resource
// exhaustion (huge values, many flows, many logins, leaked goroutines).
// Each test fails if the security rule it names breaks.

// send sends one request with exactly the given cookies: no jar, no
// redirects followed, the app's TLS trust when it is on https.
func (a *testApp) send(t testing.TB, req *http.Request, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	for _, c := range cookies {
		req.AddCookie(c)
	}
	var rt http.RoundTripper = http.DefaultTransport
	if a.srv.TLS != nil {
		rt = a.srv.Client().Transport
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func newRequest(t testing.TB, method, rawURL string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	return req
}

// jarCookie returns the browser's cookie called name for the app.
func (b *browser) jarCookie(name string) *http.Cookie {
	u, _ := url.Parse(b.app.url("/"))
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// deletes reports whether resp expires the cookie called name.
func deletes(resp *http.Response, name string) bool {
	c := setCookie(resp, name)
	return c != nil && c.MaxAge < 0
}

// TestSecurity_LoginCSRFWithAttackersCallbackFails: an attacker who sends a
// victim to the callback URL of the attacker's own login (RFC 9700 4.7,
// login CSRF) gets a "try again" page in the victim's browser, the code is
// never exchanged, the victim is not logged in as the attacker, and the
// victim's own login still works.
func TestSecurity_LoginCSRFWithAttackersCallbackFails(t *testing.T) {
	app := newTestApp(t)
	for name, ownLogin := range map[string]bool{"victim has no login in progress": false, "victim has a login in progress": true} {
		t.Run(name, func(t *testing.T) {
			attacker := app.browser()
			attackersCallback := attacker.authorize(attacker.startLogin("/"))
			victim := app.browser()
			var own *url.URL
			if ownLogin {
				own = victim.authorize(victim.startLogin("/mine"))
			}
			before := app.platform.Count(linetest.PathToken)
			assertRejected(t, victim.get(attackersCallback.String()), http.StatusBadRequest, "Please try again")
			if n := app.platform.Count(linetest.PathToken) - before; n != 0 {
				t.Errorf("the attacker's code was exchanged %d times in the victim's browser", n)
			}
			if status, _ := victim.me(); status != http.StatusUnauthorized {
				t.Errorf("victim logged in by the attacker's callback: /api/me %d", status)
			}
			if own != nil {
				resp := victim.get(own.String())
				if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/mine" {
					t.Errorf("victim's own login after the attack: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
				}
			}
			// The control: in the attacker's own browser the same URL works.
			if resp := attacker.get(attackersCallback.String()); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("the attacker's callback in the attacker's browser: %d", resp.StatusCode)
			}
		})
	}
}

// TestSecurity_CodeInjectionWithOtherFlowsStateFails: a code stolen from a
// victim's login (a leaked Referer, a log) and injected into the attacker's
// own flow in another browser (RFC 9700 4.5) is refused: LINE binds the
// code to the victim's PKCE challenge and the ID token to the victim's
// nonce.
func TestSecurity_CodeInjectionWithOtherFlowsStateFails(t *testing.T) {
	app := newTestApp(t)
	victim := app.browser()
	victimsCallback := victim.authorize(victim.startLogin("/"))
	attacker := app.browser()
	injected := attacker.authorize(attacker.startLogin("/"))
	q := injected.Query()
	q.Set("code", victimsCallback.Query().Get("code"))
	injected.RawQuery = q.Encode()

	assertRejected(t, attacker.get(injected.String()), http.StatusBadRequest, "try again")
	if status, _ := attacker.me(); status != http.StatusUnauthorized {
		t.Fatalf("the attacker is logged in with the victim's code: %d", status)
	}
	if !strings.Contains(app.logs.String(), "invalid_grant") {
		t.Errorf("the refusal did not come from LINE's PKCE check: %s", app.logs.String())
	}
}

// TestSecurity_FlowCookieIsBoundToItsState: a flow cookie only answers for
// the state in its own name, under the app's own keys: swapped, forged or
// foreign values are "try again" and the token endpoint is never called.
func TestSecurity_FlowCookieIsBoundToItsState(t *testing.T) {
	app := newTestApp(t)
	other := newTestApp(t) // another deployment, other keys
	b := app.browser()
	cbA := b.authorize(b.startLogin("/a"))
	cbB := b.authorize(b.startLogin("/b"))
	stateA, stateB := cbA.Query().Get("state"), cbB.Query().Get("state")
	valueA := b.jarCookie(flowCookiePrefix + stateA).Value
	sessionBrowser := app.browser()
	sessionBrowser.mustLogin()
	ob := other.browser()
	cbOther := ob.authorize(ob.startLogin("/"))
	otherState := cbOther.Query().Get("state")
	otherValue := ob.jarCookie(flowCookiePrefix + otherState).Value

	cases := map[string]struct {
		callback *url.URL
		cookie   *http.Cookie
	}{
		"A's value under B's name": {cbB, &http.Cookie{Name: flowCookiePrefix + stateB, Value: valueA}},
		"a forged value":           {cbB, &http.Cookie{Name: flowCookiePrefix + stateB, Value: base64.URLEncoding.EncodeToString([]byte(`{"s":"` + stateB + `"}`))}},
		"another deployment's flow": {
			withHost(cbOther, cbB.Host),
			&http.Cookie{Name: flowCookiePrefix + otherState, Value: otherValue},
		},
		"a session value as a flow": {cbB, &http.Cookie{Name: flowCookiePrefix + stateB, Value: sessionBrowser.jarCookie(sessionCookie).Value}},
		"A's flow, B's state":       {cbB, &http.Cookie{Name: flowCookiePrefix + stateA, Value: valueA}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := app.platform.Count(linetest.PathToken)
			resp := app.send(t, newRequest(t, http.MethodGet, tc.callback.String(), nil), tc.cookie)
			assertRejected(t, resp, http.StatusBadRequest, "Please try again")
			if n := app.platform.Count(linetest.PathToken) - before; n != 0 {
				t.Errorf("token endpoint called %d times", n)
			}
		})
	}
	// The control: the browser's own cookies finish B.
	if resp := b.get(cbB.String()); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("control: B with its own cookie: %d", resp.StatusCode)
	}
}

func withHost(u *url.URL, host string) *url.URL {
	c := *u
	c.Host = host
	return &c
}

// TestSecurity_MixUpIssParameterIsIgnored: LINE sends no iss in its
// authorization response, so an iss an attacker adds (RFC 9700 4.4, mix-up)
// changes nothing: the code goes to the configured token endpoint, the
// login completes, and the attacker's server gets no request.
func TestSecurity_MixUpIssParameterIsIgnored(t *testing.T) {
	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"evil","token_type":"Bearer","expires_in":3600,"id_token":"evil"}`)
	}))
	defer evil.Close()
	app := newTestApp(t)
	for _, iss := range []string{evil.URL, "https://evil.example", app.platform.Issuer()} {
		b := app.browser()
		cb := b.authorize(b.startLogin("/orders"))
		q := cb.Query()
		q.Set("iss", iss)
		cb.RawQuery = q.Encode()
		before := app.platform.Count(linetest.PathToken)
		resp := b.get(cb.String())
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders" {
			t.Errorf("iss=%s: callback %d to %q, want 303 to /orders", iss, resp.StatusCode, resp.Header.Get("Location"))
		}
		if n := app.platform.Count(linetest.PathToken) - before; n != 1 {
			t.Errorf("iss=%s: %d token requests to LINE, want 1", iss, n)
		}
		if _, me := b.me(); me.User == nil || me.User.ID != app.user.ID {
			t.Errorf("iss=%s: user %+v", iss, me.User)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the attacker's issuer got %d requests", n)
	}
}

// TestSecurity_PKCEDowngradeFails: every login asks for S256 with the
// challenge of the verifier the token request carries; an authorize request
// stripped of PKCE or switched to plain (RFC 9700 4.8, PKCE downgrade) does
// not end in a session.
func TestSecurity_PKCEDowngradeFails(t *testing.T) {
	app := newTestApp(t)
	t.Run("challenge is S256 of the verifier sent", func(t *testing.T) {
		for range 5 {
			b := app.browser()
			authz := b.startLogin("")
			if m := authz.Query().Get("code_challenge_method"); m != "S256" || strings.Contains(authz.RawQuery, "plain") {
				t.Fatalf("code_challenge_method %q in %s", m, authz.RawQuery)
			}
			app.platform.ResetRequests()
			if resp := b.get(b.authorize(authz).String()); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			var verifier string
			for _, r := range app.platform.Requests() {
				if r.Path == linetest.PathToken {
					verifier = r.Form.Get("code_verifier")
				}
			}
			sum := sha256.Sum256([]byte(verifier))
			if verifier == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != authz.Query().Get("code_challenge") {
				t.Fatalf("verifier %q does not match the challenge %q", verifier, authz.Query().Get("code_challenge"))
			}
		}
	})
	for name, tc := range map[string]struct {
		tamper  func(q url.Values)
		message string
	}{
		// LINE issues a code without PKCE; the verifier the app sends
		// then fails at the token endpoint.
		"challenge stripped": {func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, "Please try again"},
		// LINE refuses anything but S256 and says so at the callback.
		"method plain":   {func(q url.Values) { q.Set("code_challenge_method", "plain") }, "LINE refused this login"},
		"method missing": {func(q url.Values) { q.Del("code_challenge_method") }, "LINE refused this login"},
	} {
		t.Run(name, func(t *testing.T) {
			b := app.browser()
			authz := b.startLogin("")
			q := authz.Query()
			tc.tamper(q)
			authz.RawQuery = q.Encode()
			resp := b.get(b.authorize(authz).String())
			assertRejected(t, resp, http.StatusBadRequest, tc.message)
			if status, _ := b.me(); status != http.StatusUnauthorized {
				t.Errorf("logged in after a PKCE downgrade: %d", status)
			}
		})
	}
}

// TestSecurity_RejectedCallbackSpendsTheFlow: whatever makes a callback
// fail, the answer expires the flow's cookie, sets no session and is not
// cacheable, and the same callback cannot be tried again.
func TestSecurity_RejectedCallbackSpendsTheFlow(t *testing.T) {
	var refuse atomic.Bool
	app := newTestApp(t, func(c *middleware.Config) {
		c.LINE.Timeout = 500 * time.Millisecond
		c.OnLogin = func(context.Context, *callback.Login) error {
			if refuse.Load() {
				return errors.New("banned")
			}
			return nil
		}
	})
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	cases := map[string]struct {
		arrange func()
		status  int
		message string
	}{
		"ID token forged": {func() {
			app.platform.SetIDTokenHook(func(h, _ map[string]any) { h["alg"] = "none" })
		}, http.StatusUnauthorized, "could not be verified"},
		"token endpoint 500": {func() {
			app.platform.SetFault(linetest.PathToken, linetest.Fault{Status: 500, Times: 1})
		}, http.StatusBadGateway, "not responding"},
		"token endpoint hangs": {func() {
			app.platform.SetFault(linetest.PathToken, linetest.Fault{Delay: 5 * time.Second, Times: 1})
		}, http.StatusBadGateway, "not responding"},
		"code rejected": {func() {
			app.platform.SetFault(linetest.PathToken, linetest.Fault{Status: 400, Body: `{"error":"invalid_grant"}`, Header: jsonHeader, Times: 1})
		}, http.StatusBadRequest, "try again"},
		"LINE's error": {func() {
			app.platform.SetAuthorizeError("ACCESS_DENIED", "denied")
		}, http.StatusForbidden, "Login cancelled"},
		"OnLogin refuses": {func() { refuse.Store(true) }, http.StatusForbidden, "cannot log in"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				app.platform.SetIDTokenHook(nil)
				app.platform.ClearFaults()
				app.platform.SetAuthorizeError("", "")
				refuse.Store(false)
			}()
			b := app.browser()
			authz := b.startLogin("/x")
			state := authz.Query().Get("state")
			tc.arrange()
			cb := b.authorize(authz)
			resp := b.get(cb.String())
			if !deletes(resp, flowCookiePrefix+state) {
				t.Errorf("the flow cookie was not spent: %v", resp.Header.Values("Set-Cookie"))
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			assertRejected(t, resp, tc.status, tc.message)
			before := app.platform.Count(linetest.PathToken)
			replay := b.get(cb.String())
			if replay.StatusCode < 400 || replay.StatusCode >= 500 {
				t.Errorf("replayed callback: status %d, want 4xx", replay.StatusCode)
			}
			if c := setCookie(replay, sessionCookie); c != nil && c.MaxAge >= 0 {
				t.Error("the replayed callback set a session cookie")
			}
			if n := app.platform.Count(linetest.PathToken) - before; n != 0 {
				t.Errorf("the replayed callback reached the token endpoint %d times", n)
			}
		})
	}
}

// offSiteRedirects are open-redirect payloads from the lists other proxies
// keep (oauth2-proxy, Keycloak, PayloadsAllTheThings), beyond those of
// returnto_test.go: each must leave the browser on the app's origin.
var offSiteRedirects = []string{
	"/\\/evil.example", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example",
	"/%09/evil.example", "/%5C%5Cevil.example", "/%2F%2Fevil.example", "/%2f%5cevil.example",
	"////evil.example", "\\/evil.example", "\\\\evil.example", "/\\\\evil.example",
	"https:evil.example", "https:/\\evil.example", "http:\\\\evil.example", "HTTPS://evil.example",
	"//evil%E3%80%82example", "//evil.example:443", "//127.0.0.1", "//0x7f000001", "//[::1]",
	"//evil.example\\@app.example", "http://app.example@evil.example", "//evil.example/%2e%2e",
	"/\u2215\u2215evil.example", "\uff0f\uff0fevil.example", "/\ufe68evil.example", "/\u29f5evil.example",
	"/\u202e/evil.example", "/\u200b/evil.example", "/\u00a0/evil.example", "/\u3000/evil.example",
	"/\x7f/evil.example", "/\x0b/evil.example", "/\x0c/evil.example", "/\x00/evil.example",
	"/.//evil.example", "/..//evil.example", "/x/..//evil.example", "/./\\evil.example",
	"/%2e%2e/%2f%2fevil.example", "/%252f%252fevil.example", "%2f%2fevil.example", "%5c%5cevil.example",
	"javascript://%0aalert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)", "data:,x", " //evil.example",
	"/" + strings.Repeat("/", 1000) + "evil.example", "/@evil.example", "/;@evil.example", "/#//evil.example",
}

// browserLocation resolves a Location header as a browser does (the
// WHATWG URL parser): tabs and newlines removed, leading and trailing
// controls and spaces trimmed, backslashes read as slashes.
func browserLocation(base *url.URL, loc string) (*url.URL, error) {
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= 0x20 })
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(loc)
	ref, err := url.Parse(loc)
	if err != nil {
		return nil, err
	}
	return base.ResolveReference(ref), nil
}

// TestSecurity_OpenRedirectPayloadsNeverLeaveTheSite logs in with each
// payload as return_to: the callback's redirect, read as a browser reads
// it, stays on the app's origin.
func TestSecurity_OpenRedirectPayloadsNeverLeaveTheSite(t *testing.T) {
	app := newTestApp(t)
	base, _ := url.Parse(app.url("/"))
	b := app.browser()
	for _, payload := range append([]string{"/orders?id=7"}, offSiteRedirects...) {
		if got := middleware.SafeReturnTo(payload); got != "/" && (!strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//")) {
			t.Errorf("SafeReturnTo(%q) = %q", payload, got)
		}
		resp := b.login(payload)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("return_to %q: callback status %d", payload, resp.StatusCode)
			continue
		}
		u, err := browserLocation(base, loc)
		if err != nil || u.Scheme != base.Scheme || u.Host != base.Host {
			t.Errorf("return_to %q: redirected to %q, which a browser reads as %v (%v)", payload, loc, u, err)
		}
		if strings.ContainsAny(loc, "\\\t\r\n") || strings.HasPrefix(loc, "//") {
			t.Errorf("return_to %q: Location %q", payload, loc)
		}
	}
	if got := b.login("/orders?id=7").Header.Get("Location"); got != "/orders?id=7" {
		t.Errorf("control: a local path became %q", got)
	}
}

// TestSecurity_HostHeaderCannotRedirectOffSite: the app's origin comes
// from its configuration, never from Host or X-Forwarded-*: a poisoned Host
// (cache poisoning, DNS rebinding) changes neither the redirect_uri sent to
// LINE, nor where the browser lands, nor what logout accepts.
func TestSecurity_HostHeaderCannotRedirectOffSite(t *testing.T) {
	app := newTestApp(t)
	poison := func(req *http.Request) *http.Request {
		req.Host = "evil.example"
		req.Header.Set("X-Forwarded-Host", "evil.example")
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("Forwarded", "host=evil.example;proto=https")
		return req
	}
	resp := app.send(t, poison(newRequest(t, http.MethodGet, app.url("/login?return_to=/orders"), nil)))
	authz, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("/login: %d %v", resp.StatusCode, err)
	}
	if got := authz.Query().Get("redirect_uri"); got != app.url("/callback") {
		t.Errorf("redirect_uri %q, want the configured %q", got, app.url("/callback"))
	}
	flows := setCookiesWithPrefix(resp, flowCookiePrefix)
	if len(flows) != 1 {
		t.Fatal("no flow cookie")
	}

	resp = app.send(t, poison(newRequest(t, http.MethodGet, app.url("/me"), nil)))
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login?") {
		t.Errorf("RequireLINEUser redirects to %q", loc)
	}

	cb := authorizeAsBrowser(t, app, authz)
	resp = app.send(t, poison(newRequest(t, http.MethodGet, cb.String(), nil)), flows[0])
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/orders" {
		t.Errorf("callback: %d to %q, want 303 to /orders", resp.StatusCode, loc)
	}
	sess := setCookie(resp, sessionCookie)
	if sess == nil {
		t.Fatal("no session")
	}

	// DNS rebinding: a page on evil.example posting to the app's address.
	logout := poison(newRequest(t, http.MethodPost, app.url("/logout"), nil))
	logout.Header.Set("Origin", "https://evil.example")
	if resp := app.send(t, logout, sess); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout with Origin and Host evil.example: %d, want 403", resp.StatusCode)
	}
}

// authorizeAsBrowser visits LINE's authorize URL without cookies and
// returns the callback URL.
func authorizeAsBrowser(t *testing.T, app *testApp, authz *url.URL) *url.URL {
	t.Helper()
	resp, err := http.DefaultTransport.RoundTrip(newRequest(t, http.MethodGet, authz.String(), nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %v", resp.StatusCode, err)
	}
	return cb
}

// TestSecurity_LINEErrorTextCannotInjectMarkupOrLogLines: whatever text an
// attacker puts in LINE's error parameters (anyone can craft a callback
// URL), the page shows it escaped and every log line stays one record.
func TestSecurity_LINEErrorTextCannotInjectMarkupOrLogLines(t *testing.T) {
	app := newTestApp(t)
	payloads := []string{
		`<script>alert(1)</script>`,
		`"><img src=x onerror=alert(1)>`,
		`'><svg/onload=alert(1)>`,
		"\r\ntime=2030-01-01 level=ERROR msg=forged\r\n",
		`{{.Title}}{{template "error"}}`,
		"\u202e<b>rtl</b>",
	}
	for _, param := range []string{"error", "error_description", "errorCode", "errorMessage"} {
		for _, p := range payloads {
			b := app.browser()
			cb := b.authorize(b.startLogin(""))
			q := url.Values{"state": {cb.Query().Get("state")}, "error": {"ACCESS_DENIED"}}
			q.Set(param, p)
			cb.RawQuery = q.Encode()
			resp := b.get(cb.String())
			body := readBody(t, resp)
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("%s=%q: status %d", param, p, resp.StatusCode)
			}
			for _, raw := range []string{"<script>alert", "<img src=x", "<svg/onload", "<b>rtl"} {
				if strings.Contains(body, raw) {
					t.Errorf("%s=%q: the page shows %q unescaped", param, p, raw)
				}
			}
		}
	}
	for i, line := range strings.Split(strings.TrimSpace(app.logs.String()), "\n") {
		if !strings.HasPrefix(line, "time=") {
			t.Errorf("log line %d is not a record of its own (forged?): %q", i, line)
		}
	}
}

// TestSecurity_CallbackErrorCodeIsLoggedOnlyAsACode: LINE's error text is
// logged as a code, never echoed raw. The error parameter of a callback is
// whatever the URL's author wrote: a value not shaped like one of LINE's
// codes must not reach the log as it came.
func TestSecurity_CallbackErrorCodeIsLoggedOnlyAsACode(t *testing.T) {
	app := newTestApp(t)
	for name, value := range map[string]string{
		"markup":           "<script>alert('log-viewer')</script>",
		"2 KB of text":     "Z" + strings.Repeat("z", 2000),
		"a forged record":  "ACCESS_DENIED level=ERROR msg=forged-record",
		"a token-like URL": "https://evil.example/?access_token=canary-in-error",
		"v2.0 errorCode":   "", // set below
	} {
		t.Run(name, func(t *testing.T) {
			b := app.browser()
			cb := b.authorize(b.startLogin(""))
			q := url.Values{"state": {cb.Query().Get("state")}}
			needle := value
			if value == "" {
				needle = "417<svg onload=alert(1)>"
				q.Set("errorCode", needle)
				q.Set("errorMessage", "DISALLOWED")
			} else {
				q.Set("error", value)
			}
			cb.RawQuery = q.Encode()
			resp := b.get(cb.String())
			if resp.StatusCode < 400 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			logs := app.logs.String()
			for _, frag := range []string{needle[:min(len(needle), 40)], "alert(", "forged-record", "canary-in-error"} {
				if strings.Contains(needle, frag) && strings.Contains(logs, frag) {
					t.Errorf("the log carries the callback's error text %.40q: %.200s", frag, lineWith(logs, frag))
				}
			}
		})
	}
	// The control: a code shaped like LINE's is logged.
	b := app.browser()
	cb := b.authorize(b.startLogin(""))
	cb.RawQuery = url.Values{"state": {cb.Query().Get("state")}, "error": {"INVALID_SCOPE"}}.Encode()
	b.get(cb.String())
	if !strings.Contains(app.logs.String(), "INVALID_SCOPE") {
		t.Error("control: LINE's code is not logged")
	}
}

// TestSecurity_HugeCallbackValuesAreRejectedCheaply: oversized query values
// are dropped before anything is looked up or sent, quickly, with a small
// page; an oversized return_to at /login still gives a small flow cookie
// and lands on "/".
func TestSecurity_HugeCallbackValuesAreRejectedCheaply(t *testing.T) {
	app := newTestApp(t)
	big := strings.Repeat("a", 200<<10)
	for name, query := range map[string]func(state string) string{
		"state of 200 KB":             func(string) string { return "code=c&state=" + big },
		"code of 200 KB":              func(s string) string { return "state=" + s + "&code=" + big },
		"error of 200 KB":             func(s string) string { return "state=" + s + "&error=" + big },
		"error_description of 200 KB": func(s string) string { return "state=" + s + "&error=E&error_description=" + big },
		"20000 parameters":            func(s string) string { return strings.Repeat("a=1&", 20000) + "state=" + s },
		"20000 states":                func(s string) string { return strings.Repeat("state="+s+"&", 20000) },
	} {
		t.Run(name, func(t *testing.T) {
			b := app.browser()
			cb := b.authorize(b.startLogin(""))
			cb.RawQuery = query(cb.Query().Get("state"))
			before := app.platform.Count(linetest.PathToken)
			start := time.Now()
			resp := b.get(cb.String())
			body := readBody(t, resp)
			if d := time.Since(start); d > 3*time.Second { // a hang detector
				t.Errorf("took %v", d)
			}
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("status %d, want 4xx", resp.StatusCode)
			}
			if len(body) > 16<<10 {
				t.Errorf("a page of %d bytes: the value was echoed", len(body))
			}
			if n := app.platform.Count(linetest.PathToken) - before; n != 0 {
				t.Errorf("token endpoint called %d times", n)
			}
			if setCookie(resp, sessionCookie) != nil {
				t.Error("session cookie set")
			}
		})
	}
	t.Run("return_to of 200 KB", func(t *testing.T) {
		b := app.browser()
		resp := b.get(app.url("/login?return_to=/" + big))
		for _, line := range resp.Header.Values("Set-Cookie") {
			if len(line) > 4096 {
				t.Errorf("a Set-Cookie of %d bytes", len(line))
			}
		}
		authz, _ := url.Parse(resp.Header.Get("Location"))
		if got := b.get(b.authorize(authz).String()).Header.Get("Location"); got != "/" {
			t.Errorf("landed on %.40q, want /", got)
		}
	})
}

// formPostCallback runs a form_post login up to LINE's auto-submitting page
// and returns the parameters it would post.
func formPostCallback(t *testing.T, b *browser) url.Values {
	t.Helper()
	resp := b.get(b.startLogin("/fp").String())
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize: %d %s", resp.StatusCode, body)
	}
	v := url.Values{}
	for _, m := range regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	if v.Get("code") == "" || v.Get("state") == "" {
		t.Fatalf("no code or state in the form_post page: %s", body)
	}
	return v
}

// TestSecurity_FormPostCallbackReadsOnlyItsBody: with response_mode
// form_post, parameters put in the callback's query are ignored, and an
// oversized body is refused; with the default query mode, a POST callback
// is refused (no response-mode switch by the attacker).
func TestSecurity_FormPostCallbackReadsOnlyItsBody(t *testing.T) {
	app := newTLSTestApp(t, func(c *middleware.Config) { c.LINE.ResponseMode = callback.ResponseModeFormPost })
	post := func(b *browser, query string, body string) *http.Response {
		return b.do(http.MethodPost, app.url("/callback")+query, http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"},
			"Origin":       {app.platform.AccessURL()},
		}, strings.NewReader(body))
	}
	cases := map[string]func(v url.Values) (query, body string){
		"code and state in the query": func(v url.Values) (string, string) { return "?" + v.Encode(), "" },
		"code in the query":           func(v url.Values) (string, string) { return "?code=" + v.Get("code"), "state=" + v.Get("state") },
		"state in the query":          func(v url.Values) (string, string) { return "?state=" + v.Get("state"), "code=" + v.Get("code") },
		"a body over 64 KB":           func(v url.Values) (string, string) { return "", v.Encode() + "&pad=" + strings.Repeat("p", 1<<20) },
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			b := app.browser()
			v := formPostCallback(t, b)
			query, body := build(v)
			before := app.platform.Count(linetest.PathToken)
			resp := post(b, query, body)
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("status %d, want 4xx", resp.StatusCode)
			}
			if setCookie(resp, "__Host-"+sessionCookie) != nil {
				t.Error("session cookie set")
			}
			if n := app.platform.Count(linetest.PathToken) - before; n != 0 {
				t.Errorf("token endpoint called %d times", n)
			}
		})
	}
	b := app.browser()
	if resp := post(b, "", formPostCallback(t, b).Encode()); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("control: a proper form_post callback: %d", resp.StatusCode)
	}

	queryApp := newTestApp(t)
	qb := queryApp.browser()
	cb := qb.authorize(qb.startLogin(""))
	resp := qb.do(http.MethodPost, queryApp.url("/callback"), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, strings.NewReader(cb.RawQuery))
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST callback to a query-mode app: %d, want 405", resp.StatusCode)
	}
}

// dripServer is a token endpoint that answers one byte per 100 ms, in the
// body or already in the status line, and counts the handlers still
// running (the client must hang up when it gives up).
type dripServer struct {
	*httptest.Server
	active atomic.Int32
}

func newDripServer(t *testing.T, inHeaders bool) *dripServer {
	d := &dripServer{}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.active.Add(1)
		defer d.active.Add(-1)
		const resp = `{"access_token":"a","token_type":"Bearer","expires_in":3600,"id_token":"x"}`
		if inHeaders {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			for _, c := range []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + resp) {
				if _, err := conn.Write([]byte{c}); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(resp)))
		w.WriteHeader(http.StatusOK)
		for _, c := range []byte(resp) {
			if _, err := w.Write([]byte{c}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}))
	t.Cleanup(d.Close)
	return d
}

// waitFor polls cond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSecurity_TokenEndpointSlowDripTimesOut: a token endpoint that keeps
// the connection alive by sending a byte every 100 ms (slowloris in
// reverse) gets a 502 within the configured timeout, and the connection is
// closed.
func TestSecurity_TokenEndpointSlowDripTimesOut(t *testing.T) {
	for name, inHeaders := range map[string]bool{"body": false, "status line and headers": true} {
		t.Run(name, func(t *testing.T) {
			drip := newDripServer(t, inHeaders)
			const timeout = 500 * time.Millisecond
			app := newTestApp(t, func(c *middleware.Config) {
				c.LINE.Timeout = timeout
				c.LINE.APIURL = drip.URL
			})
			b := app.browser()
			cb := b.authorize(b.startLogin(""))
			start := time.Now()
			resp := b.get(cb.String())
			elapsed := time.Since(start)
			assertRejected(t, resp, http.StatusBadGateway, "not responding")
			if elapsed > timeout+time.Second {
				t.Errorf("502 after %v with a %v timeout", elapsed, timeout)
			}
			if !waitFor(2*time.Second, func() bool { return drip.active.Load() == 0 }) {
				t.Error("the client did not hang up on the dripping endpoint")
			}
		})
	}
}

// TestSecurity_TokenEndpoint100MBBodyIsNotRead: a token endpoint streaming
// a 100 MB body is cut off at the size cap: a quick 502, and the client
// stops reading long before the end.
func TestSecurity_TokenEndpoint100MBBodyIsNotRead(t *testing.T) {
	var written atomic.Int64
	done := make(chan struct{}, 1)
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { done <- struct{}{} }()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(100<<20))
		n, _ := io.WriteString(w, `{"access_token":"`)
		written.Add(int64(n))
		chunk := []byte(strings.Repeat("a", 64<<10))
		for written.Load() < 100<<20-int64(len(chunk)) {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer huge.Close()
	app := newTestApp(t, func(c *middleware.Config) {
		c.LINE.Timeout = 5 * time.Second
		c.LINE.APIURL = huge.URL
	})
	b := app.browser()
	cb := b.authorize(b.startLogin(""))
	start := time.Now()
	resp := b.get(cb.String())
	assertRejected(t, resp, http.StatusBadGateway, "not responding")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("502 after %v", d)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the server is still sending: the client never hung up")
	}
	if n := written.Load(); n > 32<<20 {
		t.Errorf("the server got %d MB out before the client hung up; the cap is 1 MB", n>>20)
	}
	t.Logf("the server wrote %.1f MB before the client hung up", float64(written.Load())/(1<<20))
}

// TestSecurity_TokenEndpointRedirectsAreNeverFollowed: no redirect status
// makes the client send the code and the secret to another host.
func TestSecurity_TokenEndpointRedirectsAreNeverFollowed(t *testing.T) {
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer elsewhere.Close()
	app := newTestApp(t)
	for _, status := range []int{301, 302, 303, 307, 308} {
		b := app.browser()
		cb := b.authorize(b.startLogin(""))
		app.platform.SetFault(linetest.PathToken, linetest.Fault{
			Status: status, Header: http.Header{"Location": {elsewhere.URL + "/token"}}, Times: 1,
		})
		assertRejected(t, b.get(cb.String()), http.StatusBadGateway, "not responding")
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
}

// TestSecurity_CertsOutageDuringCallbackIs502: an ES256 ID token whose
// JWKS cannot be fetched is LINE being down (502 within the timeout), not a
// forged token (401), and never a login; once LINE recovers, so do logins.
func TestSecurity_CertsOutageDuringCallbackIs502(t *testing.T) {
	for name, fault := range map[string]linetest.Fault{
		"500":  {Status: http.StatusInternalServerError},
		"HTML": {Body: "<html>", Header: http.Header{"Content-Type": {"text/html"}}},
		"hang": {Delay: 10 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			clock := testkit.NewClock(time.Now())
			app := newTestApp(t, func(c *middleware.Config) {
				c.Now = clock.Now
				c.LINE.Timeout = 500 * time.Millisecond
			})
			app.platform.SetIDTokenHook(func(h, _ map[string]any) { h["alg"] = "ES256" })
			app.platform.SetFault(linetest.PathCerts, fault)
			b := app.browser()
			start := time.Now()
			assertRejected(t, b.login(""), http.StatusBadGateway, "not responding")
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v with a 500ms timeout", d)
			}
			// LINE has recovered: ES256 logins work again within a couple
			// of seconds (a retry backoff is fine, a lock-out is not), and
			// until then they say LINE is unavailable, not that the token
			// is forged.
			app.platform.ClearFaults()
			resp := app.browser().login("")
			if resp.StatusCode != http.StatusBadGateway {
				t.Fatalf("right after LINE recovered: status %d, want 502 while backing off", resp.StatusCode)
			}
			clock.Advance(time.Second) // the JWKS back-off after a failed fetch
			if resp := app.browser().login(""); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("after the back-off: status %d, want 303", resp.StatusCode)
			}
		})
	}
}

// TestSecurity_JunkFlowCookiesAreClearedAndNewestLoginWorks: a browser
// stuffed with 50 unreadable flow cookies (an attacker's cookie bomb from a
// sibling domain, or an old deployment) has them all expired at its next
// /login, and that login works.
func TestSecurity_JunkFlowCookiesAreClearedAndNewestLoginWorks(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	appURL, _ := url.Parse(app.url("/"))
	var junk []*http.Cookie
	for i := range 50 {
		junk = append(junk, &http.Cookie{Name: fmt.Sprintf("%s%032x", flowCookiePrefix, i), Value: strings.Repeat("j", 60), Path: "/"})
	}
	b.client.Jar.SetCookies(appURL, junk)
	resp := b.get(app.url("/login"))
	for _, c := range junk {
		if !deletes(resp, c.Name) {
			t.Fatalf("junk flow cookie %s not expired", c.Name)
		}
	}
	authz, _ := url.Parse(resp.Header.Get("Location"))
	if resp := b.get(b.authorize(authz).String()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login after the cookie bomb: %d", resp.StatusCode)
	}
	if n := len(setCookiesWithPrefix(resp, flowCookiePrefix)); n > 51 {
		t.Errorf("%d flow Set-Cookies", n)
	}
}

// TestSecurity_LogoutNearMissOriginsAreRefused: only the exact origin, or
// Sec-Fetch-Site: same-origin, proves a logout comes from the app's pages.
func TestSecurity_LogoutNearMissOriginsAreRefused(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	b.mustLogin()
	origin := app.srv.URL // http://127.0.0.1:port
	u, _ := url.Parse(origin)
	for name, h := range map[string]http.Header{
		"trailing slash":        {"Origin": {origin + "/"}},
		"with a path":           {"Origin": {origin + "/logout"}},
		"https for http":        {"Origin": {"https://" + u.Host}},
		"upper-case scheme":     {"Origin": {"HTTP://" + u.Host}},
		"no port":               {"Origin": {"http://" + u.Hostname()}},
		"suffix host":           {"Origin": {origin + ".evil.example"}},
		"userinfo":              {"Origin": {"http://evil.example@" + u.Host}},
		"a list of two":         {"Origin": {"https://evil.example " + origin}},
		"localhost for 127":     {"Origin": {"http://localhost:" + u.Port()}},
		"empty origin":          {"Origin": {""}, "Sec-Fetch-Site": {"cross-site"}},
		"fetch-site none":       {"Sec-Fetch-Site": {"none"}},
		"referer only":          {"Referer": {origin + "/account"}},
		"x-requested-with only": {"X-Requested-With": {"XMLHttpRequest"}},
	} {
		if resp := b.logout(h); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, resp.StatusCode)
		}
	}
	if status, _ := b.me(); status != http.StatusOK {
		t.Errorf("a refused logout logged the user out: %d", status)
	}
	if resp := b.logout(app.origin()); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("control: exact origin: %d", resp.StatusCode)
	}
}

// TestSecurity_ReissuedSessionCookieIsNotCacheable: a response that sets a
// session cookie says Cache-Control: no-store, or a shared cache could hand
// one user's session to the next. Key rotation re-issues the cookie on an
// ordinary request, whatever the app's handler does about caching.
func TestSecurity_ReissuedSessionCookieIsNotCacheable(t *testing.T) {
	oldKey, newKey := session.GenerateKey(), session.GenerateKey()
	app := newTestApp(t, func(c *middleware.Config) { c.Session.Keys = [][]byte{oldKey} })
	b := app.browser()
	b.mustLogin()
	old := b.jarCookie(sessionCookie)
	restartWithKeys(t, app, newKey, oldKey)
	for _, path := range []string{"/api/me", "/"} {
		req := newRequest(t, http.MethodGet, app.url(path), nil)
		req.Header.Set("Accept", "application/json")
		resp := app.send(t, req, old)
		if setCookie(resp, sessionCookie) == nil {
			t.Fatalf("%s: the cookie under the old key was not re-issued", path)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("%s re-issues the session cookie with Cache-Control %q, want no-store", path, cc)
		}
	}
}

// TestSecurity_CookieTossingCannotLogInOrShadow: over https, cookies carry
// the __Host- prefix, so a sibling subdomain can neither plant a flow that
// makes the victim finish the attacker's login, nor shadow the victim's
// session with its own cookie.
func TestSecurity_CookieTossingCannotLogInOrShadow(t *testing.T) {
	app := newTLSTestApp(t)
	attacker := app.browser()
	resp := attacker.get(app.url("/login"))
	authz, _ := url.Parse(resp.Header.Get("Location"))
	state := authz.Query().Get("state")
	attackersFlow := attacker.jarCookie("__Host-" + flowCookiePrefix + state)
	if attackersFlow == nil {
		t.Fatal("no __Host- flow cookie")
	}
	cb := attacker.authorize(authz)

	victim := app.browser()
	victim.mustLogin()
	victimsSession := victim.jarCookie("__Host-" + sessionCookie)
	before := app.platform.Count(linetest.PathToken)
	tossed := &http.Cookie{Name: flowCookiePrefix + state, Value: attackersFlow.Value}
	resp = app.send(t, newRequest(t, http.MethodGet, cb.String(), nil), tossed, victimsSession)
	assertRejected(t, resp, http.StatusBadRequest, "Please try again")
	if n := app.platform.Count(linetest.PathToken) - before; n != 0 {
		t.Errorf("the tossed flow reached the token endpoint %d times", n)
	}

	attacker.get(cb.String()) // the attacker's own session
	attackersSession := attacker.jarCookie("__Host-" + sessionCookie)
	req := newRequest(t, http.MethodGet, app.url("/api/me"), nil)
	req.Header.Set("Accept", "application/json")
	resp = app.send(t, req, &http.Cookie{Name: sessionCookie, Value: attackersSession.Value}, victimsSession)
	var me contextUser
	json.NewDecoder(resp.Body).Decode(&me)
	if resp.StatusCode != http.StatusOK || me.User == nil {
		t.Errorf("a tossed bare-name cookie logged the victim out: %d", resp.StatusCode)
	}
}

// TestSecurity_TokenConfusionBetweenBearerAndIDToken: an Authorization
// bearer is always an access token and X-Line-ID-Token always an ID token,
// whatever they look like (LINE's access tokens are JWT-shaped too): a
// valid token of one kind in the other's place, or a session cookie value
// as a bearer, is an invalid token.
func TestSecurity_TokenConfusionBetweenBearerAndIDToken(t *testing.T) {
	app := newTestApp(t)
	access := app.accessToken(t)
	liff, err := app.platform.IssueLIFFIDToken(app.user.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	web, _ := app.platform.SignIDToken(map[string]any{"alg": "HS256"}, map[string]any{
		"iss": app.platform.Issuer(), "sub": app.user.ID, "aud": app.platform.ChannelID(),
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
	})
	b := app.browser()
	b.mustLogin()
	sessionValue := b.jarCookie(sessionCookie).Value

	for name, h := range map[string]http.Header{
		"control: access token as bearer":    bearerHeader(access),
		"control: LIFF ID token as ID token": idTokenHeader(liff),
	} {
		if resp, body := app.apiCall(t, "/api/me", h); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
	for name, h := range map[string]http.Header{
		"LIFF ID token as bearer":      bearerHeader(liff),
		"web ID token as bearer":       bearerHeader(web),
		"session value as bearer":      bearerHeader(sessionValue),
		"access token as ID token":     idTokenHeader(access),
		"session value as ID token":    idTokenHeader(sessionValue),
		"client secret as bearer":      bearerHeader(app.platform.ChannelSecret()),
		"channel access token bearer":  bearerHeader(linetest.DefaultChannelAccessToken),
		"access token with alg none":   bearerHeader(noneAlg(t, access)),
		"LIFF ID token with alg none":  idTokenHeader(noneAlg(t, liff)),
		"access token, signature gone": bearerHeader(access[:strings.LastIndex(access, ".")+1]),
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := app.apiCall(t, "/api/me", h)
			assertInvalidToken(t, resp, body)
		})
	}
}

// noneAlg rewrites a JWT-shaped token's header to alg none and drops its
// signature.
func noneAlg(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("%.20q… is not JWT-shaped", tok)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
}

// leanClient is a browser for goroutines and leak checks: its own cookie
// jar, no redirects followed, and every body read and closed at once, so
// that no connection stays busy after a request.
type leanClient struct{ c *http.Client }

func newLeanClient(rt http.RoundTripper) leanClient {
	jar, _ := cookiejar.New(nil)
	return leanClient{testkit.NoRedirects(&http.Client{Jar: jar, Transport: rt})}
}

func (l leanClient) do(method, u string, header http.Header) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header = header
	resp, err := l.c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func (l leanClient) get(u, accept string) (*http.Response, []byte, error) {
	return l.do(http.MethodGet, u, http.Header{"Accept": {accept}})
}

// login runs /login, LINE's authorize and the callback, and returns the
// callback's status.
func (l leanClient) login(app *testApp) (int, error) {
	resp, _, err := l.get(app.url("/login"), "text/html")
	if err != nil {
		return 0, err
	}
	resp, _, err = l.get(resp.Header.Get("Location"), "text/html")
	if err != nil {
		return 0, err
	}
	resp, _, err = l.get(resp.Header.Get("Location"), "text/html")
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// parallelLogin runs one whole login in its own cookie jar and checks that
// the session it gets is its own: a cookie of its own, that /api/me
// accepts, after a callback that sends it back to the page its own flow
// started from. It reports problems as errors:
// it runs on goroutines that must not call t.Fatal.
func parallelLogin(app *testApp, rt http.RoundTripper, i int) (string, error) {
	get := newLeanClient(rt).get
	resp, _, err := get(app.url(fmt.Sprintf("/login?return_to=/p%d", i)), "text/html")
	if err != nil || resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("login: %v %v", resp, err)
	}
	authz, _ := url.Parse(resp.Header.Get("Location"))
	resp, _, err = get(authz.String(), "text/html")
	if err != nil || resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("authorize: %v %v", resp, err)
	}
	resp, body, err := get(resp.Header.Get("Location"), "text/html")
	if err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/p%d", i) {
		return "", fmt.Errorf("callback: %v %v %.200s", resp, err, body)
	}
	value := setCookie(resp, sessionCookie)
	if value == nil {
		return "", errors.New("no session cookie")
	}
	resp, body, err = get(app.url("/api/me"), "application/json")
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("/api/me: %v %v", resp, err)
	}
	var me contextUser
	if err := json.Unmarshal(body, &me); err != nil {
		return "", err
	}
	if me.User == nil || me.User.ID != app.user.ID {
		return "", fmt.Errorf("/api/me gave %+v, want the login's user", me.User)
	}
	return value.Value, nil
}

// inMemoryLINE sends requests for the platform's host to the platform in
// memory, and the rest over the network: the logins below stay lean, while
// the app is still served over real HTTP.
type inMemoryLINE struct {
	host     string
	platform http.RoundTripper
	network  http.RoundTripper
}

func (m inMemoryLINE) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == m.host {
		return m.platform.RoundTrip(req)
	}
	return m.network.RoundTrip(req)
}

// TestSecurity_ThousandParallelLoginsEachGetTheirOwnSession: 1000 browsers
// log in at once against one app; each gets its own session (its own
// cookie value, back on the page its own flow started from), none gets
// another's.
// Run under -race, this is the data-race check of the login path.
func TestSecurity_ThousandParallelLoginsEachGetTheirOwnSession(t *testing.T) {
	const n = 1000
	app := newTestApp(t)
	cfg := app.cfg
	cfg.LINE.HTTPClient = &http.Client{Transport: app.platform.Transport()}
	app.mount(t, cfg)
	platformURL, _ := url.Parse(app.platform.AccessURL())
	network := &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}
	defer network.CloseIdleConnections()
	rt := inMemoryLINE{host: platformURL.Host, platform: app.platform.Transport(), network: network}

	start := time.Now()
	values := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { values[i], errs[i] = parallelLogin(app, rt, i) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	failed := 0
	for i, err := range errs {
		if err != nil {
			if failed++; failed <= 5 {
				t.Errorf("login %d: %v", i, err)
			}
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d parallel logins failed", failed, n)
	}
	seen := make(map[string]bool, n)
	for _, cookie := range values {
		if seen[cookie] {
			t.Fatal("two browsers got the same session cookie")
		}
		seen[cookie] = true
	}
	t.Logf("%d parallel logins in %v", n, elapsed)
}

// closeIdle closes the keep-alive connections the tests' clients hold, so
// that their goroutines (and the servers' for them) can end.
func closeIdle(clients ...*http.Client) {
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	for _, c := range clients {
		c.CloseIdleConnections()
	}
}

// TestSecurity_GoroutinesReturnToBaselineAfterFaults: hangs, drips, huge
// bodies and broken answers from LINE leave nothing running once the
// connections are closed: no goroutine waits forever on LINE.
func TestSecurity_GoroutinesReturnToBaselineAfterFaults(t *testing.T) {
	drip := newDripServer(t, false)
	var huge atomic.Bool
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if huge.Load() {
			chunk := []byte(strings.Repeat("a", 64<<10))
			io.WriteString(w, `{"access_token":"`)
			for range 100 << 4 { // 100 MB
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			return
		}
		drip.Config.Handler.ServeHTTP(w, r)
	}))
	defer broken.Close()
	app := newTestApp(t, func(c *middleware.Config) { c.LINE.Timeout = 300 * time.Millisecond })
	browsers := newLeanClient(nil)
	login := func(want int) {
		t.Helper()
		if status, err := browsers.login(app); err != nil || status != want {
			t.Fatalf("login: status %d, %v; want %d", status, err, want)
		}
	}
	login(http.StatusSeeOther) // warm up: lazily started goroutines belong to the baseline
	closeIdle(browsers.c)
	baseline := goleak.IgnoreCurrent()

	for _, f := range []linetest.Fault{
		{Delay: 10 * time.Second, Times: 1},
		{Status: 500, Times: 1},
		{Body: `{"access_tok`, Times: 1},
	} {
		app.platform.SetFault(linetest.PathToken, f)
		login(http.StatusBadGateway)
	}
	login(http.StatusSeeOther)
	app.platform.SetFault(linetest.PathRevoke, linetest.Fault{Delay: 10 * time.Second, Times: 1})
	if resp, _, err := browsers.do(http.MethodPost, app.url("/logout"), http.Header{"Origin": {app.srv.URL}}); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout with revoke hanging: %v %v", resp, err)
	}
	cfg := app.cfg
	cfg.LINE.APIURL = broken.URL
	app.mount(t, cfg)
	for _, big := range []bool{false, true} { // a drip, then 100 MB
		huge.Store(big)
		login(http.StatusBadGateway)
	}

	closeIdle(browsers.c)
	// goleak retries for a while, so goroutines that are ending get time
	// to end; one still waiting on LINE fails the test with its stack.
	goleak.VerifyNone(t, baseline)
}

// TestSecurity_LogCanary runs the whole range of logins, failures, hostile
// LINE answers, bearer requests and logouts, and then looks for every
// secret it met (client secret, codes, verifiers, access and ID tokens,
// cookie values) in every log line and every response the app sent.
func TestSecurity_LogCanary(t *testing.T) {
	app := newTestApp(t, func(c *middleware.Config) { c.LINE.Timeout = 300 * time.Millisecond })
	var (
		mu      sync.Mutex
		secrets = []string{app.platform.ChannelSecret()}
		seen    strings.Builder // bodies and headers the app sent, Set-Cookie aside
	)
	keep := func(ss ...string) {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range ss {
			if s != "" {
				secrets = append(secrets, s)
			}
		}
	}
	record := func(resp *http.Response) {
		body := readBody(t, resp)
		mu.Lock()
		defer mu.Unlock()
		seen.WriteString(body)
		for k, vs := range resp.Header {
			if k != "Set-Cookie" {
				fmt.Fprintf(&seen, "%s: %s\n", k, strings.Join(vs, ", "))
			}
		}
		for _, c := range resp.Cookies() {
			if c.Value != "" {
				secrets = append(secrets, c.Value)
			}
		}
	}
	harvestPlatform := func() {
		for _, r := range app.platform.Requests() {
			keep(r.Form.Get("code"), r.Form.Get("code_verifier"), r.Form.Get("access_token"), r.Form.Get("refresh_token"), r.Query.Get("access_token"))
			if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
				keep(strings.TrimPrefix(a, "Bearer "))
			}
		}
	}
	login := func(b *browser) *http.Response {
		authz := b.startLogin("/")
		cb := b.authorize(authz)
		keep(cb.Query().Get("code"))
		resp := b.get(cb.String())
		return resp
	}

	// 1. A good login, a page, a logout.
	b := app.browser()
	record(login(b))
	record(b.get(app.url("/me")))
	record(b.logout(app.origin()))

	// 2. A replayed and a forged callback with real codes.
	b = app.browser()
	authz := b.startLogin("/")
	cb := b.authorize(authz)
	keep(cb.Query().Get("code"))
	record(b.get(cb.String()))
	record(b.get(cb.String()))
	q := cb.Query()
	q.Set("state", strings.Repeat("0", 32))
	cb.RawQuery = q.Encode()
	record(app.browser().get(cb.String()))

	// 3. A broken token endpoint, in every way.
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	for _, f := range []linetest.Fault{
		{Delay: 5 * time.Second},
		{Status: 500, Body: `{"error":"server_error","error_description":"secret-ish description"}`, Header: jsonHeader},
		{Status: 400, Body: `{"error":"invalid_grant","error_description":"code expired"}`, Header: jsonHeader},
		{Body: `{"access_token":"canary-access-token-truncat`, Header: jsonHeader},
	} {
		f.Times = 1
		b := app.browser()
		authz := b.startLogin("/")
		cb := b.authorize(authz)
		keep(cb.Query().Get("code"))
		app.platform.SetFault(linetest.PathToken, f)
		record(b.get(cb.String()))
	}
	keep("canary-access-token-truncat")

	// 4. A forged token response: its access token and ID token.
	b = app.browser()
	authz = b.startLogin("/")
	cb = b.authorize(authz)
	keep(cb.Query().Get("code"))
	forged, _ := app.platform.SignIDToken(map[string]any{"alg": "HS256"}, map[string]any{
		"iss": app.platform.Issuer(), "sub": app.user.ID, "aud": app.platform.ChannelID(),
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "nonce": "not-the-flow-nonce",
	})
	body, _ := json.Marshal(map[string]any{"access_token": "canary-forged-access-token", "token_type": "Bearer", "expires_in": 3600, "id_token": forged})
	app.platform.SetFault(linetest.PathToken, linetest.Fault{Body: string(body), Header: jsonHeader, Times: 1})
	record(b.get(cb.String()))
	keep(forged, "canary-forged-access-token")

	// 5. Logouts with LINE's revoke failing and hanging.
	for _, f := range []linetest.Fault{{Status: 500, Body: `{"error":"invalid_request","error_description":"bad token"}`, Header: jsonHeader}, {Delay: 5 * time.Second}} {
		b := app.browser()
		record(login(b))
		f.Times = 1
		app.platform.SetFault(linetest.PathRevoke, f)
		record(b.logout(app.origin()))
	}

	// 6. Bearer requests: good, refused, LINE failing.
	tok, err := app.platform.IssueAccessToken(app.user.ID, []string{"openid", "profile"})
	if err != nil {
		t.Fatal(err)
	}
	keep(tok)
	liff, _ := app.platform.IssueLIFFIDToken(app.user.ID, "")
	keep(liff)
	apiGet := func(h http.Header) {
		req := newRequest(t, http.MethodGet, app.url("/api/me"), nil)
		req.Header.Set("Accept", "application/json")
		for k, v := range h {
			req.Header[k] = v
		}
		record(app.send(t, req))
	}
	apiGet(http.Header{"Authorization": {"Bearer " + tok}})
	apiGet(http.Header{"Authorization": {"Bearer " + tok + "x"}})
	apiGet(http.Header{middleware.HeaderIDToken: {liff}})
	apiGet(http.Header{middleware.HeaderIDToken: {liff + "x"}})
	for _, f := range []linetest.Fault{{Status: 500}, {Delay: 5 * time.Second}} {
		f.Times = 1
		app.platform.SetFault(linetest.PathVerify, f)
		tok2, _ := app.platform.IssueAccessToken(app.user.ID, []string{"profile"})
		keep(tok2)
		apiGet(http.Header{"Authorization": {"Bearer " + tok2}})
	}

	// 7. A session cookie tampered with.
	tampered := &http.Cookie{Name: sessionCookie, Value: "canary-tampered-session-value"}
	keep(tampered.Value)
	record(app.send(t, newRequest(t, http.MethodGet, app.url("/me"), nil), tampered))

	// 8. A hostile LINE that echoes what it gets (secret, code, verifier,
	// tokens) in its errors, and then one that is not there at all: Go's
	// *url.Error would print the URL, with ?access_token= for verify.
	var echoed []string
	var echoMu sync.Mutex
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		all := r.Form.Encode() + " " + r.Header.Get("Authorization")
		echoMu.Lock()
		echoed = append(echoed, r.Form.Get("code"), r.Form.Get("code_verifier"), r.Form.Get("access_token"))
		echoMu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", `Bearer error="`+all+`"`)
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": all, "error_description": all, "message": all})
	}))
	defer hostile.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // connection refused from now on
	for _, api := range []string{hostile.URL, dead.URL} {
		cfg := app.cfg
		cfg.LINE.APIURL = api
		app.mount(t, cfg)
		b := app.browser()
		record(login(b))
		apiGet(http.Header{"Authorization": {"Bearer " + tok}})
		apiGet(http.Header{middleware.HeaderIDToken: {liff}})
	}
	keep(echoed...)
	harvestPlatform()

	logs := app.logs.String()
	if !strings.Contains(logs, "level=") {
		t.Fatal("nothing was logged")
	}
	mu.Lock()
	defer mu.Unlock()
	pages := seen.String()
	for _, s := range secrets {
		if len(s) < 8 {
			continue // an empty or trivial value: nothing to look for
		}
		if strings.Contains(logs, s) {
			t.Errorf("a log line carries a secret (%.12s…): %s", s, lineWith(logs, s))
		}
		if strings.Contains(pages, s) {
			t.Errorf("a response carries a secret (%.12s…)", s)
		}
	}
	for _, leak := range []string{"access_token=", "client_secret", "code_verifier", "secret-ish", "code expired", "bad token"} {
		if strings.Contains(logs, leak) {
			t.Errorf("the log carries %q: %s", leak, lineWith(logs, leak))
		}
	}
	t.Logf("looked for %d secrets in %d bytes of logs and %d bytes of responses", len(secrets), len(logs), len(pages))
}

func lineWith(logs, s string) string {
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
