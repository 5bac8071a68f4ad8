package middleware_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

// stepUpApp is a test app with the routes of step-up and per-login
// options, on one clock shared with its linetest platform:
//
//	/secure       RequireRecentLogin(5m): writes the session's auth_time
//	/email        RequireScope("email"): the address, or "declined"
//	/email/ask    Login asking for email, as a "ask again" button would
//	/campaign     LoginHandlerWith every per-login option
type stepUpApp struct {
	*testApp
	clock *testkit.Clock

	mu     sync.Mutex
	errors []error // what OnError saw
}

func newStepUpApp(t *testing.T, opts ...appOption) *stepUpApp {
	s := &stepUpApp{clock: testkit.NewClock(time.Now().Truncate(time.Second))} // auth_time has whole seconds
	s.testApp = newTestApp(t, append(opts, func(cfg *middleware.Config) {
		cfg.Now = s.clock.Now
		cfg.Pages.OnError = func(w http.ResponseWriter, r *http.Request, err error) {
			s.mu.Lock()
			s.errors = append(s.errors, err)
			s.mu.Unlock()
			s.auth.ServeError(w, r, err)
		}
	})...)
	s.platform.SetNow(s.clock.Now)
	auth := s.auth
	mux := http.NewServeMux()
	mux.Handle("/secure", auth.RequireRecentLogin(5*time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFromContext(r.Context())
		fmt.Fprintf(w, "auth_time=%d", u.AuthTime.Unix())
	})))
	mux.Handle("/email", auth.RequireScope("email")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFromContext(r.Context())
		if !middleware.ScopeGranted(r.Context(), "email") {
			io.WriteString(w, "declined")
			return
		}
		io.WriteString(w, "email="+u.Email)
	})))
	mux.HandleFunc("/email/ask", func(w http.ResponseWriter, r *http.Request) {
		auth.Login(w, r, middleware.LoginOptions{ReturnTo: "/email", LINE: callback.LoginOptions{Scopes: []string{"openid", "profile", "email"}}})
	})
	mux.Handle("/campaign", auth.LoginHandlerWith(middleware.LoginOptions{
		ReturnTo: "/thanks", LINE: callback.LoginOptions{Scopes: []string{"openid", "profile", "email"}, Prompt: "consent",
			MaxAge: 90 * time.Second, BotPrompt: "aggressive", UILocales: "ja", InitialAMRDisplay: "lineqr"},
	}))
	var h http.Handler = auth.Handler(mux)
	s.handler.Store(&h)
	return s
}

// lastError returns the last error OnError saw.
func (s *stepUpApp) lastError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errors) == 0 {
		return nil
	}
	return s.errors[len(s.errors)-1]
}

// toLINE checks that resp redirects to LINE's authorize endpoint and
// returns that URL.
func toLINE(t *testing.T, s *stepUpApp, resp *http.Response) *url.URL {
	t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), s.platform.AccessURL()+linetest.PathAuthorize) {
		t.Fatalf("status %d to %q, want 302 to LINE's authorize", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc
}

func apiGet(t *testing.T, b *browser, path string, header http.Header) *http.Response {
	t.Helper()
	h := http.Header{"Accept": {"application/json"}}
	for k, v := range header {
		h[k] = v
	}
	return b.do(http.MethodGet, b.app.url(path), h, nil)
}

// TestRequireRecentLogin_APIRequestsGetTheRFC9470Challenge: an API request
// whose session holds no recent LINE authentication, or a bearer access
// token (which carries no auth_time), gets 401 with the challenge of RFC
// 9470: error="insufficient_user_authentication" and max_age.
func TestRequireRecentLogin_APIRequestsGetTheRFC9470Challenge(t *testing.T) {
	s := newStepUpApp(t)
	b := s.browser()
	b.mustLogin() // without max_age: LINE reports no auth_time

	at, err := s.platform.IssueAccessToken(s.user.ID, []string{"profile", "openid"})
	if err != nil {
		t.Fatal(err)
	}
	for name, header := range map[string]http.Header{
		"session":      nil,
		"access token": {"Authorization": {"Bearer " + at}},
	} {
		resp := apiGet(t, b, "/secure", header)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: status %d, want 401", name, resp.StatusCode)
		}
		const want = `Bearer error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=300`
		if got := resp.Header.Get("WWW-Authenticate"); got != want {
			t.Errorf("%s: WWW-Authenticate = %q, want %q", name, got, want)
		}
		var body map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body["error"] != "insufficient_user_authentication" {
			t.Errorf("%s: body %v (%v), want error insufficient_user_authentication", name, body, err)
		}
	}
}

