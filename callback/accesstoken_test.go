package callback_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
)

// TestUserFromAccessToken_ReturnsUserAndExpiry: a live token gives its
// user, from the profile, and its expiry: the injected clock's now plus
// the expires_in that verify reports.
func TestUserFromAccessToken_ReturnsUserAndExpiry(t *testing.T) {
	p, c, clock := newAPIPlatform(t)
	for _, want := range p.Users() {
		t.Run(want.DisplayName, func(t *testing.T) {
			issued := clock.Now()
			tok := issueAccessToken(t, p, want.ID)
			clock.Advance(time.Hour) // expires_in is now the TTL less an hour
			u, exp, err := c.UserFromAccessToken(context.Background(), tok)
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != want.ID || u.DisplayName != want.DisplayName || u.PictureURL != want.PictureURL {
				t.Errorf("user %+v; want %s, %s, %s", u, want.ID, want.DisplayName, want.PictureURL)
			}
			if wantExp := issued.Add(linetest.DefaultAccessTokenTTL); !exp.Equal(wantExp) {
				t.Errorf("expiry %v; want %v", exp, wantExp)
			}
			v := lastRequestTo(t, p, linetest.PathVerify)
			if v.Method != http.MethodGet || v.Query.Get("access_token") != tok {
				t.Errorf("verify request %s %v; want GET ?access_token=", v.Method, v.Query)
			}
			if r := lastRequestTo(t, p, linetest.PathProfile); r.Header.Get("Authorization") != "Bearer "+tok {
				t.Errorf("profile request Authorization %q; want the bearer token", r.Header.Get("Authorization"))
			}
		})
	}
}

// TestUserFromAccessToken_RefusedTokens: every token LINE does not vouch
// for, for this channel and for a positive time, is ErrInvalidToken (a
// *TokenError for an access token), with no user, whatever the profile
// said, and without the token or verify's URL in the error.
func TestUserFromAccessToken_RefusedTokens(t *testing.T) {
	// verifyAnswer fakes verify's 200 for the platform's channel.
	verifyAnswer := func(expiresIn string) *linetest.Fault {
		body := `{"scope":"profile openid","client_id":"` + linetest.DefaultChannelID + `"`
		if expiresIn != "" {
			body += `,"expires_in":` + expiresIn
		}
		return &linetest.Fault{Body: body + "}", Header: jsonHeader}
	}
	for _, tc := range []struct {
		name string
		// token prepares the case and returns the token to check.
		token func(t *testing.T, p *linetest.Server, clock *testkit.Clock) string
		// verify and profile, if set, are LINE's answers instead of the
		// platform's.
		verify, profile *linetest.Fault
		// otherChannel makes the client one for another channel.
		otherChannel bool
	}{
		{name: "unknown", token: func(*testing.T, *linetest.Server, *testkit.Clock) string { return "not-a-line-access-token" }},
		{name: "revoked", token: func(t *testing.T, p *linetest.Server, _ *testkit.Clock) string {
			tok := issueAccessToken(t, p, p.Users()[0].ID)
			p.RevokeAccessToken(tok)
			return tok
		}},
		{name: "expired", token: func(t *testing.T, p *linetest.Server, clock *testkit.Clock) string {
			tok := issueAccessToken(t, p, p.Users()[0].ID)
			clock.Advance(linetest.DefaultAccessTokenTTL)
			return tok
		}},
		{name: "issued to another channel", otherChannel: true},
		{name: "expires_in zero", verify: verifyAnswer("0")},
		{name: "expires_in negative", verify: verifyAnswer("-3600")},
		{name: "expires_in a string", verify: verifyAnswer(`"3600"`)},
		{name: "expires_in a fraction", verify: verifyAnswer("3599.5")},
		{name: "expires_in an exponent", verify: verifyAnswer("3.6e3")},
		{name: "expires_in null", verify: verifyAnswer("null")},
		{name: "expires_in missing", verify: verifyAnswer("")},
		{name: "client_id missing", verify: &linetest.Fault{Body: `{"scope":"profile","expires_in":3600}`, Header: jsonHeader}},
		{name: "verify says 401", verify: &linetest.Fault{Status: http.StatusUnauthorized,
			Body: `{"error":"invalid_token","error_description":"` + lineMessage + `"}`, Header: withRequestID()}},
		{name: "verified, but profile refuses it", profile: &linetest.Fault{Status: http.StatusUnauthorized,
			Body: `{"message":"` + lineMessage + `"}`, Header: withRequestID()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c, clock := newAPIPlatform(t)
			if tc.otherChannel {
				c = newClientFor(t, p, clock, func(cfg *callback.Config) { cfg.ChannelID = "9876543210" })
			}
			var tok string
			if tc.token != nil {
				tok = tc.token(t, p, clock)
			} else {
				tok = issueAccessToken(t, p, p.Users()[0].ID)
			}
			if tc.verify != nil {
				p.SetFault(linetest.PathVerify, *tc.verify)
			}
			if tc.profile != nil {
				p.SetFault(linetest.PathProfile, *tc.profile)
			}
			u, exp, err := c.UserFromAccessToken(context.Background(), tok)
			if u != nil || !exp.IsZero() {
				t.Errorf("refused token gave a user: %+v, %v", u, exp)
			}
			assertCategory(t, err, callback.ErrInvalidToken)
			if te := tokenError(t, err); te.Kind != "access token" || te.Reason == "" {
				t.Errorf("Kind %q, Reason %q; want the access token and why", te.Kind, te.Reason)
			}
			assertNotInError(t, err, tok, lineMessage, p.APIURL(), "access_token=")
		})
	}
}

