package linetest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/linetest"
)

func TestVerifyAccessToken_RefusesExpiredAndUnknownTokens(t *testing.T) {
	clock := newClock()
	s := newServer(t, linetest.Config{Now: clock.Now, AccessTokenTTL: time.Hour})
	at, err := s.IssueAccessToken(brown().ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	verify := func(token string) (*http.Response, map[string]any) {
		return get(t, s, linetest.PathVerify+"?access_token="+url.QueryEscape(token), "")
	}
	res, body := verify(at)
	if res.StatusCode != http.StatusOK || body["expires_in"] != float64(3600) || body["scope"] != "profile openid" {
		t.Fatalf("verify: %d %v", res.StatusCode, body)
	}

	clock.Advance(59*time.Minute + 30*time.Second)
	res, body = verify(at)
	if res.StatusCode != http.StatusOK || body["expires_in"] != float64(30) {
		t.Fatalf("verify near expiry: %d %v", res.StatusCode, body)
	}
	clock.Advance(30 * time.Second)
	res, body = verify(at)
	wantOAuthError(t, res, body, "invalid_request")
	if body["error_description"] != "access token expired" {
		t.Errorf("error_description = %v", body["error_description"])
	}
	if res, _ := get(t, s, linetest.PathProfile, at); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("profile with an expired token: %d", res.StatusCode)
	}

	res, body = verify("eyJhbGciOiJIUzI1NiJ9.e30.AAAA")
	wantOAuthError(t, res, body, "invalid_request")
	if body["error_description"] != "invalid access token" {
		t.Errorf("error_description = %v", body["error_description"])
	}
	res, body = get(t, s, linetest.PathVerify, "")
	wantOAuthError(t, res, body, "invalid_request")
}

func TestExpireAccessTokens_ExpiresAllButRefreshStillWorks(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	tok := tokens(t, s, newLogin("profile"))
	issued, _ := s.IssueAccessToken(cony().ID, []string{"profile"})
	s.ExpireAccessTokens()
	for _, at := range []string{tok["access_token"].(string), issued} {
		res, body := get(t, s, linetest.PathVerify+"?access_token="+url.QueryEscape(at), "")
		if res.StatusCode != http.StatusBadRequest || body["error_description"] != "access token expired" {
			t.Errorf("verify after ExpireAccessTokens: %d %v", res.StatusCode, body)
		}
	}
	res, body := postForm(t, s, linetest.PathToken, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
		"client_id": {linetest.DefaultChannelID}, "client_secret": {linetest.DefaultChannelSecret},
	})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %d %v", res.StatusCode, body)
	}
	if res, _ := get(t, s, linetest.PathProfile, body["access_token"].(string)); res.StatusCode != http.StatusOK {
		t.Errorf("profile with the refreshed token: %d", res.StatusCode)
	}
}

func TestProfile_NeedsABearerTokenWithProfileScope(t *testing.T) {
	s := newServer(t, linetest.Config{})
	res, body := get(t, s, linetest.PathProfile, "")
	if res.StatusCode != http.StatusUnauthorized || body["message"] == nil || res.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("no token: %d %v", res.StatusCode, body)
	}
	if res, _ := get(t, s, linetest.PathProfile, "garbage"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown token: %d", res.StatusCode)
	}

	openidOnly, err := s.IssueAccessToken(brown().ID, []string{"openid"})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{linetest.PathProfile, linetest.PathFriendship} {
		if res, body := get(t, s, path, openidOnly); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s without profile scope: %d %v", path, res.StatusCode, body)
		}
	}

	at, _ := s.IssueAccessToken(brown().ID, []string{"profile"})
	res, body = get(t, s, linetest.PathProfile, at)
	if res.StatusCode != http.StatusOK || body["statusMessage"] != brown().StatusMessage || body["userId"] != brown().ID {
		t.Fatalf("profile: %d %v", res.StatusCode, body)
	}
	res, body = get(t, s, linetest.PathFriendship, at)
	if res.StatusCode != http.StatusOK || body["friendFlag"] != true {
		t.Fatalf("friendship: %d %v", res.StatusCode, body)
	}

	// The picture is a generated SVG served by the platform itself.
	res, err = s.Client().Get(pictureURL(t, s, at))
	if err != nil {
		t.Fatal(err)
	}
	svg := readBody(t, res)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(svg, ">B</text>") {
		t.Fatalf("avatar: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), svg)
	}
}

