package linetest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

func TestLogin_ConsentPageTokenVerifyProfileRevoke(t *testing.T) {
	s := newServer(t, linetest.Config{})
	l := newLogin("profile openid email")

	// The consent page lists every user and a cancel button.
	res := authorize(t, s, l.params)
	page := readBody(t, res)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("consent page: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{"<title>LINE Login (linetest)</title>", `id="deny"`, ">Cancel</button>"} {
		if !strings.Contains(page, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	for _, u := range s.Users() {
		if !strings.Contains(page, `id="user-`+u.ID+`"`) || !strings.Contains(page, `<span class="name">`+u.DisplayName+`</span></button>`) {
			t.Errorf("consent page lacks the button of %s", u.DisplayName)
		}
	}
	m := requestIDPattern.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no pending request ID in the consent page")
	}

	// Picking Cony sends the code back.
	res, err := noRedirects(s).PostForm(s.AccessURL()+linetest.PathConsent, url.Values{"request": {m[1]}, "user": {cony().ID}})
	if err != nil {
		t.Fatal(err)
	}
	q := redirectQuery(t, res)
	if q.Get("state") != l.params.Get("state") || q.Has("friendship_status_changed") {
		t.Fatalf("callback query = %v", q)
	}

	// The code buys tokens.
	res, tok := postForm(t, s, linetest.PathToken, exchangeForm(q.Get("code"), l))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %v", res.StatusCode, tok)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	if tok["token_type"] != "Bearer" || tok["expires_in"] != float64(2592000) || tok["scope"] != "profile openid" {
		t.Errorf("token answer = %v", tok)
	}
	at, _ := tok["access_token"].(string)
	if strings.Count(at, ".") != 2 || strings.Contains(at, linetest.DefaultChannelSecret) {
		t.Errorf("access token %q is not JWT-shaped", at)
	}
	if rt, _ := tok["refresh_token"].(string); rt == "" {
		t.Error("no refresh_token")
	}

	// The ID token is HS256 with the channel secret and names no key.
	header, claims := hs256Claims(t, tok["id_token"].(string))
	if header.KeyID != "" || header.ExtraHeaders["typ"] != "JWT" {
		t.Errorf("ID token header = %+v", header)
	}
	want := map[string]any{
		"iss": s.AccessURL(), "sub": cony().ID, "aud": linetest.DefaultChannelID,
		"nonce": l.params.Get("nonce"), "name": "Cony", "email": "cony@example.com",
		"picture": s.PictureURL() + linetest.PathAvatarPrefix + cony().ID + ".svg",
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	if amr, _ := claims["amr"].([]any); len(amr) != 1 || amr[0] != linetest.AMRQRCode {
		t.Errorf("amr = %v", claims["amr"])
	}
	if _, ok := claims["auth_time"]; ok {
		t.Error("auth_time present without max_age")
	}
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 3600 {
		t.Errorf("exp - iat = %v, want 3600", exp-iat)
	}

	// Verify, profile and friendship accept the access token.
	res, v := get(t, s, linetest.PathVerify+"?access_token="+url.QueryEscape(at), "")
	if res.StatusCode != http.StatusOK || v["client_id"] != linetest.DefaultChannelID || v["scope"] != "profile openid" {
		t.Fatalf("verify: %d %v", res.StatusCode, v)
	}
	if ei, _ := v["expires_in"].(float64); ei <= 2591000 || ei > 2592000 {
		t.Errorf("verify expires_in = %v", v["expires_in"])
	}
	res, prof := get(t, s, linetest.PathProfile, at)
	if res.StatusCode != http.StatusOK || prof["userId"] != cony().ID || prof["displayName"] != "Cony" || prof["pictureUrl"] != want["picture"] {
		t.Fatalf("profile: %d %v", res.StatusCode, prof)
	}
	if _, ok := prof["statusMessage"]; ok {
		t.Error("empty statusMessage not omitted")
	}
	res, fr := get(t, s, linetest.PathFriendship, at)
	if res.StatusCode != http.StatusOK || fr["friendFlag"] != false {
		t.Fatalf("friendship: %d %v", res.StatusCode, fr)
	}

	// Revoke, and the token is dead everywhere.
	res, body := postForm(t, s, linetest.PathRevoke, url.Values{
		"access_token": {at}, "client_id": {linetest.DefaultChannelID}, "client_secret": {linetest.DefaultChannelSecret},
	})
	if res.StatusCode != http.StatusOK || body != nil {
		t.Fatalf("revoke: %d %v", res.StatusCode, body)
	}
	res, v = get(t, s, linetest.PathVerify+"?access_token="+url.QueryEscape(at), "")
	wantOAuthError(t, res, v, "invalid_request")
	if res, _ = get(t, s, linetest.PathProfile, at); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("profile after revoke: %d, want 401", res.StatusCode)
	}
	res, body = postForm(t, s, linetest.PathToken, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
		"client_id": {linetest.DefaultChannelID}, "client_secret": {linetest.DefaultChannelSecret},
	})
	wantOAuthError(t, res, body, "invalid_grant")
}

