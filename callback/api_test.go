package callback_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
)

// This file tests the Client's calls to the LINE Login API (Profile,
// Friendship, Refresh, Revoke, Deauthorize, UserFromAccessToken) over real
// HTTP against linetest: what a caller gets back when LINE answers, and
// which single error category, with which fields, when it does not.

// apiStart is where the API tests' clock starts: far from the wall clock,
// so that a time taken from time.Now instead of the injected clock shows.
var apiStart = time.Date(2031, time.March, 4, 5, 6, 7, 0, time.UTC)

// newAPIPlatform starts a platform that approves logins as the first test
// user, and a client for it; both read one clock, which starts at apiStart.
func newAPIPlatform(t *testing.T) (*linetest.Server, *callback.Client, *testkit.Clock) {
	t.Helper()
	clock := testkit.NewClock(apiStart)
	p := linetest.NewServer(t, linetest.Config{
		CallbackURLs: []string{"https://app.example/callback"},
		AutoApprove:  linetest.DefaultUsers()[0].ID,
		Now:          clock.Now,
	})
	return p, newClient(t, p, clock), clock
}

// newClientFor is newClient with a changed configuration.
func newClientFor(t *testing.T, p *linetest.Server, clock *testkit.Clock, change func(*callback.Config)) *callback.Client {
	t.Helper()
	cfg := newConfig(p)
	change(&cfg)
	c, err := callback.New(cfg, withClock(clock)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func issueAccessToken(t *testing.T, p *linetest.Server, userID string) string {
	t.Helper()
	tok, err := p.IssueAccessToken(userID, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// logIn runs a whole login (authorize, auto-approved, and Exchange) and
// returns its tokens: the only way to a refresh token.
func logIn(t *testing.T, p *linetest.Server, c *callback.Client) *oauth2.Token {
	t.Helper()
	a := newAttempt()
	code := authorizeCode(t, p, authURL(t, c, a))
	login, err := c.Exchange(context.Background(), a, callback.Response{Code: code, State: a.State})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if login.Token.AccessToken == "" || login.Token.RefreshToken == "" {
		t.Fatalf("login without tokens: %+v", login.Token)
	}
	return login.Token
}

// apiCategories are the package's error categories: every error must match
// exactly one.
var apiCategories = []struct {
	name string
	err  error
}{
	{"ErrConfig", callback.ErrConfig},
	{"ErrUpstream", callback.ErrUpstream},
	{"ErrState", callback.ErrState},
	{"ErrAuthorization", callback.ErrAuthorization},
	{"ErrCodeRejected", callback.ErrCodeRejected},
	{"ErrInvalidToken", callback.ErrInvalidToken},
	{"ErrRefreshRejected", callback.ErrRefreshRejected},
}

// assertCategory checks that err matches want and no other category.
func assertCategory(t *testing.T, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one matching %v", want)
	}
	for _, c := range apiCategories {
		if got := errors.Is(err, c.err); got != (c.err == want) {
			t.Errorf("errors.Is(%q, %s) = %v; want only %v", err, c.name, got, want)
		}
	}
}

// upstreamError returns the *UpstreamError in err's chain.
func upstreamError(t *testing.T, err error) *callback.UpstreamError {
	t.Helper()
	var ue *callback.UpstreamError
	if !errors.As(err, &ue) {
		t.Fatalf("%q (%T) is not an *UpstreamError", err, err)
	}
	return ue
}

// tokenError returns the *TokenError in err's chain.
func tokenError(t *testing.T, err error) *callback.TokenError {
	t.Helper()
	var te *callback.TokenError
	if !errors.As(err, &te) {
		t.Fatalf("%q (%T) is not a *TokenError", err, err)
	}
	return te
}

// assertNotInError checks that none of secrets (tokens, LINE's messages,
// URLs) shows in err's text, which ends up in logs.
func assertNotInError(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains %q", err, s)
		}
	}
}

// requestsTo returns the recorded requests for path.
func requestsTo(p *linetest.Server, path string) []linetest.Request {
	var out []linetest.Request
	for _, r := range p.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// lastRequestTo returns the last recorded request for path.
func lastRequestTo(t *testing.T, p *linetest.Server, path string) linetest.Request {
	t.Helper()
	rs := requestsTo(p, path)
	if len(rs) == 0 {
		t.Fatalf("no request to %s", path)
	}
	return rs[len(rs)-1]
}

// lineMessage is an error message LINE might send: it echoes what it was
// sent, so it must never reach Error().
const lineMessage = "LINE-SAYS-the-token-you-sent-was-"

const requestID = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f0"

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// withRequestID returns jsonHeader plus LINE's x-line-request-id.
func withRequestID() http.Header {
	h := jsonHeader.Clone()
	h.Set("X-Line-Request-Id", requestID)
	return h
}

// TestAPI_OutagesAreUpstreamErrors runs every LINE API call against LINE
// being broken, busy, slow, unreachable or answering garbage: each must
// fail with ErrUpstream alone, naming the endpoint and the status, keeping
// LINE's request ID, and never showing a token, LINE's message or a URL.
func TestAPI_OutagesAreUpstreamErrors(t *testing.T) {
	type call struct {
		name, op, path string
		// decodes is true for the calls that read a JSON answer; revoke
		// and deauthorize only need a 2xx.
		decodes bool
		// malformedStatus is the Status of a 200 with a body that is not
		// LINE's: x/oauth2 hides the response of a token-endpoint answer it
		// cannot parse, so refresh reports 0.
		malformedStatus int
		run             func(t *testing.T, ctx context.Context, p *linetest.Server, c *callback.Client, token string) error
	}
	calls := []call{
		{"Profile", "profile", linetest.PathProfile, true, http.StatusOK,
			func(t *testing.T, ctx context.Context, p *linetest.Server, c *callback.Client, token string) error {
				prof, err := c.Profile(ctx, token)
				if prof != nil {
					t.Errorf("a profile with the error: %+v", prof)
				}
				return err
			}},
		{"Friendship", "friendship", linetest.PathFriendship, true, http.StatusOK,
			func(t *testing.T, ctx context.Context, p *linetest.Server, c *callback.Client, token string) error {
				friend, err := c.Friendship(ctx, token)
				if friend {
					t.Error("friendFlag true with the error")
				}
				return err
			}},
		{"Refresh", "refresh", linetest.PathToken, true, 0,
			func(t *testing.T, ctx context.Context, p *linetest.Server, c *callback.Client, token string) error {
				tok, err := c.Refresh(ctx, token)
				if tok != nil {
					t.Errorf("a token with the error: %+v", tok)
				}
				return err
			}},
		{"Revoke", "revoke", linetest.PathRevoke, false, 0,
			func(t *testing.T, ctx context.Context, p *linetest.Server, c *callback.Client, token string) error {
				return c.Revoke(ctx, token)
			}},
		{"Deauthorize", "deauthorize", linetest.PathDeauthorize, false, 0,
			func(t *testing.T, ctx context.Context, p *linetest.Server, c *callback.Client, token string) error {
				return c.Deauthorize(ctx, linetest.DefaultChannelAccessToken, token)
			}},
		{"UserFromAccessToken/verify", "verify", linetest.PathVerify, true, http.StatusOK,
			func(t *testing.T, ctx context.Context, p *linetest.Server, c *callback.Client, token string) error {
				u, exp, err := c.UserFromAccessToken(ctx, token)
				if u != nil || !exp.IsZero() {
					t.Errorf("a user with the error: %+v, %v", u, exp)
				}
				return err
			}},
		{"UserFromAccessToken/profile", "profile", linetest.PathProfile, true, http.StatusOK,
			func(t *testing.T, ctx context.Context, p *linetest.Server, c *callback.Client, token string) error {
				u, exp, err := c.UserFromAccessToken(ctx, token)
				if u != nil || !exp.IsZero() {
					t.Errorf("a user with the error: %+v, %v", u, exp)
				}
				return err
			}},
		{"LINEVerifier", "verify", linetest.PathVerify, true, http.StatusOK,
			func(t *testing.T, ctx context.Context, p *linetest.Server, c *callback.Client, _ string) error {
				raw, err := p.IssueLIFFIDToken(p.Users()[0].ID, "")
				if err != nil {
					t.Fatal(err)
				}
				u, err := callback.LINEVerifier{Client: c}.VerifyIDToken(ctx, raw, "")
				if u != nil {
					t.Errorf("a user with the error: %+v", u)
				}
				assertNotInError(t, err, raw)
				return err
			}},
	}
	type outage struct {
		name      string
		fault     linetest.Fault
		status    int  // the UpstreamError's Status; -1 for the call's malformedStatus
		requestID bool // whether LINE's request ID comes back
		malformed bool // only for the calls that decode the answer
	}
	outages := []outage{
		{"500 with LINE's message", linetest.Fault{Status: http.StatusInternalServerError,
			Body: `{"message":"` + lineMessage + `"}`, Header: withRequestID()}, 500, true, false},
		{"500 with an OAuth error", linetest.Fault{Status: http.StatusInternalServerError,
			Body: `{"error":"server_error","error_description":"` + lineMessage + `"}`, Header: withRequestID()}, 500, true, false},
		{"502 HTML page", linetest.Fault{Status: http.StatusBadGateway, Body: "<html>" + lineMessage + "</html>",
			Header: http.Header{"Content-Type": {"text/html"}, "X-Line-Request-Id": {requestID}}}, 502, true, false},
		{"503 empty", linetest.Fault{Status: http.StatusServiceUnavailable, Header: withRequestID()}, 503, true, false},
		{"429", linetest.Fault{Status: http.StatusTooManyRequests, Body: `{"message":"` + lineMessage + `"}`,
			Header: withRequestID()}, 429, true, false},
		{"timeout", linetest.Fault{Delay: time.Minute}, 0, false, false},
		{"200 HTML", linetest.Fault{Body: "<html>" + lineMessage + "</html>",
			Header: http.Header{"Content-Type": {"text/html"}}}, -1, false, true},
		{"200 truncated JSON", linetest.Fault{Body: `{"userId":"U1","friendFlag":tr`, Header: jsonHeader}, -1, false, true},
		{"200 JSON of the wrong shape", linetest.Fault{Body: `["` + lineMessage + `"]`, Header: jsonHeader}, -1, false, true},
	}
	check := func(t *testing.T, cl call, err error, status int, wantRequestID bool, token string, p *linetest.Server) {
		t.Helper()
		assertCategory(t, err, callback.ErrUpstream)
		ue := upstreamError(t, err)
		if ue.Op != cl.op || ue.Status != status {
			t.Errorf("Op %q, Status %d; want %q, %d", ue.Op, ue.Status, cl.op, status)
		}
		if got := ue.RequestID; (got == requestID) != wantRequestID || (got != "" && got != requestID) {
			t.Errorf("RequestID %q; LINE sent one: %v", got, wantRequestID)
		}
		assertNotInError(t, err, token, lineMessage, p.APIURL(), "access_token", p.ChannelSecret(), linetest.DefaultChannelAccessToken)
	}
	for _, cl := range calls {
		t.Run(cl.name, func(t *testing.T) {
			// The timeouts wait out the client's Timeout: run the calls
			// side by side.
			t.Parallel()
			p, c, _ := newAPIPlatform(t)
			token := issueAccessToken(t, p, p.Users()[0].ID)
			if cl.name == "Refresh" {
				token = "some-refresh-token" // the fault answers before any check
			}
			for _, o := range outages {
				if o.malformed && !cl.decodes {
					continue
				}
				t.Run(o.name, func(t *testing.T) {
					p.SetFault(cl.path, o.fault)
					defer p.ClearFaults()
					err := cl.run(t, context.Background(), p, c, token)
					status := o.status
					if status < 0 {
						status = cl.malformedStatus
					}
					check(t, cl, err, status, o.requestID, token, p)
				})
			}
			if cl.name == "UserFromAccessToken/profile" {
				return // unreachable, verify fails too, as above
			}
			// Last, LINE unreachable: a transport error, whose *url.Error
			// would print the URL (with the access token, for verify).
			t.Run("unreachable", func(t *testing.T) {
				p.Close()
				err := cl.run(t, context.Background(), p, c, token)
				check(t, cl, err, 0, false, token, p)
			})
		})
	}
}

// TestProfile_ReturnsTheUsersProfile reads each test user's profile with
// that user's access token, sent as a bearer token and nowhere else.
func TestProfile_ReturnsTheUsersProfile(t *testing.T) {
	p, c, _ := newAPIPlatform(t)
	for _, u := range p.Users() {
		t.Run(u.DisplayName, func(t *testing.T) {
			tok := issueAccessToken(t, p, u.ID)
			prof, err := c.Profile(context.Background(), tok)
			if err != nil {
				t.Fatal(err)
			}
			want := callback.Profile{UserID: u.ID, DisplayName: u.DisplayName, PictureURL: u.PictureURL, StatusMessage: u.StatusMessage}
			if *prof != want {
				t.Errorf("Profile = %+v; want %+v", *prof, want)
			}
			r := lastRequestTo(t, p, linetest.PathProfile)
			if r.Method != http.MethodGet || r.Header.Get("Authorization") != "Bearer "+tok || len(r.Query) != 0 {
				t.Errorf("request %s %v, Authorization %q; want GET with the bearer token only", r.Method, r.Query, r.Header.Get("Authorization"))
			}
		})
	}
}

// TestProfile_RefusedTokenIsInvalidToken: a token the profile API refuses
// (401) is the caller's bad token, not LINE being down.
func TestProfile_RefusedTokenIsInvalidToken(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token func(t *testing.T, p *linetest.Server, clock *testkit.Clock) string
	}{
		{"unknown", func(*testing.T, *linetest.Server, *testkit.Clock) string { return "not-a-line-access-token" }},
		{"revoked", func(t *testing.T, p *linetest.Server, _ *testkit.Clock) string {
			tok := issueAccessToken(t, p, p.Users()[0].ID)
			p.RevokeAccessToken(tok)
			return tok
		}},
		{"expired", func(t *testing.T, p *linetest.Server, clock *testkit.Clock) string {
			tok := issueAccessToken(t, p, p.Users()[0].ID)
			clock.Advance(linetest.DefaultAccessTokenTTL)
			return tok
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c, clock := newAPIPlatform(t)
			tok := tc.token(t, p, clock)
			// The platform answers itself; the fault only adds the header.
			p.SetFault(linetest.PathProfile, linetest.Fault{Header: http.Header{"X-Line-Request-Id": {requestID}}})
			prof, err := c.Profile(context.Background(), tok)
			if prof != nil {
				t.Errorf("a profile with the error: %+v", prof)
			}
			assertCategory(t, err, callback.ErrInvalidToken)
			ue := upstreamError(t, err)
			if ue.Op != "profile" || ue.Status != http.StatusUnauthorized || ue.RequestID != requestID {
				t.Errorf("Op %q, Status %d, RequestID %q; want profile, 401, LINE's", ue.Op, ue.Status, ue.RequestID)
			}
			if ue.Message == "" {
				t.Error("LINE's message is not kept in Message for the app")
			}
			assertNotInError(t, err, tok, ue.Message, "Authentication failed")
		})
	}
}

// TestProfile_AnswerWithoutUserIDIsUpstream: a 200 without a userId names
// nobody, so it is an unusable answer, not a user.
func TestProfile_AnswerWithoutUserIDIsUpstream(t *testing.T) {
	p, c, _ := newAPIPlatform(t)
	tok := issueAccessToken(t, p, p.Users()[0].ID)
	for _, body := range []string{`{}`, `{"userId":"","displayName":"Brown"}`, `null`} {
		p.SetFault(linetest.PathProfile, linetest.Fault{Body: body, Header: jsonHeader})
		prof, err := c.Profile(context.Background(), tok)
		if prof != nil {
			t.Errorf("%s: profile %+v", body, prof)
		}
		assertCategory(t, err, callback.ErrUpstream)
		if ue := upstreamError(t, err); ue.Op != "profile" || ue.Status != http.StatusOK {
			t.Errorf("%s: Op %q, Status %d; want profile, 200", body, ue.Op, ue.Status)
		}
	}
}

// TestFriendship_ReportsFriendFlag asks, for each test user, whether they
// are a friend of the channel's official account.
func TestFriendship_ReportsFriendFlag(t *testing.T) {
	p, c, _ := newAPIPlatform(t)
	sawFriend, sawStranger := false, false
	for _, u := range p.Users() {
		t.Run(u.DisplayName, func(t *testing.T) {
			tok := issueAccessToken(t, p, u.ID)
			friend, err := c.Friendship(context.Background(), tok)
			if err != nil || friend != u.Friend {
				t.Fatalf("Friendship = %v, %v; want %v", friend, err, u.Friend)
			}
			r := lastRequestTo(t, p, linetest.PathFriendship)
			if r.Method != http.MethodGet || r.Header.Get("Authorization") != "Bearer "+tok || len(r.Query) != 0 {
				t.Errorf("request %s %v, Authorization %q; want GET with the bearer token only", r.Method, r.Query, r.Header.Get("Authorization"))
			}
		})
		sawFriend = sawFriend || u.Friend
		sawStranger = sawStranger || !u.Friend
	}
	if !sawFriend || !sawStranger {
		t.Fatal("the test users do not include both a friend and a non-friend")
	}
}

// TestFriendship_Failures: a refused token is ErrInvalidToken; an answer
// without a boolean friendFlag is unusable, and never reads as "not a
// friend".
func TestFriendship_Failures(t *testing.T) {
	p, c, _ := newAPIPlatform(t)
	tok := issueAccessToken(t, p, p.Users()[0].ID)
	for _, tc := range []struct {
		name   string
		token  string
		fault  *linetest.Fault
		want   error
		status int
	}{
		{"unknown token", "not-a-line-access-token", nil, callback.ErrInvalidToken, http.StatusUnauthorized},
		{"no friendFlag", tok, &linetest.Fault{Body: `{}`, Header: jsonHeader}, callback.ErrUpstream, http.StatusOK},
		{"friendFlag null", tok, &linetest.Fault{Body: `{"friendFlag":null}`, Header: jsonHeader}, callback.ErrUpstream, http.StatusOK},
		{"friendFlag a string", tok, &linetest.Fault{Body: `{"friendFlag":"true"}`, Header: jsonHeader}, callback.ErrUpstream, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.ClearFaults()
			if tc.fault != nil {
				p.SetFault(linetest.PathFriendship, *tc.fault)
			}
			friend, err := c.Friendship(context.Background(), tc.token)
			if friend {
				t.Error("friendFlag true with the error")
			}
			assertCategory(t, err, tc.want)
			if ue := upstreamError(t, err); ue.Op != "friendship" || ue.Status != tc.status {
				t.Errorf("Op %q, Status %d; want friendship, %d", ue.Op, ue.Status, tc.status)
			}
			assertNotInError(t, err, tc.token)
		})
	}
}

