package linetest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

func TestToken_RejectsBadExchanges(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	for _, tc := range []struct {
		name    string
		change  func(url.Values)
		errCode string
	}{
		{"wrong secret", func(f url.Values) { f.Set("client_secret", strings.Repeat("x", 32)) }, "invalid_client"},
		{"no secret", func(f url.Values) { f.Del("client_secret") }, "invalid_client"},
		{"wrong client_id", func(f url.Values) { f.Set("client_id", "1111111111") }, "invalid_client"},
		{"unknown code", func(f url.Values) { f.Set("code", "nope") }, "invalid_grant"},
		{"redirect_uri mismatch", func(f url.Values) { f.Set("redirect_uri", callbackURL+"?from=app") }, "invalid_grant"},
		{"no redirect_uri", func(f url.Values) { f.Del("redirect_uri") }, "invalid_grant"},
		{"PKCE mismatch", func(f url.Values) { f.Set("code_verifier", strings.Repeat("w", 43)) }, "invalid_grant"},
		{"no verifier", func(f url.Values) { f.Del("code_verifier") }, "invalid_grant"},
		{"short verifier", func(f url.Values) { f.Set("code_verifier", "abc") }, "invalid_grant"},
		{"no grant_type", func(f url.Values) { f.Del("grant_type") }, "invalid_request"},
		{"password grant", func(f url.Values) { f.Set("grant_type", "password") }, "unsupported_grant_type"},
		{"repeated code", func(f url.Values) { f.Add("code", "x") }, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLogin("openid")
			form := exchangeForm(code(t, s, l), l)
			tc.change(form)
			res, body := postForm(t, s, linetest.PathToken, form)
			wantOAuthError(t, res, body, tc.errCode)
			if d, _ := body["error_description"].(string); d == "" {
				t.Error("no error_description")
			}
		})
	}
}

func TestToken_VerifierWithoutChallengeIsRejected(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	l := newLogin("openid")
	l.params.Del("code_challenge")
	l.params.Del("code_challenge_method")
	res, body := postForm(t, s, linetest.PathToken, exchangeForm(code(t, s, l), l))
	wantOAuthError(t, res, body, "invalid_grant")

	form := exchangeForm(code(t, s, l), l)
	form.Del("code_verifier")
	if res, body := postForm(t, s, linetest.PathToken, form); res.StatusCode != http.StatusOK {
		t.Fatalf("exchange without PKCE: %d %v", res.StatusCode, body)
	}
}

func TestToken_CodeIsSingleUseEvenWhenTheExchangeFails(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	l := newLogin("openid")

	c := code(t, s, l)
	form := exchangeForm(c, l)
	if res, body := postForm(t, s, linetest.PathToken, form); res.StatusCode != http.StatusOK {
		t.Fatalf("first exchange: %d %v", res.StatusCode, body)
	}
	res, body := postForm(t, s, linetest.PathToken, form)
	wantOAuthError(t, res, body, "invalid_grant")

	c = code(t, s, l)
	bad := exchangeForm(c, l)
	bad.Set("code_verifier", strings.Repeat("w", 43))
	res, body = postForm(t, s, linetest.PathToken, bad)
	wantOAuthError(t, res, body, "invalid_grant")
	res, body = postForm(t, s, linetest.PathToken, exchangeForm(c, l))
	wantOAuthError(t, res, body, "invalid_grant")
}

func TestToken_RejectsHTTPBasicClientAuthentication(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	l := newLogin("openid")
	c := code(t, s, l)

	for _, withBody := range []bool{false, true} {
		form := exchangeForm(c, l)
		if !withBody {
			form.Del("client_id")
			form.Del("client_secret")
		}
		req, _ := http.NewRequest(http.MethodPost, s.APIURL()+linetest.PathToken, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(linetest.DefaultChannelID, linetest.DefaultChannelSecret)
		res, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		wantOAuthError(t, res, decodeJSON(t, res), "invalid_client")
	}

	// Client authentication fails before the code is looked at, so a client
	// that retries with the credentials in the body still succeeds.
	if res, body := postForm(t, s, linetest.PathToken, exchangeForm(c, l)); res.StatusCode != http.StatusOK {
		t.Fatalf("retry with body credentials: %d %v", res.StatusCode, body)
	}
}

func TestToken_RejectsJSONBody(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	res, err := s.Client().Post(s.APIURL()+linetest.PathToken, "application/json", strings.NewReader(`{"grant_type":"authorization_code"}`))
	if err != nil {
		t.Fatal(err)
	}
	wantOAuthError(t, res, decodeJSON(t, res), "invalid_request")
}

func TestToken_CodeExpiresAfterCodeTTL(t *testing.T) {
	clock := newClock()
	s := newServer(t, linetest.Config{AutoApprove: brown().ID, Now: clock.Now})
	l := newLogin("openid")
	c := code(t, s, l)
	clock.Advance(linetest.DefaultCodeTTL)
	res, body := postForm(t, s, linetest.PathToken, exchangeForm(c, l))
	wantOAuthError(t, res, body, "invalid_grant")
}

func TestToken_ScopesShapeTheAnswer(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})

	tok := tokens(t, s, newLogin("profile"))
	if _, ok := tok["id_token"]; ok || tok["scope"] != "profile" {
		t.Errorf("profile only: %v", tok)
	}

	tok = tokens(t, s, newLogin("openid email"))
	if tok["scope"] != "openid" {
		t.Errorf("scope = %v, want openid (LINE never lists email)", tok["scope"])
	}
	_, claims := hs256Claims(t, tok["id_token"].(string))
	if claims["email"] != brown().Email {
		t.Errorf("email = %v", claims["email"])
	}
	for _, k := range []string{"name", "picture"} {
		if _, ok := claims[k]; ok {
			t.Errorf("%s present without the profile scope", k)
		}
	}

	l := newLogin("openid")
	l.params.Del("nonce")
	_, claims = hs256Claims(t, tokens(t, s, l)["id_token"].(string))
	if _, ok := claims["nonce"]; ok {
		t.Error("nonce present although none was sent")
	}
}

func TestToken_RefreshGrant(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	first := tokens(t, s, newLogin("profile openid"))
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {first["refresh_token"].(string)},
		"client_id":     {linetest.DefaultChannelID},
		"client_secret": {linetest.DefaultChannelSecret},
	}
	res, second := postForm(t, s, linetest.PathToken, form)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %d %v", res.StatusCode, second)
	}
	if second["access_token"] == first["access_token"] || second["refresh_token"] != first["refresh_token"] ||
		second["scope"] != "profile openid" || second["token_type"] != "Bearer" || second["expires_in"] != float64(2592000) {
		t.Errorf("refresh answer = %v", second)
	}
	if _, ok := second["id_token"]; ok {
		t.Error("refresh answer carries an ID token")
	}
	for _, at := range []any{first["access_token"], second["access_token"]} {
		if res, body := get(t, s, linetest.PathProfile, at.(string)); res.StatusCode != http.StatusOK {
			t.Errorf("profile: %d %v", res.StatusCode, body)
		}
	}

	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("client_secret", strings.Repeat("0", 32))
	res, body := postForm(t, s, linetest.PathToken, bad)
	wantOAuthError(t, res, body, "invalid_client")
	bad.Set("client_secret", linetest.DefaultChannelSecret)
	bad.Set("refresh_token", "unknown")
	res, body = postForm(t, s, linetest.PathToken, bad)
	wantOAuthError(t, res, body, "invalid_grant")
}