func TestConsent_CancelRedirectsWithAccessDenied(t *testing.T) {
	s := newServer(t, linetest.Config{})
	l := newLogin("openid")
	l.params.Set("redirect_uri", callbackURL+"?from=app")
	m := requestIDPattern.FindStringSubmatch(readBody(t, authorize(t, s, l.params)))
	if m == nil {
		t.Fatal("no consent page")
	}
	res, err := noRedirects(s).PostForm(s.AccessURL()+linetest.PathConsent, url.Values{"request": {m[1]}, "deny": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := callbackURL + "?from=app&error=ACCESS_DENIED&error_description=The+resource+owner+denied+the+request.&state=" + l.params.Get("state")
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != want {
		t.Fatalf("cancel: %d %q, want 302 %q", res.StatusCode, res.Header.Get("Location"), want)
	}

	// A consent page is answered once.
	res, err = noRedirects(s).PostForm(s.AccessURL()+linetest.PathConsent, url.Values{"request": {m[1]}, "user": {brown().ID}})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("second answer: %d, want 400", res.StatusCode)
	}
}

func TestConsent_ExpiresWithCodeTTL(t *testing.T) {
	clock := newClock()
	s := newServer(t, linetest.Config{Now: clock.Now})
	m := requestIDPattern.FindStringSubmatch(readBody(t, authorize(t, s, newLogin("openid").params)))
	clock.Advance(linetest.DefaultCodeTTL)
	res, err := noRedirects(s).PostForm(s.AccessURL()+linetest.PathConsent, url.Values{"request": {m[1]}, "user": {brown().ID}})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("expired consent: %d, want 400", res.StatusCode)
	}
}

func TestAuthorize_AutoApprovePreservesRedirectQueryAndReportsFriendship(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: cony().ID}) // not a friend: the option is shown
	l := newLogin("profile")
	l.params.Set("redirect_uri", callbackURL+"?from=app")
	l.params.Set("bot_prompt", "aggressive")
	res := authorize(t, s, l.params)
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, callbackURL+"?from=app&code=") {
		t.Fatalf("Location = %q", loc)
	}
	q := redirectQuery(t, res)
	if q.Get("from") != "app" || q.Get("friendship_status_changed") != "false" || q.Get("state") != l.params.Get("state") {
		t.Fatalf("callback query = %v", q)
	}
}

