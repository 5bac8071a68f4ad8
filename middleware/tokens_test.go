package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

func withTokens(clock *testkit.Clock) appOption {
	return func(c *middleware.Config) {
		c.Session.KeepRefreshToken = true
		c.Now = clock.Now
		// Longer than LINE's 30-day access tokens, so that the tests can
		// move the clock to a token's expiry within the session.
		c.Session.Lifetime = 60 * 24 * time.Hour
	}
}

// token asks the app's /token endpoint for the session's access token.
func (b *browser) token() (int, *oauth2.Token) {
	b.t.Helper()
	resp := b.do(http.MethodGet, b.app.url("/token"), http.Header{"Accept": {"application/json"}}, nil)
	var tok oauth2.Token
	if resp.StatusCode == http.StatusOK {
		json.NewDecoder(resp.Body).Decode(&tok)
	}
	return resp.StatusCode, &tok
}

func TestToken_NoRefreshWhileFresh(t *testing.T) {
	app := newTestApp(t, withTokens(testkit.NewClock(time.Now())))
	b := app.browser()
	b.mustLogin()
	status, tok := b.token()
	if status != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("/token: %d %+v", status, tok)
	}
	if n := app.platform.Count(linetest.PathToken); n != 1 {
		t.Errorf("token endpoint called %d times, want only the login's exchange", n)
	}
	if _, err := app.auth.Client().Profile(context.Background(), tok.AccessToken); err != nil {
		t.Errorf("the session's token does not work at LINE: %v", err)
	}
}

func TestToken_RefreshesBeforeExpiryAndSavesTheNewToken(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, withTokens(clock))
	b := app.browser()
	b.mustLogin()
	_, first := b.token()

	clock.Advance(linetest.DefaultAccessTokenTTL - 2*time.Minute) // near expiry
	status, second := b.token()
	if status != http.StatusOK || second.AccessToken == first.AccessToken {
		t.Fatalf("near expiry: %d, token changed: %v", status, second.AccessToken != first.AccessToken)
	}
	refreshes := 0
	for _, r := range app.platform.Requests() {
		if r.Path == linetest.PathToken && r.Form.Get("grant_type") == "refresh_token" {
			refreshes++
		}
	}
	if refreshes != 1 {
		t.Errorf("%d refresh calls, want 1", refreshes)
	}
	// The browser got the new token in its cookie: no second refresh.
	_, third := b.token()
	if third.AccessToken != second.AccessToken {
		t.Error("the refreshed token was not saved in the session")
	}
	if n := app.platform.Count(linetest.PathToken); n != 2 {
		t.Errorf("token endpoint called %d times, want 2 (exchange, refresh)", n)
	}
	if status, me := b.me(); status != http.StatusOK || me.User.ID != app.user.ID {
		t.Errorf("session after refresh: %d", status)
	}
}

func TestToken_ConcurrentRefreshesMakeOneCall(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, withTokens(clock))
	b := app.browser()
	b.mustLogin()
	clock.Advance(linetest.DefaultAccessTokenTTL - time.Minute)
	app.platform.SetFault(linetest.PathToken, linetest.Fault{Delay: 200 * time.Millisecond})
	var wg sync.WaitGroup
	tokens := make([]string, 20)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, tok := b.token()
			if status == http.StatusOK {
				tokens[i] = tok.AccessToken
			}
		}()
	}
	wg.Wait()
	for _, tok := range tokens {
		if tok == "" || tok != tokens[0] {
			t.Fatalf("concurrent refreshes returned %q", tokens)
		}
	}
	if n := app.platform.Count(linetest.PathToken); n != 2 {
		t.Errorf("token endpoint called %d times, want 2 (exchange, one refresh)", n)
	}
}

func TestToken_RejectedRefreshEndsSession(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, withTokens(clock))
	b := app.browser()
	b.mustLogin()
	clock.Advance(linetest.DefaultAccessTokenTTL)
	app.platform.SetFault(linetest.PathToken, linetest.Fault{
		Status: http.StatusBadRequest, Body: `{"error":"invalid_grant","error_description":"refresh token expired"}`,
		Header: http.Header{"Content-Type": {"application/json"}},
	})
	resp := b.do(http.MethodGet, app.url("/token"), nil, nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/token with a rejected refresh: %d", resp.StatusCode)
	}
	if c := setCookie(resp, sessionCookie); c == nil || c.MaxAge >= 0 {
		t.Error("the session cookie was not deleted")
	}
	if status, _ := b.me(); status != http.StatusUnauthorized {
		t.Errorf("/api/me after the rejected refresh: %d, want 401", status)
	}
}

func TestToken_WithoutRefreshTokenAnExpiredTokenMeansLogIn(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	app := newTestApp(t, func(c *middleware.Config) { c.Now = clock.Now })
	b := app.browser()
	b.mustLogin()
	clock.Advance(linetest.DefaultAccessTokenTTL + time.Minute)
	if status, _ := b.token(); status != http.StatusUnauthorized {
		t.Errorf("expired token, no refresh token: %d, want 401", status)
	}
	if n := app.platform.Count(linetest.PathToken); n != 1 {
		t.Errorf("refresh attempted without a refresh token")
	}
}