// TestUserFromAccessToken_AnotherChannelsTokenNeverLogsIn: the confused
// deputy: a valid token of a user of another LINE app is refused, although
// LINE verifies it and the profile API answers for it.
func TestUserFromAccessToken_AnotherChannelsTokenNeverLogsIn(t *testing.T) {
	p, c, clock := newAPIPlatform(t)
	tok := issueAccessToken(t, p, p.Users()[0].ID)
	if _, _, err := c.UserFromAccessToken(context.Background(), tok); err != nil {
		t.Fatalf("control, the platform's own channel: %v", err)
	}
	other := newClientFor(t, p, clock, func(cfg *callback.Config) { cfg.ChannelID = "9876543210" })
	if prof, err := other.Profile(context.Background(), tok); err != nil || prof.UserID != p.Users()[0].ID {
		t.Fatalf("the profile API answers for the token: %+v, %v", prof, err)
	}
	u, _, err := other.UserFromAccessToken(context.Background(), tok)
	if u != nil {
		t.Errorf("another channel's token logged in %+v", u)
	}
	assertCategory(t, err, callback.ErrInvalidToken)
	if te := tokenError(t, err); !strings.Contains(te.Reason, "channel") {
		t.Errorf("Reason %q; want it to name the channel", te.Reason)
	}
}

// gatedTransport holds verify requests until a profile request has
// started: a UserFromAccessToken that called the two one after the other
// would never send verify (and hang until its context ends).
type gatedTransport struct {
	base           *http.Transport
	profileStarted chan struct{}
	once           sync.Once
}

func newGatedTransport(t *testing.T) *gatedTransport {
	g := &gatedTransport{base: &http.Transport{}, profileStarted: make(chan struct{})}
	t.Cleanup(g.base.CloseIdleConnections)
	return g
}

