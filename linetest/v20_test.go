package linetest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

// v20Params is a LINE Login v2.0 authorization request, as the v2.0 guide
// shows it.
func v20Params() url.Values {
	return url.Values{
		"response_type": {"code"},
		"client_id":     {linetest.DefaultChannelID},
		"redirect_uri":  {callbackURL},
		"state":         {"123abc"},
	}
}

// authorizeV20 sends a v2.0 authorization request without following
// redirects.
func authorizeV20(t *testing.T, s *linetest.Server, params url.Values) *http.Response {
	t.Helper()
	res, err := noRedirects(s).Get(s.AccessURL() + linetest.PathAuthorizeV20 + "?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestV20_LoginTokenAndProfile(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	q := redirectQuery(t, authorizeV20(t, s, v20Params()))
	if q.Get("state") != "123abc" || q.Get("code") == "" || len(q) != 2 {
		t.Fatalf("callback query = %v, want code and state only", q)
	}
	res, tok := postForm(t, s, linetest.PathTokenV20, url.Values{
		"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {callbackURL},
		"client_id": {linetest.DefaultChannelID}, "client_secret": {linetest.DefaultChannelSecret},
	})
	if res.StatusCode != http.StatusOK || tok["scope"] != "P" || tok["token_type"] != "Bearer" || tok["refresh_token"] == "" {
		t.Fatalf("v2.0 token: %d %v", res.StatusCode, tok)
	}
	if _, ok := tok["id_token"]; ok {
		t.Error("v2.0 token answer has an ID token")
	}
	res, prof := get(t, s, linetest.PathProfile, tok["access_token"].(string))
	if res.StatusCode != http.StatusOK || prof["userId"] != brown().ID {
		t.Fatalf("profile with a v2.0 token: %d %v", res.StatusCode, prof)
	}
}

func TestV20_CancelRedirectsWithErrorCodeAndMessage(t *testing.T) {
	s := newServer(t, linetest.Config{})
	m := requestIDPattern.FindStringSubmatch(readBody(t, authorizeV20(t, s, v20Params())))
	if m == nil {
		t.Fatal("no consent page")
	}
	res, err := noRedirects(s).PostForm(s.AccessURL()+linetest.PathConsent, url.Values{"request": {m[1]}, "deny": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	// Exactly the v2.0 guide's example, parameter order included.
	want := callbackURL + "?error_description=The+user+has+denied+the+approval&errorMessage=DISALLOWED&errorCode=417&state=123abc&error=access_denied"
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != want {
		t.Fatalf("got %d %q, want 302 %q", res.StatusCode, res.Header.Get("Location"), want)
	}
}

func TestV20_CodesAreNotExchangedAcrossVersions(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	v20Code := redirectQuery(t, authorizeV20(t, s, v20Params())).Get("code")
	l := newLogin("openid")
	form := exchangeForm(v20Code, l)
	form.Del("code_verifier")
	res, body := postForm(t, s, linetest.PathToken, form)
	wantOAuthError(t, res, body, "invalid_grant")

	v21Code := code(t, s, l)
	res, body = postForm(t, s, linetest.PathTokenV20, url.Values{
		"grant_type": {"authorization_code"}, "code": {v21Code}, "redirect_uri": {callbackURL},
		"client_id": {linetest.DefaultChannelID}, "client_secret": {linetest.DefaultChannelSecret},
	})
	wantOAuthError(t, res, body, "invalid_grant")
}

func TestV20_RefusesWhatLINERefuses(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	for name, change := range map[string]func(url.Values){
		"unregistered redirect_uri": func(q url.Values) { q.Set("redirect_uri", "http://evil.test/cb") },
		"wrong client_id":           func(q url.Values) { q.Set("client_id", "999") },
		"no state":                  func(q url.Values) { q.Del("state") },
		"response_type token":       func(q url.Values) { q.Set("response_type", "token") },
	} {
		q := v20Params()
		change(q)
		if res := authorizeV20(t, s, q); res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
			t.Errorf("%s: %d %q, want the error page", name, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

// v20Tokens runs a v2.0 login as Brown and returns its token answer.
func v20Tokens(t *testing.T, s *linetest.Server) map[string]any {
	t.Helper()
	q := redirectQuery(t, authorizeV20(t, s, v20Params()))
	res, tok := postForm(t, s, linetest.PathTokenV20, url.Values{
		"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {callbackURL},
		"client_id": {linetest.DefaultChannelID}, "client_secret": {linetest.DefaultChannelSecret},
	})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("v2.0 token: %d %v", res.StatusCode, tok)
	}
	return tok
}

// v20Refresh is a v2.0 refresh request, as the v2.0 reference shows it.
func v20Refresh(refreshToken string) url.Values {
	return url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {refreshToken},
		"client_id": {linetest.DefaultChannelID}, "client_secret": {linetest.DefaultChannelSecret},
	}
}

// TestV20_VerifyRefreshAndRevoke walks a v2.0 login through the v2.0 API
// as its reference describes it: verify answers scope "P", client_id and
// expires_in; refresh answers token_type, scope, access_token, expires_in
// and refresh_token; revoke takes the refresh token, answers 200 with an
// empty body, and ends the login's tokens.
func TestV20_VerifyRefreshAndRevoke(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	tok := v20Tokens(t, s)
	first, refreshToken := tok["access_token"].(string), tok["refresh_token"].(string)

	res, v := postForm(t, s, linetest.PathVerifyV20, url.Values{"access_token": {first}})
	if res.StatusCode != http.StatusOK || v["scope"] != "P" || v["client_id"] != linetest.DefaultChannelID || len(v) != 3 {
		t.Fatalf("v2.0 verify: %d %v, want 200 with scope P, client_id and expires_in only", res.StatusCode, v)
	}
	if ei, _ := v["expires_in"].(float64); ei <= 2591000 || ei > 2592000 {
		t.Errorf("v2.0 verify expires_in = %v", v["expires_in"])
	}
	if res.Header.Get("X-Line-Request-Id") == "" {
		t.Error("v2.0 verify without x-line-request-id")
	}

	res, r := postForm(t, s, linetest.PathTokenV20, v20Refresh(refreshToken))
	if res.StatusCode != http.StatusOK || r["token_type"] != "Bearer" || r["scope"] != "P" || r["refresh_token"] != refreshToken ||
		r["access_token"] == first || r["expires_in"] != float64(2592000) || len(r) != 5 {
		t.Fatalf("v2.0 refresh: %d %v, want token_type, scope P, a new access_token, expires_in and the refresh_token", res.StatusCode, r)
	}
	second := r["access_token"].(string)
	for _, at := range []string{first, second} {
		if res, v := postForm(t, s, linetest.PathVerifyV20, url.Values{"access_token": {at}}); res.StatusCode != http.StatusOK {
			t.Fatalf("v2.0 verify after refresh: %d %v", res.StatusCode, v)
		}
	}
	if res, prof := get(t, s, linetest.PathProfile, second); res.StatusCode != http.StatusOK || prof["userId"] != brown().ID {
		t.Fatalf("profile with the refreshed token: %d %v", res.StatusCode, prof)
	}

	res, err := s.Client().PostForm(s.APIURL()+linetest.PathRevokeV20, url.Values{"refresh_token": {refreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, res); res.StatusCode != http.StatusOK || body != "" {
		t.Fatalf("v2.0 revoke: %d %q, want 200 with an empty body", res.StatusCode, body)
	}
	for _, at := range []string{first, second} {
		res, v := postForm(t, s, linetest.PathVerifyV20, url.Values{"access_token": {at}})
		wantOAuthError(t, res, v, "invalid_request")
		if res, _ := get(t, s, linetest.PathProfile, at); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("profile after revoke: %d, want 401", res.StatusCode)
		}
	}
	res, r = postForm(t, s, linetest.PathTokenV20, v20Refresh(refreshToken))
	wantOAuthError(t, res, r, "invalid_grant")
	if r["error_description"] != "invalid refresh token" {
		t.Errorf("refresh after revoke: error_description %v", r["error_description"])
	}
}

// TestV20_VerifyRefusesWhatLINERefuses: an expired token gets the v2.0
// reference's 400 {"error":"invalid_request","error_description":"access
// token expired"}; a missing, repeated or unknown token, or a token in the
// query string instead of the form body, a 400 invalid_request; GET a 405.
func TestV20_VerifyRefusesWhatLINERefuses(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	at := v20Tokens(t, s)["access_token"].(string)
	for name, form := range map[string]url.Values{
		"no access_token":       {},
		"access_token repeated": {"access_token": {at, at}},
		"unknown access_token":  {"access_token": {"nope"}},
	} {
		res, v := postForm(t, s, linetest.PathVerifyV20, form)
		if res.StatusCode != http.StatusBadRequest || v["error"] != "invalid_request" {
			t.Errorf("%s: %d %v, want 400 invalid_request", name, res.StatusCode, v)
		}
	}
	res, err := s.Client().Post(s.APIURL()+linetest.PathVerifyV20+"?access_token="+url.QueryEscape(at), "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := decodeJSON(t, res); res.StatusCode != http.StatusBadRequest || v["error"] != "invalid_request" {
		t.Errorf("token in the query: %d %v, want 400 invalid_request", res.StatusCode, v)
	}
	if res, _ := get(t, s, linetest.PathVerifyV20+"?access_token="+url.QueryEscape(at), ""); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET v2.0 verify: %d, want 405", res.StatusCode)
	}

	s.ExpireAccessTokens()
	res, v := postForm(t, s, linetest.PathVerifyV20, url.Values{"access_token": {at}})
	if res.StatusCode != http.StatusBadRequest || v["error"] != "invalid_request" || v["error_description"] != "access token expired" {
		t.Fatalf("expired: %d %v, want the v2.0 reference's 400", res.StatusCode, v)
	}
}

// TestV20_RefreshAndRevokeRefuseWhatLINERefuses: refresh needs the
// channel's credentials in the body and a refresh token LINE issued;
// revoke needs a refresh token in a form body, and like v2.1's answers
// 200 for one it does not know.
func TestV20_RefreshAndRevokeRefuseWhatLINERefuses(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	rt := v20Tokens(t, s)["refresh_token"].(string)
	for name, tc := range map[string]struct {
		change func(url.Values)
		code   string
	}{
		"wrong client_secret":    {func(f url.Values) { f.Set("client_secret", "x"+linetest.DefaultChannelSecret[1:]) }, "invalid_client"},
		"no client_secret":       {func(f url.Values) { f.Del("client_secret") }, "invalid_client"},
		"no refresh_token":       {func(f url.Values) { f.Del("refresh_token") }, "invalid_request"},
		"unknown refresh_token":  {func(f url.Values) { f.Set("refresh_token", "nope") }, "invalid_grant"},
		"grant_type password":    {func(f url.Values) { f.Set("grant_type", "password") }, "unsupported_grant_type"},
		"refresh_token repeated": {func(f url.Values) { f["refresh_token"] = []string{rt, rt} }, "invalid_request"},
	} {
		f := v20Refresh(rt)
		tc.change(f)
		res, body := postForm(t, s, linetest.PathTokenV20, f)
		if res.StatusCode != http.StatusBadRequest || body["error"] != tc.code {
			t.Errorf("refresh, %s: %d %v, want 400 %s", name, res.StatusCode, body, tc.code)
		}
	}

	res, body := postForm(t, s, linetest.PathRevokeV20, url.Values{})
	wantOAuthError(t, res, body, "invalid_request")
	res, body = postForm(t, s, linetest.PathRevokeV20, url.Values{"refresh_token": {"nope"}})
	if res.StatusCode != http.StatusOK || body != nil {
		t.Errorf("revoke of an unknown token: %d %v, want 200 with an empty body", res.StatusCode, body)
	}
	// The refusals above spent nothing: the login still refreshes.
	if res, body := postForm(t, s, linetest.PathTokenV20, v20Refresh(rt)); res.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %d %v", res.StatusCode, body)
	}
}
