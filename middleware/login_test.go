package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

func TestLogin_EndToEnd_PutsVerifiedUserInContext(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()

	resp := b.login("/orders?id=7")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback status = %d, want 303", resp.StatusCode)
	}
	if got := resp.Header.Get("Location"); got != "/orders?id=7" {
		t.Errorf("callback redirects to %q, want /orders?id=7 (no code, no state)", got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("callback Cache-Control = %q, want no-store", got)
	}
	if setCookie(resp, sessionCookie) == nil {
		t.Fatal("callback set no session cookie")
	}

	status, me := b.me()
	if status != http.StatusOK {
		t.Fatalf("/api/me after login: status %d", status)
	}
	want := app.user
	if me.User.ID != want.ID || me.User.DisplayName != want.DisplayName {
		t.Errorf("context user = %+v, want %s %q", me.User, want.ID, want.DisplayName)
	}
	if me.User.PictureURL == "" {
		t.Error("context user has no picture URL")
	}
	if len(me.User.AMR) == 0 {
		t.Error("context user has no amr")
	}
	if me.User.Email != "" {
		t.Errorf("email %q present without the email scope", me.User.Email)
	}
	if !me.User.AuthTime.IsZero() {
		t.Error("auth_time present although max_age was not sent")
	}
	if got := readBody(t, b.get(app.url("/"))); got != "hello "+want.DisplayName {
		t.Errorf("public page after login says %q", got)
	}
}

func TestLogin_AuthorizeURLCarriesRandomStateNonceAndS256Challenge(t *testing.T) {
	app := newTestApp(t, func(c *middleware.Config) {
		c.LINE.Prompt = "consent"
		c.LINE.BotPrompt = "aggressive"
		c.LINE.UILocales = "ja-JP en-US"
		c.LINE.DisableAutoLogin = true
		c.LINE.DisableAMRSwitch = true
	})
	b := app.browser()
	first := b.startLogin("")
	second := b.startLogin("")

	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	q := first.Query()
	for _, key := range []string{"state", "nonce"} {
		if !hex32.MatchString(q.Get(key)) {
			t.Errorf("%s = %q, want 128 random bits as hex", key, q.Get(key))
		}
		if q.Get(key) == second.Query().Get(key) {
			t.Errorf("%s repeats across logins", key)
		}
	}
	want := map[string]string{
		"response_type":         "code",
		"client_id":             app.platform.ChannelID(),
		"redirect_uri":          app.url("/callback"),
		"scope":                 "openid profile",
		"code_challenge_method": "S256",
		"prompt":                "consent",
		"bot_prompt":            "aggressive",
		"ui_locales":            "ja-JP en-US",
		"disable_auto_login":    "true",
		"switch_amr":            "false",
	}
	for k, v := range want {
		if got := q.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if len(q.Get("code_challenge")) != 43 {
		t.Errorf("code_challenge = %q, want 43 base64url chars", q.Get("code_challenge"))
	}
	if strings.Contains(first.RawQuery, "+") {
		t.Errorf("scope spaces must be %%20 as LINE documents: %s", first.RawQuery)
	}
	if first.Path != linetest.PathAuthorize {
		t.Errorf("authorize path = %q", first.Path)
	}
}

func TestCallback_RejectsBadState(t *testing.T) {
	app := newTestApp(t)
	cases := map[string]func(cb url.Values){
		"missing": func(cb url.Values) { cb.Del("state") },
		"empty":   func(cb url.Values) { cb.Set("state", "") },
		"altered": func(cb url.Values) {
			s := []byte(cb.Get("state"))
			s[0] ^= 1
			cb.Set("state", string(s))
		},
		"not hex":   func(cb url.Values) { cb.Set("state", strings.Repeat("z", 32)) },
		"too long":  func(cb url.Values) { cb.Set("state", strings.Repeat("a", 5000)) },
		"injection": func(cb url.Values) { cb.Set("state", "../;,=x") },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			b := app.browser()
			cb := b.authorize(b.startLogin(""))
			q := cb.Query()
			mutate(q)
			cb.RawQuery = q.Encode()
			before := app.platform.Count(linetest.PathToken)

			resp := b.get(cb.String())
			assertRejected(t, resp, http.StatusBadRequest, "Please try again")
			if app.platform.Count(linetest.PathToken) != before {
				t.Error("token endpoint called for a bad state")
			}
			if status, _ := b.me(); status != http.StatusUnauthorized {
				t.Errorf("/api/me status %d after rejected callback, want 401", status)
			}
		})
	}
	t.Run("no flow cookie", func(t *testing.T) {
		b := app.browser()
		cb := b.authorize(b.startLogin(""))
		other := app.browser() // another browser: LINE opened a different one
		resp := other.get(cb.String())
		assertRejected(t, resp, http.StatusBadRequest, "another browser")
	})
}

