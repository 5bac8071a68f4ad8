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