// pictureURL returns the pictureUrl of the profile of at.
func pictureURL(t *testing.T, s *linetest.Server, at string) string {
	t.Helper()
	_, body := get(t, s, linetest.PathProfile, at)
	u, _ := body["pictureUrl"].(string)
	return u
}

func TestIssueAccessToken_RejectsUnknownUsersAndScopes(t *testing.T) {
	s := newServer(t, linetest.Config{})
	if _, err := s.IssueAccessToken("Unope", nil); err == nil {
		t.Error("unknown user accepted")
	}
	if _, err := s.IssueAccessToken(brown().ID, []string{"email"}); err == nil {
		t.Error("email without openid accepted")
	}
}

func TestRevoke_ChecksTheClient(t *testing.T) {
	s := newServer(t, linetest.Config{})
	at, _ := s.IssueAccessToken(brown().ID, nil)
	res, body := postForm(t, s, linetest.PathRevoke, url.Values{
		"access_token": {at}, "client_id": {linetest.DefaultChannelID}, "client_secret": {"wrong"},
	})
	wantOAuthError(t, res, body, "invalid_client")
	if res, _ := get(t, s, linetest.PathProfile, at); res.StatusCode != http.StatusOK {
		t.Fatalf("token revoked by a refused request: %d", res.StatusCode)
	}
	s.RevokeAccessToken(at)
	if res, _ := get(t, s, linetest.PathProfile, at); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("profile after RevokeAccessToken: %d", res.StatusCode)
	}
}

func TestDeauthorize_RevokesEveryTokenOfTheUser(t *testing.T) {
	s := newServer(t, linetest.Config{})
	a, _ := s.IssueAccessToken(brown().ID, nil)
	b, _ := s.IssueAccessToken(brown().ID, nil)
	other, _ := s.IssueAccessToken(cony().ID, nil)

	send := func(channelToken, body string) int {
		req, _ := http.NewRequest(http.MethodPost, s.APIURL()+linetest.PathDeauthorize, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+channelToken)
		res, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, res)
		return res.StatusCode
	}
	if got := send("wrong", `{"userAccessToken":"`+a+`"}`); got != http.StatusUnauthorized {
		t.Fatalf("wrong channel token: %d", got)
	}
	if got := send(linetest.DefaultChannelAccessToken, `{}`); got != http.StatusBadRequest {
		t.Fatalf("no userAccessToken: %d", got)
	}
	if got := send(s.IssueChannelAccessToken(), `{"userAccessToken":"`+a+`"}`); got != http.StatusNoContent {
		t.Fatalf("deauthorize: %d", got)
	}
	for _, at := range []string{a, b} {
		if res, _ := get(t, s, linetest.PathProfile, at); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("token survived deauthorize: %d", res.StatusCode)
		}
	}
	if res, _ := get(t, s, linetest.PathProfile, other); res.StatusCode != http.StatusOK {
		t.Errorf("another user's token was revoked: %d", res.StatusCode)
	}
}

// deauthorize calls the deauthorize endpoint for userToken and returns the
// status.
func deauthorize(t *testing.T, s *linetest.Server, channelToken, userToken string) int {
	t.Helper()
	status, _ := deauthorizeBody(t, s, channelToken, userToken)
	return status
}

// deauthorizeBody is deauthorize, with the answer's body.
func deauthorizeBody(t *testing.T, s *linetest.Server, channelToken, userToken string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.APIURL()+linetest.PathDeauthorize, strings.NewReader(`{"userAccessToken":"`+userToken+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+channelToken)
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, readBody(t, res)
}

func TestDeauthorize_InvalidUserTokenGetsLINEsMessage(t *testing.T) {
	s := newServer(t, linetest.Config{})
	at, _ := s.IssueAccessToken(brown().ID, nil)
	if status := deauthorize(t, s, linetest.DefaultChannelAccessToken, at); status != http.StatusNoContent {
		t.Fatalf("deauthorize: %d", status)
	}
	// LINE's reference: 400 {"message":"invalid token"} when the user
	// already deauthorized the app, or the app did it for them.
	for _, token := range []string{at, "not-a-token"} {
		status, body := deauthorizeBody(t, s, linetest.DefaultChannelAccessToken, token)
		if status != http.StatusBadRequest || body != `{"message":"invalid token"}` {
			t.Errorf("deauthorize again: %d %s", status, body)
		}
	}
}