// assertRejected checks the rules for a rejected callback: the status, a
// page with a message and a retry link, and no session cookie.
func assertRejected(t *testing.T, resp *http.Response, status int, message string) {
	t.Helper()
	body := readBody(t, resp)
	if resp.StatusCode != status {
		t.Errorf("status = %d, want %d; body: %.300s", resp.StatusCode, status, body)
	}
	if !strings.Contains(body, message) {
		t.Errorf("page does not say %q: %.500s", message, body)
	}
	if status != http.StatusForbidden || strings.Contains(message, "cancel") {
		if !strings.Contains(body, `id="retry"`) {
			t.Errorf("page has no retry link: %.500s", body)
		}
	}
	if c := setCookie(resp, sessionCookie); c != nil && c.MaxAge >= 0 {
		t.Errorf("rejected callback set a session cookie")
	}
	if strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
		t.Errorf("page shows a stack trace: %.500s", body)
	}
}

func TestCallback_ReplayAfterSuccessIsRejected(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	cb := b.authorize(b.startLogin(""))
	if resp := b.get(cb.String()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first callback: status %d", resp.StatusCode)
	}
	resp := b.get(cb.String())
	assertRejected(t, resp, http.StatusBadRequest, "Please try again")

	// Even with the flow cookie replayed too, LINE's single-use code fails.
	b2 := app.browser()
	cb2 := b2.authorize(b2.startLogin(""))
	flowCookies := b2.client.Jar.Cookies(cb2)
	b2.get(cb2.String())
	b3 := app.browser()
	b3.client.Jar.SetCookies(cb2, flowCookies)
	assertRejected(t, b3.get(cb2.String()), http.StatusBadRequest, "Please try again")
}

func TestCallback_ParallelFlowsFinishInEitherOrder(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	cbA := b.authorize(b.startLogin("/a"))
	cbB := b.authorize(b.startLogin("/b"))

	// Crossing A's code with B's state fails: the PKCE verifier is B's.
	crossed := *cbB
	q := cbB.Query()
	q.Set("code", cbA.Query().Get("code"))
	crossed.RawQuery = q.Encode()
	b2 := app.browser()
	b2.client.Jar.SetCookies(cbB, b.client.Jar.Cookies(cbB))
	assertRejected(t, b2.get(crossed.String()), http.StatusBadRequest, "try again")

	// B's flow cookie is spent in b2's jar only; b still holds both.
	respB := b.get(cbB.String())
	if respB.StatusCode != http.StatusSeeOther || respB.Header.Get("Location") != "/b" {
		t.Fatalf("second tab: status %d to %q", respB.StatusCode, respB.Header.Get("Location"))
	}
}

func TestCallback_TwoTabsFinishInReverseOrder(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	cbA := b.authorize(b.startLogin("/a"))
	cbB := b.authorize(b.startLogin("/b"))
	for _, tc := range []struct {
		cb   *url.URL
		want string
	}{{cbB, "/b"}, {cbA, "/a"}} {
		resp := b.get(tc.cb.String())
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tc.want {
			t.Fatalf("callback: status %d to %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), tc.want)
		}
	}
	if status, _ := b.me(); status != http.StatusOK {
		t.Errorf("/api/me status %d after both tabs finished", status)
	}
}

func TestLogin_CapsFlowCookiesAndNewestLoginWorks(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	var last *url.URL
	for range 50 {
		last = b.startLogin("")
	}
	var flows, headerBytes int
	appURL, _ := url.Parse(app.url("/"))
	for _, c := range b.client.Jar.Cookies(appURL) {
		if strings.HasPrefix(c.Name, flowCookiePrefix) {
			flows++
			headerBytes += len(c.Name) + len(c.Value) + 3
		}
	}
	if flows > middleware.MaxFlows {
		t.Errorf("%d flow cookies after 50 logins, want at most %d", flows, middleware.MaxFlows)
	}
	if headerBytes > 4096 {
		t.Errorf("flow cookies take %d bytes of the Cookie header", headerBytes)
	}
	resp := b.get(b.authorize(last).String())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("newest login: callback status %d", resp.StatusCode)
	}
}