// TestRequireRecentLogin_IDTokenAuthTimeCounts: an ID token from LIFF
// passes when its auth_time is recent enough, and gets the challenge when
// it is older or missing.
func TestRequireRecentLogin_IDTokenAuthTimeCounts(t *testing.T) {
	s := newStepUpApp(t)
	b := s.browser()
	now := s.clock.Now()
	for _, c := range []struct {
		name     string
		authTime any // nil: no claim
		want     int
	}{
		{"recent", now.Add(-time.Minute).Unix(), http.StatusOK},
		{"old", now.Add(-10 * time.Minute).Unix(), http.StatusUnauthorized},
		{"missing", nil, http.StatusUnauthorized},
	} {
		claims := map[string]any{
			"iss": s.platform.Issuer(), "sub": s.user.ID, "aud": s.platform.ChannelID(),
			"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "name": s.user.DisplayName,
		}
		if c.authTime != nil {
			claims["auth_time"] = c.authTime
		}
		tok, err := s.platform.SignIDToken(map[string]any{"alg": "ES256", "typ": "JWT"}, claims)
		if err != nil {
			t.Fatal(err)
		}
		resp := apiGet(t, b, "/secure", http.Header{"X-Line-Id-Token": {tok}})
		if resp.StatusCode != c.want {
			t.Errorf("%s auth_time: status %d, want %d: %s", c.name, resp.StatusCode, c.want, readBody(t, resp))
		}
	}
}