func (g *gatedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	switch r.URL.Path {
	case linetest.PathProfile:
		g.once.Do(func() { close(g.profileStarted) })
	case linetest.PathVerify:
		select {
		case <-g.profileStarted:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return g.base.RoundTrip(r)
}

// hangDetector is how long the concurrency tests wait before declaring a
// call hung: far beyond what a local round trip takes, however busy the
// machine, and far below the client's Timeout and the profile's delay.
const hangDetector = 20 * time.Second

// newConcurrencyClient returns a client whose verify waits for profile to
// start, with a Timeout that outlasts the hang detector.
func newConcurrencyClient(t *testing.T, p *linetest.Server, clock *testkit.Clock) *callback.Client {
	t.Helper()
	return newClientFor(t, p, clock, func(cfg *callback.Config) {
		cfg.HTTPClient = &http.Client{Transport: newGatedTransport(t)}
		cfg.Timeout = 10 * hangDetector
	})
}

// TestUserFromAccessToken_VerifyAndProfileRunConcurrently: verify is only
// sent once profile has started, so the call completes only if it runs the
// two concurrently.
func TestUserFromAccessToken_VerifyAndProfileRunConcurrently(t *testing.T) {
	p, _, clock := newAPIPlatform(t)
	c := newConcurrencyClient(t, p, clock)
	tok := issueAccessToken(t, p, p.Users()[1].ID)
	ctx, cancel := context.WithTimeout(context.Background(), hangDetector)
	defer cancel()
	u, _, err := c.UserFromAccessToken(ctx, tok)
	if ctx.Err() != nil {
		t.Fatalf("UserFromAccessToken hung until the hang detector fired (%v): verify waited for profile", err)
	}
	if err != nil || u.ID != p.Users()[1].ID {
		t.Fatalf("UserFromAccessToken = %+v, %v", u, err)
	}
}

// TestUserFromAccessToken_VerifyFailureDoesNotWaitForProfile: when verify
// refuses the token or fails, the answer comes at once, abandoning a
// profile request that hangs, rather than waiting for LINE's slowest
// endpoint (or the client's Timeout).
func TestUserFromAccessToken_VerifyFailureDoesNotWaitForProfile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		verify *linetest.Fault
		want   error
	}{
		{"token refused", nil, callback.ErrInvalidToken},
		{"verify broken", &linetest.Fault{Status: http.StatusInternalServerError}, callback.ErrUpstream},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, clock := newAPIPlatform(t)
			c := newConcurrencyClient(t, p, clock)
			p.SetFault(linetest.PathProfile, linetest.Fault{Delay: 100 * hangDetector})
			if tc.verify != nil {
				p.SetFault(linetest.PathVerify, *tc.verify)
			}
			ctx, cancel := context.WithTimeout(context.Background(), hangDetector)
			defer cancel()
			u, _, err := c.UserFromAccessToken(ctx, "not-a-line-access-token")
			if ctx.Err() != nil {
				t.Fatalf("UserFromAccessToken waited for the hanging profile until the hang detector fired (%v)", err)
			}
			if u != nil {
				t.Errorf("a user: %+v", u)
			}
			assertCategory(t, err, tc.want)
		})
	}
}

// TestUserFromAccessToken_ProfileOutageAfterVerify: a verified token whose
// profile cannot be read is LINE's outage (ErrUpstream naming profile),
// not a bad token.
func TestUserFromAccessToken_ProfileOutageAfterVerify(t *testing.T) {
	p, c, _ := newAPIPlatform(t)
	tok := issueAccessToken(t, p, p.Users()[0].ID)
	p.SetFault(linetest.PathProfile, linetest.Fault{Status: http.StatusServiceUnavailable, Header: withRequestID()})
	u, _, err := c.UserFromAccessToken(context.Background(), tok)
	if u != nil {
		t.Errorf("a user: %+v", u)
	}
	assertCategory(t, err, callback.ErrUpstream)
	if ue := upstreamError(t, err); ue.Op != "profile" || ue.Status != http.StatusServiceUnavailable || ue.RequestID != requestID {
		t.Errorf("Op %q, Status %d, RequestID %q; want profile, 503, LINE's", ue.Op, ue.Status, ue.RequestID)
	}
}