func TestAuthorize_FormPostPageSubmitsCodeAndState(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	l := newLogin("openid")
	l.params.Set("response_mode", "form_post")
	res := authorize(t, s, l.params)
	page := readBody(t, res)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("form_post: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<form method="post" action="` + callbackURL + `" id="response">`,
		`<input type="hidden" name="state" value="` + l.params.Get("state") + `">`,
		`<input type="hidden" name="code" value="`,
		`<button type="submit"`,
		`<script>document.forms[0].submit()</script>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("form_post page lacks %q:\n%s", want, page)
		}
	}
	c := regexpFind(t, page, `name="code" value="([0-9a-f]+)"`)
	if res, body := postForm(t, s, linetest.PathToken, exchangeForm(c, l)); res.StatusCode != http.StatusOK {
		t.Fatalf("token for the posted code: %d %v", res.StatusCode, body)
	}
}

func TestAuthorize_RejectsBadRequests(t *testing.T) {
	s := newServer(t, linetest.Config{})
	for _, tc := range []struct {
		name    string
		change  func(url.Values)
		page    bool   // 400 page, no redirect
		errCode string // else the error sent to the callback
	}{
		{"unknown client_id", func(q url.Values) { q.Set("client_id", "999") }, true, ""},
		{"no client_id", func(q url.Values) { q.Del("client_id") }, true, ""},
		{"unregistered redirect_uri", func(q url.Values) { q.Set("redirect_uri", "http://evil.test/callback") }, true, ""},
		{"redirect_uri with trailing slash", func(q url.Values) { q.Set("redirect_uri", callbackURL+"/") }, true, ""},
		{"redirect_uri on another port", func(q url.Values) { q.Set("redirect_uri", "http://app.test:8080/callback") }, true, ""},
		{"redirect_uri over https", func(q url.Values) { q.Set("redirect_uri", "https://app.test/callback") }, true, ""},
		{"redirect_uri with a fragment", func(q url.Values) { q.Set("redirect_uri", callbackURL+"#x") }, true, ""},
		{"no redirect_uri", func(q url.Values) { q.Del("redirect_uri") }, true, ""},
		{"repeated state", func(q url.Values) { q.Add("state", "other") }, true, ""},
		{"URL-encoded state", func(q url.Values) { q.Set("state", "a%2Fb") }, false, "INVALID_REQUEST"},
		{"state with dash", func(q url.Values) { q.Set("state", "abc-def") }, false, "INVALID_REQUEST"},
		{"unknown response_mode", func(q url.Values) { q.Set("response_mode", "fragment") }, false, "INVALID_REQUEST"},
		{"no response_type", func(q url.Values) { q.Del("response_type") }, false, "INVALID_REQUEST"},
		{"response_type token", func(q url.Values) { q.Set("response_type", "token") }, false, "UNSUPPORTED_RESPONSE_TYPE"},
		{"no scope", func(q url.Values) { q.Del("scope") }, false, "INVALID_SCOPE"},
		{"email without openid", func(q url.Values) { q.Set("scope", "profile email") }, false, "INVALID_SCOPE"},
		{"unknown scope", func(q url.Values) { q.Set("scope", "openid phone") }, false, "INVALID_SCOPE"},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, false, "INVALID_REQUEST"},
		{"challenge without method", func(q url.Values) { q.Del("code_challenge_method") }, false, "INVALID_REQUEST"},
		{"short challenge", func(q url.Values) { q.Set("code_challenge", "abc") }, false, "INVALID_REQUEST"},
		{"bad max_age", func(q url.Values) { q.Set("max_age", "-1") }, false, "INVALID_REQUEST"},
		{"bad prompt", func(q url.Values) { q.Set("prompt", "select_account") }, false, "INVALID_REQUEST"},
		{"bad bot_prompt", func(q url.Values) { q.Set("bot_prompt", "always") }, false, "INVALID_REQUEST"},
		{"bad disable_auto_login", func(q url.Values) { q.Set("disable_auto_login", "yes") }, false, "INVALID_REQUEST"},
		{"repeated scope", func(q url.Values) { q.Add("scope", "profile") }, false, "INVALID_REQUEST"},
		{"prompt none without a logged-in user", func(q url.Values) { q.Set("prompt", "none") }, false, "LOGIN_REQUIRED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLogin("profile openid")
			tc.change(l.params)
			res := authorize(t, s, l.params)
			if tc.page {
				body := readBody(t, res)
				if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" || !strings.Contains(body, "<html") {
					t.Fatalf("got %d Location=%q, want a 400 page", res.StatusCode, res.Header.Get("Location"))
				}
				return
			}
			q := redirectQuery(t, res)
			if q.Get("error") != tc.errCode || q.Get("state") != l.params.Get("state") || q.Get("error_description") == "" || q.Has("code") {
				t.Fatalf("callback query = %v, want error %s", q, tc.errCode)
			}
		})
	}
}

func TestAuthorize_AcceptsLINEOptionalParameters(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	l := newLogin("profile openid")
	for k, v := range map[string]string{
		"prompt": "consent", "max_age": "3600", "ui_locales": "ja-JP en", "bot_prompt": "normal",
		"initial_amr_display": "lineqr", "switch_amr": "false", "disable_auto_login": "true",
		"disable_ios_auto_login": "false", "response_mode": "query",
	} {
		l.params.Set(k, v)
	}
	tok := tokens(t, s, l)
	_, claims := hs256Claims(t, tok["id_token"].(string))
	if _, ok := claims["auth_time"].(float64); !ok {
		t.Errorf("auth_time missing with max_age: %v", claims)
	}
	reqs := s.Requests()
	if got := reqs[0].Query.Get("ui_locales"); got != "ja-JP en" {
		t.Errorf("recorded ui_locales = %q", got)
	}
}

func TestAuthorize_AnyCallbackURLAcceptsUnregisteredURLs(t *testing.T) {
	s := linetest.NewServer(t, linetest.Config{AutoApprove: brown().ID, AnyCallbackURL: true})
	l := newLogin("openid")
	l.params.Set("redirect_uri", "http://anything.test:8080/cb?x=1")
	res := authorize(t, s, l.params)
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), "http://anything.test:8080/cb?x=1&code=") {
		t.Fatalf("got %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	l.params.Set("redirect_uri", "javascript:alert(1)")
	if res := authorize(t, s, l.params); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("javascript: redirect_uri: %d, want 400", res.StatusCode)
	}
}

func TestSetAuthorizeError_RedirectsWithTheError(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	s.SetAuthorizeError("SERVER_ERROR", "try later")
	l := newLogin("openid")
	q := redirectQuery(t, authorize(t, s, l.params))
	if q.Get("error") != "SERVER_ERROR" || q.Get("error_description") != "try later" || q.Get("state") != l.params.Get("state") {
		t.Fatalf("callback query = %v", q)
	}
	s.SetAuthorizeError("", "")
	code(t, s, l)
}

func TestSetAutoApprove_SwitchesBetweenConsentAndApproval(t *testing.T) {
	s := newServer(t, linetest.Config{})
	l := newLogin("openid")
	if res := authorize(t, s, l.params); res.StatusCode != http.StatusOK {
		t.Fatalf("consent page: %d", res.StatusCode)
	}
	s.SetAutoApprove(cony().ID)
	_, claims := hs256Claims(t, tokens(t, s, l)["id_token"].(string))
	if claims["sub"] != cony().ID {
		t.Fatalf("sub = %v", claims["sub"])
	}
	s.SetAutoApprove("U00000000000000000000000000000000")
	if res := authorize(t, s, l.params); res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("unknown auto-approve user: %d, want 500", res.StatusCode)
	}
}