// TestRequireRecentLogin_BrowserGoesThroughLINEAndComesBackRenewed: a
// browser whose session holds no recent authentication goes through LINE
// with max_age (and no prompt: max_age makes LINE authenticate), lands back
// on the very page in a new session, and passes until the authentication is
// older than max_age, when it goes through LINE again.
func TestRequireRecentLogin_BrowserGoesThroughLINEAndComesBackRenewed(t *testing.T) {
	s := newStepUpApp(t)
	b := s.browser()
	b.mustLogin()
	before := sessionValue(t, b)

	const page = "/secure?card=7&tab=orders"
	authorizeURL := toLINE(t, s, b.get(s.url(page)))
	q := authorizeURL.Query()
	if q.Get("max_age") != "300" || q.Has("prompt") {
		t.Errorf("step-up authorize: max_age=%q prompt=%q, want max_age=300 and no prompt", q.Get("max_age"), q.Get("prompt"))
	}
	resp := b.get(b.authorize(authorizeURL).String())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page {
		t.Fatalf("callback: %d to %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	renewed := setCookie(resp, sessionCookie)
	if renewed == nil || renewed.Value == before || renewed.Value == "" {
		t.Fatalf("the step-up did not issue a new session value")
	}
	resp = b.get(s.url(page))
	if got, want := readBody(t, resp), fmt.Sprintf("auth_time=%d", s.clock.Now().Unix()); resp.StatusCode != http.StatusOK || got != want {
		t.Fatalf("after the step-up: %d %q, want 200 %q", resp.StatusCode, got, want)
	}

	s.clock.Advance(5 * time.Minute)
	if resp := b.get(s.url(page)); resp.StatusCode != http.StatusOK {
		t.Errorf("at max_age exactly: status %d, want 200", resp.StatusCode)
	}
	s.clock.Advance(time.Second)
	toLINE(t, s, b.get(s.url(page)))
}

// TestRequireRecentLogin_StepUpEndsTheOldSession: with a server-side
// store, the session a step-up replaces is gone: its cookie value, if
// stolen before, is worth nothing after.
func TestRequireRecentLogin_StepUpEndsTheOldSession(t *testing.T) {
	s := newStepUpApp(t, withStore(newTestRedisStore(t, redistest.URL(t), redistest.Prefix())))
	b := s.browser()
	b.mustLogin()
	old := sessionValue(t, b)
	resp := b.get(b.authorize(toLINE(t, s, b.get(s.url("/secure")))).String())
	if c := setCookie(resp, sessionCookie); resp.StatusCode != http.StatusSeeOther || c == nil || c.Value == old {
		t.Fatalf("step-up callback: %d, want 303 with a new session cookie", resp.StatusCode)
	}
	if resp := apiGet(t, b, "/secure", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("the new session: /secure %d, want 200", resp.StatusCode)
	}
	stolen := s.browser()
	resp = apiGet(t, stolen, "/secure", http.Header{"Cookie": {sessionCookie + "=" + old}})
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("the replaced session's cookie: /secure %d %q, want 401 as without a session", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

// TestRequireRecentLogin_RefusesAnIDTokenWithOldAuthTime: LINE's ID token
// after a step-up must carry an auth_time within max_age (and the clock
// skew); one older is refused as an invalid ID token, with no session.
func TestRequireRecentLogin_RefusesAnIDTokenWithOldAuthTime(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(claims map[string]any, now time.Time)
	}{
		{"too old", func(claims map[string]any, now time.Time) {
			claims["auth_time"] = now.Add(-(5*time.Minute + callback.DefaultClockSkew + time.Second)).Unix()
		}},
		{"missing", func(claims map[string]any, _ time.Time) { delete(claims, "auth_time") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newStepUpApp(t)
			s.platform.SetIDTokenHook(func(_, claims map[string]any) { c.mutate(claims, s.clock.Now()) })
			b := s.browser()
			resp := b.get(b.authorize(toLINE(t, s, b.get(s.url("/secure")))).String())
			if resp.StatusCode != http.StatusUnauthorized || setCookie(resp, sessionCookie) != nil {
				t.Fatalf("callback: status %d, session cookie %v; want 401 and none", resp.StatusCode, setCookie(resp, sessionCookie))
			}
			if err := s.lastError(); !errors.Is(err, callback.ErrInvalidToken) || !strings.Contains(err.Error(), "auth_time") {
				t.Errorf("error %v, want an invalid ID token for its auth_time", err)
			}
		})
	}
}

// TestLoginOptions_ReachTheAuthorizeURL: a login started by the app's code
// sends LINE that login's own options, and the callback checks auth_time
// against that login's max_age.
func TestLoginOptions_ReachTheAuthorizeURL(t *testing.T) {
	s := newStepUpApp(t)
	b := s.browser()
	authorizeURL := toLINE(t, s, b.get(s.url("/campaign?return_to=/elsewhere&prompt=none&max_age=0")))
	q := authorizeURL.Query()
	want := map[string]string{
		"scope": "openid profile email", "prompt": "consent", "max_age": "90",
		"bot_prompt": "aggressive", "ui_locales": "ja", "initial_amr_display": "lineqr",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	resp := b.get(b.authorize(authorizeURL).String())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/thanks" {
		t.Fatalf("callback: %d to %q, want 303 to /thanks", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The flow's own max_age is the one checked: 90 s, not the Config's
	// (none).
	s.platform.SetIDTokenHook(func(_, claims map[string]any) {
		claims["auth_time"] = s.clock.Now().Add(-(90*time.Second + callback.DefaultClockSkew + time.Second)).Unix()
	})
	resp = b.get(b.authorize(toLINE(t, s, b.get(s.url("/campaign")))).String())
	if resp.StatusCode != http.StatusUnauthorized || !errors.Is(s.lastError(), callback.ErrInvalidToken) {
		t.Errorf("auth_time older than the flow's max_age: status %d, error %v; want 401, an invalid ID token", resp.StatusCode, s.lastError())
	}
}

// TestLogin_QueryChangesNothingButReturnTo: whoever writes a link to
// /login writes its query; only return_to is read from it, so an
// attacker's prompt, scope, max_age or bot_prompt never reach LINE.
func TestLogin_QueryChangesNothingButReturnTo(t *testing.T) {
	s := newStepUpApp(t)
	b := s.browser()
	authorizeURL := b.startLogin("")
	attacked := toLINE(t, s, b.get(s.url("/login?prompt=none&scope=email&max_age=0&bot_prompt=aggressive&ui_locales=th&initial_amr_display=lineqr&response_mode=form_post")))

	// Every parameter but the per-login secrets must be the plain login's.
	perLogin := []string{"state", "nonce", "code_challenge"}
	got, want := attacked.Query(), authorizeURL.Query()
	for _, k := range perLogin {
		if got.Get(k) == "" || got.Get(k) == want.Get(k) {
			t.Errorf("%s = %q: want a fresh value", k, got.Get(k))
		}
		got.Del(k)
		want.Del(k)
	}
	wantExact := url.Values{
		"response_type": {"code"}, "client_id": {s.platform.ChannelID()}, "redirect_uri": {s.cfg.LINE.RedirectURL},
		"scope": {"openid profile"}, "code_challenge_method": {"S256"},
	}
	if got.Encode() != wantExact.Encode() || want.Encode() != wantExact.Encode() {
		t.Errorf("authorize query after the attacker's /login:\n got %s\nwant %s", got.Encode(), wantExact.Encode())
	}
}

// TestRequireScope_AsksOnceThenPasses: a session without the email scope
// goes through LINE asking for it, once; a user who declines it reaches
// the page (which says so) instead of being sent to LINE in a loop, until
// the app's code asks again, with prompt=consent so that LINE shows its
// consent screen. An API request of a session lacking the scope gets 403
// insufficient_scope.
func TestRequireScope_AsksOnceThenPasses(t *testing.T) {
	s := newStepUpApp(t)
	b := s.browser()
	b.mustLogin()
	if resp := apiGet(t, b, "/email", nil); resp.StatusCode != http.StatusForbidden ||
		resp.Header.Get("WWW-Authenticate") != `Bearer error="insufficient_scope", scope="email"` {
		t.Errorf("API request without the scope: %d %q, want 403 insufficient_scope", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}

	// The user unticks email on LINE's consent screen.
	if err := s.platform.SignIn(b.client.Jar, linetest.Consent{UserID: s.user.ID, DeclineEmail: true}); err != nil {
		t.Fatal(err)
	}
	authorizeURL := toLINE(t, s, b.get(s.url("/email")))
	if q := authorizeURL.Query(); q.Get("scope") != "openid profile email" || q.Has("prompt") {
		t.Errorf("asking for email: scope %q prompt %q, want openid profile email and no prompt", q.Get("scope"), q.Get("prompt"))
	}
	if resp := b.get(b.authorize(authorizeURL).String()); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/email" {
		t.Fatalf("callback: %d to %q, want 303 to /email", resp.StatusCode, resp.Header.Get("Location"))
	}
	for range 2 {
		if resp := b.get(s.url("/email")); resp.StatusCode != http.StatusOK || readBody(t, resp) != "declined" {
			t.Fatalf("after declining: status %d, want 200 declined (no loop through LINE)", resp.StatusCode)
		}
	}

	// Asked again by the app's code, the user shares it.
	if err := s.platform.SignIn(b.client.Jar, linetest.Consent{UserID: s.user.ID}); err != nil {
		t.Fatal(err)
	}
	authorizeURL = toLINE(t, s, b.get(s.url("/email/ask")))
	if q := authorizeURL.Query(); q.Get("prompt") != "consent" || q.Get("scope") != "openid profile email" {
		t.Errorf("asking again: prompt %q scope %q, want consent and openid profile email", q.Get("prompt"), q.Get("scope"))
	}
	b.get(b.authorize(authorizeURL).String())
	resp := b.get(s.url("/email"))
	if got := readBody(t, resp); resp.StatusCode != http.StatusOK || got != "email="+s.user.Email {
		t.Fatalf("after sharing: %d %q, want email=%s", resp.StatusCode, got, s.user.Email)
	}

	// A later step-up keeps the scope: the new session still has it.
	authorizeURL = toLINE(t, s, b.get(s.url("/secure")))
	if got := authorizeURL.Query().Get("scope"); got != "openid profile email" {
		t.Errorf("step-up of a session with email: scope %q, want openid profile email", got)
	}
	b.get(b.authorize(authorizeURL).String())
	if got := readBody(t, b.get(s.url("/email"))); got != "email="+s.user.Email {
		t.Errorf("after the step-up: %q, want the address", got)
	}
}

// sessionValue returns the session cookie's value in b's jar.
func sessionValue(t *testing.T, b *browser) string {
	t.Helper()
	u, _ := url.Parse(b.app.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}