// TestRefresh_NewAccessTokenDatedByTheClock: a refresh returns a new,
// working access token, the same refresh token, and an Expiry dated by the
// injected clock at the time of the refresh.
func TestRefresh_NewAccessTokenDatedByTheClock(t *testing.T) {
	p, c, clock := newAPIPlatform(t)
	login := logIn(t, p, c)
	if want := apiStart.Add(linetest.DefaultAccessTokenTTL); !login.Expiry.Equal(want) {
		t.Errorf("login token Expiry %v; want %v", login.Expiry, want)
	}
	clock.Advance(2 * time.Hour)
	tok, err := c.Refresh(context.Background(), login.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.AccessToken == login.AccessToken {
		t.Errorf("access token %q; want a new one", tok.AccessToken)
	}
	if tok.RefreshToken != login.RefreshToken {
		t.Errorf("refresh token %q; want LINE's, unchanged: %q", tok.RefreshToken, login.RefreshToken)
	}
	if !strings.EqualFold(tok.TokenType, "Bearer") {
		t.Errorf("token type %q", tok.TokenType)
	}
	if want := clock.Now().Add(linetest.DefaultAccessTokenTTL); !tok.Expiry.Equal(want) {
		t.Errorf("Expiry %v; want %v (the clock's now plus expires_in)", tok.Expiry, want)
	}
	r := lastRequestTo(t, p, linetest.PathToken)
	if r.Method != http.MethodPost || r.Form.Get("grant_type") != "refresh_token" || r.Form.Get("refresh_token") != login.RefreshToken ||
		r.Form.Get("client_id") != p.ChannelID() || r.Form.Get("client_secret") != p.ChannelSecret() || r.Header.Get("Authorization") != "" {
		t.Errorf("refresh request %s %v, Authorization %q; want the grant and the credentials in the body", r.Method, r.Form, r.Header.Get("Authorization"))
	}
	u, exp, err := c.UserFromAccessToken(context.Background(), tok.AccessToken)
	if err != nil || u.ID != p.Users()[0].ID || !exp.Equal(tok.Expiry) {
		t.Errorf("the refreshed token: %+v, %v, %v; want the user, expiring at %v", u, exp, err, tok.Expiry)
	}
}

// TestRefresh_RejectedRefreshTokens: a refresh token LINE no longer takes
// (invalid_grant) means logging in again: ErrRefreshRejected, not an
// outage, with LINE's code and request ID but not its description or the
// token.
func TestRefresh_RejectedRefreshTokens(t *testing.T) {
	for _, tc := range []struct {
		name string
		// refreshToken prepares the case and returns the token to refresh.
		refreshToken func(t *testing.T, p *linetest.Server, c *callback.Client, clock *testkit.Clock) string
		// answer, if set, is LINE's answer instead of the platform's.
		answer string
	}{
		{name: "unknown", refreshToken: func(*testing.T, *linetest.Server, *callback.Client, *testkit.Clock) string {
			return "not-a-refresh-token"
		}},
		{name: "access token revoked", refreshToken: func(t *testing.T, p *linetest.Server, c *callback.Client, _ *testkit.Clock) string {
			login := logIn(t, p, c)
			if err := c.Revoke(context.Background(), login.AccessToken); err != nil {
				t.Fatal(err)
			}
			return login.RefreshToken
		}},
		{name: "user deauthorized", refreshToken: func(t *testing.T, p *linetest.Server, c *callback.Client, _ *testkit.Clock) string {
			login := logIn(t, p, c)
			if err := c.Deauthorize(context.Background(), linetest.DefaultChannelAccessToken, login.AccessToken); err != nil {
				t.Fatal(err)
			}
			return login.RefreshToken
		}},
		{name: "expired", refreshToken: func(t *testing.T, p *linetest.Server, c *callback.Client, clock *testkit.Clock) string {
			login := logIn(t, p, c)
			clock.Advance(91 * 24 * time.Hour) // LINE's refresh tokens live 90 days
			return login.RefreshToken
		}},
		{
			name: "LINE's description echoes the token",
			refreshToken: func(*testing.T, *linetest.Server, *callback.Client, *testkit.Clock) string {
				return "refresh-token-echoed-by-line"
			},
			answer: `{"error":"invalid_grant","error_description":"` + lineMessage + `refresh-token-echoed-by-line"}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c, clock := newAPIPlatform(t)
			rt := tc.refreshToken(t, p, c, clock)
			f := linetest.Fault{Header: withRequestID()}
			if tc.answer != "" {
				f.Status, f.Body = http.StatusBadRequest, tc.answer
			}
			p.SetFault(linetest.PathToken, f)
			tok, err := c.Refresh(context.Background(), rt)
			if tok != nil {
				t.Errorf("a token with the error: %+v", tok)
			}
			assertCategory(t, err, callback.ErrRefreshRejected)
			ue := upstreamError(t, err)
			if ue.Op != "refresh" || ue.Status != http.StatusBadRequest || ue.Code != "invalid_grant" || ue.RequestID != requestID {
				t.Errorf("Op %q, Status %d, Code %q, RequestID %q; want refresh, 400, invalid_grant, LINE's", ue.Op, ue.Status, ue.Code, ue.RequestID)
			}
			assertNotInError(t, err, rt, lineMessage, "invalid refresh token", p.ChannelSecret())
		})
	}
}

// TestRefresh_RefusedChannelCredentialsAreConfig: LINE refusing the
// channel secret at refresh (invalid_client) is the app's configuration,
// not the user's refresh token: no new login would help.
func TestRefresh_RefusedChannelCredentialsAreConfig(t *testing.T) {
	p, c, clock := newAPIPlatform(t)
	login := logIn(t, p, c)
	wrong := newClientFor(t, p, clock, func(cfg *callback.Config) { cfg.ChannelSecret = strings.Repeat("x", 32) })
	tok, err := wrong.Refresh(context.Background(), login.RefreshToken)
	if tok != nil {
		t.Errorf("a token with the error: %+v", tok)
	}
	assertCategory(t, err, callback.ErrConfig)
	if ue := upstreamError(t, err); ue.Op != "refresh" || ue.Status != http.StatusBadRequest || ue.Code != "invalid_client" {
		t.Errorf("Op %q, Status %d, Code %q; want refresh, 400, invalid_client", ue.Op, ue.Status, ue.Code)
	}
	assertNotInError(t, err, login.RefreshToken, strings.Repeat("x", 32), p.ChannelSecret())
	// The refresh token itself is still good.
	if _, err := c.Refresh(context.Background(), login.RefreshToken); err != nil {
		t.Errorf("refresh with the right secret: %v", err)
	}
}

// TestRevoke_TokenStopsWorking: after Revoke, LINE refuses the access
// token (verify and profile) and its refresh token; the request carries
// the channel's credentials in the body.
func TestRevoke_TokenStopsWorking(t *testing.T) {
	p, c, _ := newAPIPlatform(t)
	ctx := context.Background()
	login := logIn(t, p, c)
	other := issueAccessToken(t, p, p.Users()[0].ID) // another login of the same user
	if _, _, err := c.UserFromAccessToken(ctx, login.AccessToken); err != nil {
		t.Fatalf("before Revoke: %v", err)
	}
	if err := c.Revoke(ctx, login.AccessToken); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	r := lastRequestTo(t, p, linetest.PathRevoke)
	if r.Method != http.MethodPost || r.Form.Get("access_token") != login.AccessToken ||
		r.Form.Get("client_id") != p.ChannelID() || r.Form.Get("client_secret") != p.ChannelSecret() || len(r.Query) != 0 {
		t.Errorf("revoke request %s query %v form %v; want POST with the token and credentials in the body", r.Method, r.Query, r.Form)
	}
	u, exp, err := c.UserFromAccessToken(ctx, login.AccessToken)
	if u != nil || !exp.IsZero() {
		t.Errorf("revoked token verified: %+v, %v", u, exp)
	}
	assertCategory(t, err, callback.ErrInvalidToken)
	_, err = c.Profile(ctx, login.AccessToken)
	assertCategory(t, err, callback.ErrInvalidToken)
	_, err = c.Refresh(ctx, login.RefreshToken)
	assertCategory(t, err, callback.ErrRefreshRejected)
	if _, _, err := c.UserFromAccessToken(ctx, other); err != nil {
		t.Errorf("the user's other login was revoked too: %v", err)
	}
	// As RFC 7009 asks, revoking again, or a token LINE never issued, is
	// not an error: logout must not fail on it.
	for _, tok := range []string{login.AccessToken, "not-a-line-access-token"} {
		if err := c.Revoke(ctx, tok); err != nil {
			t.Errorf("Revoke(%.20s...) = %v; want nil", tok, err)
		}
	}
}

// TestRevoke_RefusedChannelCredentialsAreConfig: LINE refusing the channel
// secret at revoke is a configuration mistake, and the error shows neither
// the token nor the secret.
func TestRevoke_RefusedChannelCredentialsAreConfig(t *testing.T) {
	p, c, clock := newAPIPlatform(t)
	tok := issueAccessToken(t, p, p.Users()[0].ID)
	secret := strings.Repeat("s", 32)
	wrong := newClientFor(t, p, clock, func(cfg *callback.Config) { cfg.ChannelSecret = secret })
	p.SetFault(linetest.PathRevoke, linetest.Fault{Header: withRequestID()})
	err := wrong.Revoke(context.Background(), tok)
	assertCategory(t, err, callback.ErrConfig)
	if ue := upstreamError(t, err); ue.Op != "revoke" || ue.Status != http.StatusBadRequest || ue.Code != "invalid_client" || ue.RequestID != requestID {
		t.Errorf("Op %q, Status %d, Code %q, RequestID %q; want revoke, 400, invalid_client, LINE's", ue.Op, ue.Status, ue.Code, ue.RequestID)
	}
	assertNotInError(t, err, tok, secret, "invalid client_id or client_secret")
	if _, _, err := c.UserFromAccessToken(context.Background(), tok); err != nil {
		t.Errorf("a refused revoke revoked the token: %v", err)
	}
}

// TestDeauthorize_RevokesEveryTokenOfTheUser: with the channel access
// token, Deauthorize ends every login of the user (as LINE's guidelines
// require when the user deletes their account), and only that user's.
func TestDeauthorize_RevokesEveryTokenOfTheUser(t *testing.T) {
	for _, tc := range []struct {
		name         string
		channelToken func(p *linetest.Server) string
	}{
		{"DefaultChannelAccessToken", func(*linetest.Server) string { return linetest.DefaultChannelAccessToken }},
		{"issued channel access token", func(p *linetest.Server) string { return p.IssueChannelAccessToken() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c, _ := newAPIPlatform(t)
			ctx := context.Background()
			brown, cony := p.Users()[0].ID, p.Users()[1].ID
			login := logIn(t, p, c) // as Brown
			brownAgain := issueAccessToken(t, p, brown)
			conys := issueAccessToken(t, p, cony)
			channelToken := tc.channelToken(p)
			if err := c.Deauthorize(ctx, channelToken, brownAgain); err != nil {
				t.Fatalf("Deauthorize: %v", err)
			}
			r := lastRequestTo(t, p, linetest.PathDeauthorize)
			if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer "+channelToken ||
				!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || len(r.Query) != 0 {
				t.Errorf("deauthorize request %s %v, headers %v; want POST with the channel access token as bearer and a JSON body", r.Method, r.Query, r.Header)
			}
			for name, tok := range map[string]string{"the token sent": brownAgain, "the login's token": login.AccessToken} {
				u, _, err := c.UserFromAccessToken(ctx, tok)
				if u != nil {
					t.Errorf("%s still verifies: %+v", name, u)
				}
				assertCategory(t, err, callback.ErrInvalidToken)
			}
			_, err := c.Refresh(ctx, login.RefreshToken)
			assertCategory(t, err, callback.ErrRefreshRejected)
			if u, _, err := c.UserFromAccessToken(ctx, conys); err != nil || u.ID != cony {
				t.Errorf("another user's token: %+v, %v; want it untouched", u, err)
			}
		})
	}
}

// TestDeauthorize_RefusedChannelAccessTokenIsConfig: a channel access
// token LINE refuses is the app's own credential: ErrConfig, with neither
// token in the error, and nothing revoked.
func TestDeauthorize_RefusedChannelAccessTokenIsConfig(t *testing.T) {
	p, c, _ := newAPIPlatform(t)
	ctx := context.Background()
	tok := issueAccessToken(t, p, p.Users()[0].ID)
	const channelToken = "not-a-channel-access-token"
	p.SetFault(linetest.PathDeauthorize, linetest.Fault{Header: withRequestID()})
	err := c.Deauthorize(ctx, channelToken, tok)
	assertCategory(t, err, callback.ErrConfig)
	if ue := upstreamError(t, err); ue.Op != "deauthorize" || ue.Status != http.StatusUnauthorized || ue.RequestID != requestID {
		t.Errorf("Op %q, Status %d, RequestID %q; want deauthorize, 401, LINE's", ue.Op, ue.Status, ue.RequestID)
	}
	assertNotInError(t, err, tok, channelToken, "Authentication failed")
	if _, _, err := c.UserFromAccessToken(ctx, tok); err != nil {
		t.Errorf("a refused deauthorize revoked the token: %v", err)
	}
}

// TestDeauthorize_RefusedUserTokenIsInvalidToken: LINE refusing the user's
// own access token (expired or revoked) is a refused token, not an outage:
// an account deletion must not retry it forever.
func TestDeauthorize_RefusedUserTokenIsInvalidToken(t *testing.T) {
	p, c, _ := newAPIPlatform(t)
	tok := issueAccessToken(t, p, p.Users()[0].ID)
	p.RevokeAccessToken(tok)
	err := c.Deauthorize(context.Background(), linetest.DefaultChannelAccessToken, tok)
	assertCategory(t, err, callback.ErrInvalidToken)
}

// TestUserFromAccessToken_TokenWithoutProfileScopeIsNotAnOutage: a token
// of this channel without the profile scope is the client's problem (401
// in bearer mode), not LINE being down (503).
func TestUserFromAccessToken_TokenWithoutProfileScopeIsNotAnOutage(t *testing.T) {
	p, c, _ := newAPIPlatform(t)
	tok, err := p.IssueAccessToken(p.Users()[0].ID, []string{"openid"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.UserFromAccessToken(context.Background(), tok)
	assertCategory(t, err, callback.ErrInvalidToken)
}

// A client that only checks bearer tokens needs no callback URL; a web
// login with it fails as a configuration mistake, before any call to LINE.
func TestNew_BearerOnlyNeedsNoRedirectURL(t *testing.T) {
	p, _, clock := newAPIPlatform(t)
	c := newClientFor(t, p, clock, func(cfg *callback.Config) { cfg.RedirectURL = "" })
	token := issueAccessToken(t, p, p.Users()[0].ID)
	if u, _, err := c.UserFromAccessToken(context.Background(), token); err != nil || u.ID != p.Users()[0].ID {
		t.Fatalf("UserFromAccessToken = %+v, %v; want the user", u, err)
	}
	if u, err := c.AuthCodeURL(newAttempt()); !errors.Is(err, callback.ErrConfig) || u != "" {
		t.Errorf("AuthCodeURL = %q, %v; want ErrConfig", u, err)
	}
	a := newAttempt()
	before := p.Count(linetest.PathToken)
	if _, err := c.Exchange(context.Background(), a, callback.Response{Code: "c", State: a.State}); !errors.Is(err, callback.ErrConfig) {
		t.Errorf("Exchange: %v, want ErrConfig", err)
	}
	if n := p.Count(linetest.PathToken) - before; n != 0 {
		t.Errorf("Exchange called the token endpoint %d times", n)
	}
}