func TestCallback_LINEErrorIsShownEscapedAndReachesHook(t *testing.T) {
	var hooked []error
	var app *testApp
	app = newTestApp(t, func(c *middleware.Config) {
		c.Pages.OnError = func(w http.ResponseWriter, r *http.Request, err error) {
			hooked = append(hooked, err)
			app.auth.ServeError(w, r, err) // observe, then the default page
		}
	})

	app.platform.SetAuthorizeError("ACCESS_DENIED", `The resource owner denied <script>alert(1)</script>`)
	b := app.browser()
	resp := b.get(b.authorize(b.startLogin("/after")).String())
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status %d, want 403", resp.StatusCode)
	}
	if !strings.Contains(body, "ACCESS_DENIED") || !strings.Contains(body, "Login cancelled") {
		t.Errorf("page does not show the code: %.600s", body)
	}
	// LINE's description is anybody's text on the app's origin: never on
	// the page, escaped or not.
	if strings.Contains(body, "alert(1)") || strings.Contains(body, "resource owner") {
		t.Errorf("the page shows LINE's description: %.800s", body)
	}
	if !strings.Contains(body, `href="/login?return_to=%2fafter"`) && !strings.Contains(body, `href="/login?return_to=%2Fafter"`) {
		t.Errorf("no retry link back to /after: %.800s", body)
	}
	var authErr *callback.AuthError
	if len(hooked) != 1 || !errors.As(hooked[0], &authErr) || authErr.Code != "ACCESS_DENIED" ||
		authErr.Description != `The resource owner denied <script>alert(1)</script>` {
		t.Fatalf("hook saw %v, want the ACCESS_DENIED AuthError with LINE's description", hooked)
	}
	if setCookie(resp, sessionCookie) != nil {
		t.Error("session cookie set on LINE error")
	}
	// The log carries the code, and the description as one quoted value.
	if logs := app.logs.String(); !strings.Contains(logs, "ACCESS_DENIED") ||
		!strings.Contains(logs, `line_error_description="The resource owner denied <script>alert(1)</script>"`) {
		t.Errorf("log should carry LINE's code and its description, quoted: %s", logs)
	}
	// The retry works once LINE approves again.
	app.platform.SetAuthorizeError("", "")
	b.mustLogin()
}

func TestCallback_V20ErrorParameters(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	cb := b.authorize(b.startLogin(""))
	q := url.Values{
		"state":             {cb.Query().Get("state")},
		"error":             {"access_denied"},
		"error_description": {"The user has denied the approval"},
		"errorCode":         {"417"},
		"errorMessage":      {"DISALLOWED"},
	}
	cb.RawQuery = q.Encode()
	resp := b.get(cb.String())
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Login cancelled") || strings.Contains(body, "has denied") {
		t.Errorf("v2.0 error: status %d, body %.600s", resp.StatusCode, body)
	}
	if app.platform.Count(linetest.PathToken) != 0 {
		t.Error("token endpoint called after an error callback")
	}
}

func TestOnLogin_Refuses(t *testing.T) {
	refuse := false
	app := newTestApp(t, func(c *middleware.Config) {
		c.OnLogin = func(ctx context.Context, l *callback.Login) error {
			if refuse {
				return errors.New("banned")
			}
			if l.Token.AccessToken == "" || l.User.ID == "" {
				return errors.New("hook got no user or token")
			}
			return nil
		}
	})
	b := app.browser()
	b.mustLogin()
	if status, me := b.me(); status != http.StatusOK || me.User.ID != app.user.ID || me.AccountID != "" {
		t.Errorf("accepted login: status %d, user %+v, account %q (none without Linking)", status, me.User, me.AccountID)
	}

	refuse = true
	b2 := app.browser()
	resp := b2.login("")
	assertRejected(t, resp, http.StatusForbidden, "cannot log in")
	if status, _ := b2.me(); status != http.StatusUnauthorized {
		t.Errorf("refused login still logged in: %d", status)
	}
}

func TestLogin_ProfileScopeOnlyReadsUserFromProfileEndpoint(t *testing.T) {
	app := newTestApp(t, func(c *middleware.Config) { c.LINE.Scopes = []string{"profile"} })
	b := app.browser()
	b.mustLogin()
	status, me := b.me()
	if status != http.StatusOK || me.User.ID != app.user.ID || me.User.DisplayName != app.user.DisplayName {
		t.Fatalf("profile-only login: status %d user %+v", status, me.User)
	}
	if app.platform.Count(linetest.PathProfile) != 1 {
		t.Errorf("profile endpoint called %d times, want 1", app.platform.Count(linetest.PathProfile))
	}
}

func TestLogin_EmailScopeAndMaxAge(t *testing.T) {
	app := newTestApp(t, func(c *middleware.Config) {
		c.LINE.Scopes = []string{"openid", "profile", "email"}
		c.LINE.MaxAge = 3600e9
	})
	b := app.browser()
	b.mustLogin()
	_, me := b.me()
	if me.User.Email != app.user.Email || me.User.Email == "" {
		t.Errorf("email = %q, want %q", me.User.Email, app.user.Email)
	}
	if me.User.AuthTime.IsZero() {
		t.Error("auth_time missing although max_age was sent")
	}
}