func TestFriendship_BothWays(t *testing.T) {
	app := newTestApp(t)
	for _, u := range app.platform.Users()[:2] { // Brown is a friend, Cony is not
		app.platform.SetAutoApprove(u.ID)
		b := app.browser()
		b.mustLogin()
		_, tok := b.token()
		friend, err := app.auth.Client().Friendship(context.Background(), tok.AccessToken)
		if err != nil || friend != u.Friend {
			t.Errorf("%s: friendship %v, %v; want %v", u.DisplayName, friend, err, u.Friend)
		}
	}
}

func TestAPIErrors_CarryStatusCodeAndRequestID(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	b.mustLogin()
	_, tok := b.token()
	for name, fault := range map[string]linetest.Fault{
		"message shape": {Status: 403, Body: `{"message":"Not allowed to use the API."}`},
		"oauth shape":   {Status: 400, Body: `{"error":"invalid_request","error_description":"bad"}`},
	} {
		t.Run(name, func(t *testing.T) {
			fault.Header = http.Header{"Content-Type": {"application/json"}, "X-Line-Request-Id": {"b0d7-4c55-9e1c"}}
			fault.Times = 1
			app.platform.SetFault(linetest.PathFriendship, fault)
			_, err := app.auth.Client().Friendship(context.Background(), tok.AccessToken)
			var ue *callback.UpstreamError
			if !errors.As(err, &ue) || ue.Status != fault.Status || ue.RequestID != "b0d7-4c55-9e1c" || ue.Message == "" {
				t.Fatalf("error %#v", err)
			}
			if name == "oauth shape" && ue.Code != "invalid_request" {
				t.Errorf("code %q", ue.Code)
			}
		})
	}
}

func TestUnregister_DeauthorizesAndEndsSession(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	b.mustLogin()
	_, tok := b.token()
	resp := b.do(http.MethodGet, app.url("/unregister"), nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/unregister: %d %s", resp.StatusCode, readBody(t, resp))
	}
	if app.platform.Count(linetest.PathDeauthorize) != 1 {
		t.Error("deauthorize not called")
	}
	if _, err := app.auth.Client().Profile(context.Background(), tok.AccessToken); err == nil {
		t.Error("the user's token still works after deauthorize")
	}
	if status, _ := b.me(); status != http.StatusUnauthorized {
		t.Errorf("still logged in after unregistering: %d", status)
	}
}

func TestLINEv20_EndpointsAreConfigurable(t *testing.T) {
	// An app migrating from v2.0 names its endpoints; here a proxy at
	// v2.0's token path forwards to linetest.
	var hits atomic.Int32
	platform := linetest.NewServer(t, linetest.Config{})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v2/oauth/accessToken" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		r.URL.Path = linetest.PathToken
		platform.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	app := newTestApp(t, func(c *middleware.Config) {
		c.LINE.Scopes = []string{"profile"} // v2.0 had no ID token
		c.LINE.TokenURL = proxy.URL + "/v2/oauth/accessToken"
		c.LINE.ChannelID, c.LINE.ChannelSecret = platform.ChannelID(), platform.ChannelSecret()
		c.LINE.AccessURL, c.LINE.APIURL = platform.AccessURL(), platform.APIURL()
		if err := platform.AddCallbackURL(c.LINE.RedirectURL); err != nil {
			t.Fatal(err)
		}
	})
	platform.SetAutoApprove(app.user.ID)
	b := app.browser()
	b.mustLogin()
	if status, me := b.me(); status != http.StatusOK || me.User.ID != app.user.ID {
		t.Errorf("login through the configured token URL: %d", status)
	}
	if hits.Load() != 1 {
		t.Errorf("the configured token URL got %d requests, want 1", hits.Load())
	}
}

func TestFriendship_StatusChangedFromTheCallbackIsOnTheUser(t *testing.T) {
	app := newTestApp(t, func(c *middleware.Config) { c.LINE.BotPrompt = "normal" })
	// LINE shows the add-friend option only to users who are not friends
	// yet (Cony), and reports true when the user ticks it.
	app.platform.SetAutoApprove(app.platform.Users()[1].ID)
	app.platform.SetAutoAddFriend(true)
	b := app.browser()
	cb := b.authorize(b.startLogin(""))
	if got := cb.Query().Get("friendship_status_changed"); got != "true" {
		t.Fatalf("linetest sent friendship_status_changed=%q, want true", got)
	}
	b.get(cb.String())
	_, me := b.me()
	if me.User == nil || me.User.FriendshipStatusChanged == nil || !*me.User.FriendshipStatusChanged {
		t.Errorf("FriendshipStatusChanged = %v, want true", me.User)
	}

	plain := newTestApp(t).browser() // no bot_prompt: LINE sends nothing
	plain.mustLogin()
	if _, me := plain.me(); me.User.FriendshipStatusChanged != nil {
		t.Error("FriendshipStatusChanged set without bot_prompt")
	}
}
