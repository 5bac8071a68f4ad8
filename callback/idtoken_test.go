package callback_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
)

// newAttempt returns a fresh login attempt: an alphanumeric state and
// nonce of 130 random bits each, and a PKCE verifier.
func newAttempt() callback.Attempt {
	return callback.Attempt{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier()}
}

func newClient(t *testing.T, p *linetest.Server, clock *testkit.Clock) *callback.Client {
	t.Helper()
	return newClientFor(t, p, clock, func(*callback.Config) {})
}

// newConfig is the configuration of newClient's clients.
func newConfig(p *linetest.Server) callback.Config {
	return callback.Config{
		ChannelID:     p.ChannelID(),
		ChannelSecret: p.ChannelSecret(),
		RedirectURL:   "https://app.example/callback",
		AccessURL:     p.AccessURL(),
		APIURL:        p.APIURL(),
		Timeout:       time.Second,
	}
}

// withClock is callback.WithClock of clock, or no option if clock is nil.
func withClock(clock *testkit.Clock) []callback.Option {
	if clock == nil {
		return nil
	}
	return []callback.Option{callback.WithClock(clock.Now)}
}

// authURL is c.AuthCodeURL(a), which must succeed.
func authURL(t testing.TB, c *callback.Client, a callback.Attempt) string {
	t.Helper()
	u, err := c.AuthCodeURL(a)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func liffClaims(p *linetest.Server, nonce string) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": p.Issuer(), "sub": p.Users()[0].ID, "aud": p.ChannelID(),
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	return c
}

func TestVerifyIDToken_LIFFTokenES256(t *testing.T) {
	p := linetest.NewServer(t, linetest.Config{CallbackURLs: []string{"https://app.example/callback"}})
	c := newClient(t, p, nil)
	ctx := context.Background()
	tok, err := p.IssueLIFFIDToken(p.Users()[0].ID, "n0nce")
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.VerifyIDToken(ctx, tok, "n0nce")
	if err != nil || u.ID != p.Users()[0].ID || u.DisplayName != p.Users()[0].DisplayName {
		t.Fatalf("VerifyIDToken = %+v, %v", u, err)
	}
	if _, err := c.VerifyIDToken(ctx, tok, "other"); !errors.Is(err, callback.ErrInvalidToken) {
		t.Errorf("wrong nonce: %v, want ErrInvalidToken", err)
	}
	if _, err := c.VerifyIDToken(ctx, tok, ""); err != nil {
		t.Errorf("no nonce supplied by the app: %v", err)
	}
	var idErr *callback.TokenError
	if _, err := c.VerifyIDToken(ctx, tok+"x", ""); !errors.As(err, &idErr) {
		t.Errorf("altered token: %v, want *TokenError", err)
	}
}

func TestVerifyIDToken_KidAbsentOnlyWithOneKey(t *testing.T) {
	p := linetest.NewServer(t, linetest.Config{CallbackURLs: []string{"https://app.example/callback"}})
	clock := testkit.NewClock(time.Now())
	c := newClient(t, p, clock)
	ctx := context.Background()
	noKid := func() string {
		tok, err := p.SignIDToken(map[string]any{"alg": "ES256", "kid": ""}, liffClaims(p, ""))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	if _, err := c.VerifyIDToken(ctx, noKid(), ""); err != nil {
		t.Fatalf("no kid, one key in the JWKS: %v", err)
	}
	p.RotateSigningKey()
	clock.Advance(time.Minute) // past the refetch cooldown
	rotated, _ := p.SignIDToken(map[string]any{"alg": "ES256"}, liffClaims(p, ""))
	if _, err := c.VerifyIDToken(ctx, rotated, ""); err != nil {
		t.Fatalf("token under the rotated key: %v", err)
	}
	if _, err := c.VerifyIDToken(ctx, noKid(), ""); !errors.Is(err, callback.ErrInvalidToken) {
		t.Errorf("no kid with several keys: %v, want rejected", err)
	}
}

func TestVerifyIDToken_UnknownKidsCannotFloodCerts(t *testing.T) {
	p := linetest.NewServer(t, linetest.Config{CallbackURLs: []string{"https://app.example/callback"}})
	clock := testkit.NewClock(time.Now())
	c := newClient(t, p, clock)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, _ := p.SignIDToken(map[string]any{"alg": "ES256", "kid": fmt.Sprintf("random-%d", i)}, liffClaims(p, ""))
			if _, err := c.VerifyIDToken(ctx, tok, ""); !errors.Is(err, callback.ErrInvalidToken) {
				t.Errorf("unknown kid accepted: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := p.Count(linetest.PathCerts); n != 1 {
		t.Errorf("100 unknown kids fetched the JWKS %d times, want 1", n)
	}
	clock.Advance(callback.DefaultKeyCooldown + time.Second)
	tok, _ := p.SignIDToken(map[string]any{"alg": "ES256", "kid": "another"}, liffClaims(p, ""))
	c.VerifyIDToken(ctx, tok, "")
	if n := p.Count(linetest.PathCerts); n != 2 {
		t.Errorf("after the cooldown: %d fetches, want 2", n)
	}
}

func TestParseResponse(t *testing.T) {
	r := callback.ParseResponse(url.Values{"code": {"c"}, "state": {"s"}, "friendship_status_changed": {"true"}})
	if r.Code != "c" || r.State != "s" || r.FriendshipStatusChanged == nil || !*r.FriendshipStatusChanged || r.Err != nil {
		t.Errorf("code response: %+v", r)
	}
	r = callback.ParseResponse(url.Values{"errorCode": {"417"}, "errorMessage": {"DISALLOWED"}, "state": {"s"}})
	if r.Err == nil || r.Err.Code != "417" || !r.Err.Denied() || !errors.Is(r.Err, callback.ErrAuthorization) {
		t.Errorf("v2.0 error response: %+v", r.Err)
	}
	if r := callback.ParseResponse(url.Values{"code": {string(make([]byte, 5000))}}); r.Code != "" {
		t.Error("over-long code kept")
	}
}

func ExampleClient_AuthCodeURL() {
	c, err := callback.New(callback.Config{
		ChannelID:     "1234567890",
		ChannelSecret: "0123456789abcdef0123456789abcdef",
		RedirectURL:   "https://example.com/callback",
		BotPrompt:     "normal",
	})
	if err != nil {
		panic(err)
	}
	// One attempt per login, kept (here by the middleware, in an encrypted
	// cookie) until its callback.
	attempt := callback.Attempt{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier()}
	authorize, err := c.AuthCodeURL(attempt)
	if err != nil {
		panic(err)
	}
	u, _ := url.Parse(authorize)
	q := u.Query()
	fmt.Println(u.Host + u.Path)
	fmt.Println(q.Get("scope"), q.Get("code_challenge_method"), q.Get("bot_prompt"))
	fmt.Println(q.Get("state") == attempt.State, q.Get("nonce") == attempt.Nonce)
	// Output:
	// access.line.me/oauth2/v2.1/authorize
	// openid profile S256 normal
	// true true
}
