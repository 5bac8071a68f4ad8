package middleware_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/link/redislink"
	"github.com/linelogin/linelogin/middleware"
)

// appAccountCookie stands for the app's own session in these tests: it
// names the account signed in to the app. (A real app signs it; the
// library only asks Linking.SignedInAccount.)
const appAccountCookie = "app_account"

// inHouseProvider is the app's own OpenID Connect provider, with an RS256
// and an ES256 key.
type inHouseProvider struct {
	URL      string
	clientID string
	keys     map[string]crypto.Signer // by alg; the key IDs are the algs
	clock    *testkit.Clock
	fault    atomic.Pointer[providerFault] // nil: healthy
	requests atomic.Int32
}

// providerFault makes the in-house provider fail on one path: Status
// answers it with that status, Hang never answers (until the client gives
// up), Down closes the connection without a word, Delay answers late.
type providerFault struct {
	Path   string // "/.well-known/openid-configuration" or "/keys"
	Status int
	Hang   bool
	Down   bool
	Delay  time.Duration
}

func newInHouseProvider(t testing.TB, clock *testkit.Clock) *inHouseProvider {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &oidctest.Server{
		PublicKeys: []oidctest.PublicKey{
			{PublicKey: rsaKey.Public(), KeyID: oidc.RS256, Algorithm: oidc.RS256},
			{PublicKey: ecKey.Public(), KeyID: oidc.ES256, Algorithm: oidc.ES256},
		},
		Algorithms: []string{oidc.RS256, oidc.ES256},
	}
	p := &inHouseProvider{
		clientID: "inhouse-app", clock: clock,
		keys: map[string]crypto.Signer{oidc.RS256: rsaKey, oidc.ES256: ecKey},
	}
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		f := p.fault.Load()
		switch {
		case f == nil || f.Path != r.URL.Path:
			s.ServeHTTP(w, r)
		case f.Delay > 0:
			select {
			case <-time.After(f.Delay): // a slow provider, not the test waiting
				s.ServeHTTP(w, r)
			case <-r.Context().Done():
			}
		case f.Hang:
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		case f.Down:
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
		default:
			http.Error(w, "down for maintenance", f.Status)
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) }) // before srv.Close waits for handlers
	s.SetIssuer(srv.URL)
	p.URL = srv.URL
	return p
}

// token signs an ID token for account with alg; change edits the claims
// first (nil values delete).
func (p *inHouseProvider) token(alg, account string, change map[string]any) string {
	now := p.clock.Now()
	claims := map[string]any{
		"iss": p.URL, "aud": p.clientID, "sub": account,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": rand.Text(),
	}
	for k, v := range change {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	b, _ := json.Marshal(claims)
	return oidctest.SignIDToken(p.keys[alg], alg, alg, string(b))
}

// linkApp is a testApp with account linking on /account/link,
// /account/unlink and /api/link, on a clock the test moves (linetest's
// too).
type linkApp struct {
	*testApp
	clock   *testkit.Clock
	store   *link.MemoryStore
	inHouse *inHouseProvider
	checks  atomic.Int32 // calls of CheckFacts
	signUps atomic.Int32

	mu     sync.Mutex
	events []middleware.Event // what OnEvent received
}

// linkEvents returns the link and unlink events OnEvent received.
func (la *linkApp) linkEvents() []middleware.Event {
	la.mu.Lock()
	defer la.mu.Unlock()
	var out []middleware.Event
	for _, e := range la.events {
		if e.Kind == middleware.EventLink || e.Kind == middleware.EventUnlink {
			out = append(out, e)
		}
	}
	return out
}

// members is the app's membership table for CheckFacts.
var members = map[string]struct{ account, birthDate string }{
	"M-1001": {"alice", "1990-04-01"},
	"M-1002": {"bob", "1985-12-24"},
}

func newLinkApp(t *testing.T, change ...func(*middleware.Linking)) *linkApp {
	t.Helper()
	return newLinkAppWith(t, nil, change...)
}

// newLinkAppWith is newLinkApp with options of the app's Config too.
func newLinkAppWith(t *testing.T, opts []appOption, change ...func(*middleware.Linking)) *linkApp {
	t.Helper()
	la := &linkApp{clock: testkit.NewClock(time.Now()), store: &link.MemoryStore{}}
	la.inHouse = newInHouseProvider(t, la.clock)
	linking := &middleware.Linking{
		Store: la.store,
		SignedInAccount: func(r *http.Request) (string, error) {
			if c, err := r.Cookie(appAccountCookie); err == nil {
				return c.Value, nil
			}
			return "", nil
		},
		AfterUnlink:     "/account",
		InHouseIssuer:   la.inHouse.URL,
		InHouseClientID: la.inHouse.clientID,
		CheckFacts: func(_ context.Context, f link.Facts) (string, error) {
			la.checks.Add(1)
			m, ok := members[f.MemberNumber]
			if !ok || !link.Equal(f, link.Facts{MemberNumber: f.MemberNumber, BirthDate: m.birthDate}) {
				return "", link.ErrProofRefused
			}
			return m.account, nil
		},
	}
	for _, c := range change {
		c(linking)
	}
	la.testApp = newTestApp(t, append(opts, func(cfg *middleware.Config) {
		cfg.Now = la.clock.Now
		cfg.Linking = linking
		cfg.OnEvent = func(_ context.Context, e middleware.Event) {
			la.mu.Lock()
			la.events = append(la.events, e)
			la.mu.Unlock()
		}
	})...)
	la.platform.SetNow(la.clock.Now)
	mux := http.NewServeMux()
	mux.Handle("/account/link", la.auth.Links().ConnectHandler())
	mux.Handle("/account/unlink", la.auth.Links().UnlinkHandler())
	mux.Handle("/api/link", la.auth.Links().APIHandler())
	mux.Handle("/", *la.handler.Load())
	var h http.Handler = la.auth.Handler(mux)
	la.handler.Store(&h)
	return la
}

// signIn gives b the app's own session of account ("" signs out).
func (la *linkApp) signIn(b *browser, account string) {
	u, _ := url.Parse(la.url("/"))
	c := &http.Cookie{Name: appAccountCookie, Value: account, Path: "/"}
	if account == "" {
		c.MaxAge = -1
	}
	b.client.Jar.SetCookies(u, []*http.Cookie{c})
}

// post POSTs form to path as the app's own page would (Origin set) when
// sameOrigin.
func (b *browser) post(path string, sameOrigin bool, form url.Values) *http.Response {
	b.t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if sameOrigin {
		h.Set("Origin", b.app.url(""))
	}
	return b.do(http.MethodPost, b.app.url(path), h, strings.NewReader(form.Encode()))
}

// startConnect POSTs /account/link and returns LINE's authorize URL.
func (b *browser) startConnect(returnTo string) *url.URL {
	b.t.Helper()
	resp := b.post("/account/link", true, url.Values{"return_to": {returnTo}})
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("POST /account/link: %d, want 303: %s", resp.StatusCode, readBody(b.t, resp))
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Path != linetest.PathAuthorize {
		b.t.Fatalf("connect redirects to %s, want LINE's authorize", resp.Header.Get("Location"))
	}
	return loc
}

func (la *linkApp) accountOf(lineUserID string) string {
	acct, _ := la.store.AccountOf(context.Background(), lineUserID)
	return acct
}

func TestConnect_LinksTheSignedInAccount(t *testing.T) {
	la := newLinkApp(t)
	b := la.browser()
	la.signIn(b, "alice")
	resp := b.get(b.authorize(b.startConnect("/account")).String())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("callback: %d to %q, want 303 to /account: %s", resp.StatusCode, resp.Header.Get("Location"), readBody(t, resp))
	}
	if setCookie(resp, sessionCookie) == nil {
		t.Error("a connected user is not logged in with LINE")
	}
	if got := la.accountOf(la.user.ID); got != "alice" {
		t.Errorf("store: %s linked to %q, want alice", la.user.ID, got)
	}
	if _, cu := b.me(); cu.AccountID != "alice" || cu.Source != "session" {
		t.Errorf("/api/me after connect: %+v", cu)
	}
}

func TestConnect_RefusedWithoutSameOriginProof(t *testing.T) {
	la := newLinkApp(t)
	for name, h := range map[string]http.Header{
		"no proof":           {},
		"another site":       {"Origin": {"https://evil.example"}},
		"cross-site fetch":   {"Sec-Fetch-Site": {"cross-site"}},
		"same-site, no CORS": {"Sec-Fetch-Site": {"same-site"}},
	} {
		t.Run(name, func(t *testing.T) {
			b := la.browser()
			la.signIn(b, "alice")
			h.Set("Content-Type", "application/x-www-form-urlencoded")
			resp := b.do(http.MethodPost, la.url("/account/link"), h, strings.NewReader("return_to=%2F"))
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
			if cs := setCookiesWithPrefix(resp, flowCookiePrefix); len(cs) != 0 || resp.Header.Get("Location") != "" {
				t.Errorf("a cross-site connect started a login: %v %q", cs, resp.Header.Get("Location"))
			}
		})
	}
	// A GET is no connect either.
	b := la.browser()
	la.signIn(b, "alice")
	if resp := b.get(la.url("/account/link")); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /account/link: %d, want 405", resp.StatusCode)
	}
	// Nor a POST with no account signed in to the app.
	if resp := la.browser().post("/account/link", true, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("connect signed out: %d, want 403", resp.StatusCode)
	}
	if got := la.accountOf(la.user.ID); got != "" {
		t.Errorf("linked to %q", got)
	}
}

func TestConnect_AppSessionChangedBeforeCallback(t *testing.T) {
	for name, now := range map[string]string{"signed out": "", "another account": "bob"} {
		t.Run(name, func(t *testing.T) {
			la := newLinkApp(t)
			b := la.browser()
			la.signIn(b, "alice")
			authorize := b.startConnect("/account")
			la.signIn(b, now) // in another tab, while the user is at LINE
			resp := b.get(b.authorize(authorize).String())
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("callback: %d, want 403", resp.StatusCode)
			}
			if body := readBody(t, resp); !strings.Contains(body, "Nothing was connected") {
				t.Errorf("the page does not say nothing was connected: %.400s", body)
			}
			if setCookie(resp, sessionCookie) != nil {
				t.Error("a session was issued")
			}
			for _, acct := range []string{"alice", "bob"} {
				if u, err := la.store.LINEUserOf(context.Background(), acct); !errors.Is(err, link.ErrNotLinked) {
					t.Errorf("%s linked to %q", acct, u)
				}
			}
		})
	}
}

func TestConnect_Conflicts(t *testing.T) {
	cony := linetest.DefaultUsers()[1].ID
	for name, c := range map[string]struct {
		existingLINE, existingAccount string
		says                          string
	}{
		"LINE user linked elsewhere": {"", "carol", "This LINE account is already connected to another account"},
		"account linked elsewhere":   {cony, "alice", "Your account is already connected to another LINE account"},
	} {
		t.Run(name, func(t *testing.T) {
			la := newLinkApp(t)
			lineUser := c.existingLINE
			if lineUser == "" {
				lineUser = la.user.ID
			}
			if err := la.store.Link(context.Background(), lineUser, c.existingAccount); err != nil {
				t.Fatal(err)
			}
			b := la.browser()
			la.signIn(b, "alice")
			resp := b.get(b.authorize(b.startConnect("/account")).String())
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusConflict {
				t.Fatalf("callback: %d, want 409: %.300s", resp.StatusCode, body)
			}
			if !strings.Contains(body, c.says) || !strings.Contains(body, "Nothing was changed") {
				t.Errorf("the page does not explain: %.600s", body)
			}
			if setCookie(resp, sessionCookie) != nil {
				t.Error("a session was issued")
			}
			if got := la.accountOf(lineUser); got != c.existingAccount {
				t.Errorf("the existing link was overwritten: %s -> %q", lineUser, got)
			}
			if u, _ := la.store.LINEUserOf(context.Background(), "alice"); u != c.existingLINE {
				t.Errorf("alice linked to %q", u)
			}
		})
	}
}

func TestUnlink(t *testing.T) {
	la := newLinkApp(t, func(l *middleware.Linking) {
		l.DeauthorizeToken = func(context.Context) (string, error) { return linetest.DefaultChannelAccessToken, nil }
	})
	b := la.browser()
	la.signIn(b, "alice")
	b.get(b.authorize(b.startConnect("/account")).String())
	if _, cu := b.me(); cu.AccountID != "alice" {
		t.Fatalf("before unlink: %+v", cu)
	}

	if resp := b.post("/account/unlink", false, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("unlink without same-origin proof: %d, want 403", resp.StatusCode)
	}
	if la.accountOf(la.user.ID) != "alice" {
		t.Fatal("a cross-site unlink removed the link")
	}

	resp := b.post("/account/unlink", true, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("unlink: %d to %q, want 303 to /account", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := la.accountOf(la.user.ID); got != "" {
		t.Errorf("still linked to %q", got)
	}
	if n := la.platform.Count(linetest.PathDeauthorize); n != 1 {
		t.Errorf("deauthorize called %d times, want 1", n)
	}
	if c := setCookie(resp, sessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("the deauthorized LINE session was not ended: %v", c)
	}
	// Unlinking again is no error.
	if resp := b.post("/account/unlink", true, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("second unlink: %d", resp.StatusCode)
	}
}

// TestAccountIDInContext_EveryCredential: a link or unlink made straight
// in the store (as another instance would) counts for every credential
// within linkRecheckInterval, though the session and both bearer tokens
// are cached.
func TestAccountIDInContext_EveryCredential(t *testing.T) {
	la := newLinkApp(t)
	b := la.browser()
	b.mustLogin()
	access, err := la.platform.IssueAccessToken(la.user.ID, []string{"openid", "profile"})
	if err != nil {
		t.Fatal(err)
	}
	idToken, err := la.platform.IssueLIFFIDToken(la.user.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	accountOf := func(kind string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, la.url("/api/me"), nil)
		req.Header.Set("Accept", "application/json")
		switch kind {
		case "access token":
			req.Header.Set("Authorization", "Bearer "+access)
		case "ID token":
			req.Header.Set("X-Line-ID-Token", idToken)
		}
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var cu contextUser
		if err := json.NewDecoder(resp.Body).Decode(&cu); err != nil || resp.StatusCode != http.StatusOK || cu.Source != kind {
			t.Fatalf("%s: %d %+v %v", kind, resp.StatusCode, cu, err)
		}
		return cu.AccountID
	}
	kinds := []string{"session", "access token", "ID token"}
	for _, k := range kinds {
		if got := accountOf(k); got != "" {
			t.Errorf("%s, unlinked: account %q", k, got)
		}
	}
	if err := la.store.Link(context.Background(), la.user.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	la.clock.Advance(middleware.LinkRecheck)
	for _, k := range kinds {
		if got := accountOf(k); got != "alice" {
			t.Errorf("%s, linked: account %q, want alice", k, got)
		}
	}
	la.store.Unlink(context.Background(), "alice")
	la.clock.Advance(middleware.LinkRecheck)
	for _, k := range kinds {
		if got := accountOf(k); got != "" {
			t.Errorf("%s, after unlink: account %q", k, got)
		}
	}
}

func TestSignUp_OnlyOnWebLoginOfUnlinkedUsers(t *testing.T) {
	var la *linkApp
	la = newLinkApp(t, func(l *middleware.Linking) {
		l.SignUp = func(_ context.Context, login *callback.Login) (string, error) {
			return fmt.Sprintf("acct-%d", la.signUps.Add(1)), nil
		}
	})
	// A bearer request of an unlinked user stays unlinked.
	access, _ := la.platform.IssueAccessToken(la.user.ID, []string{"profile"})
	req, _ := http.NewRequest(http.MethodGet, la.url("/api/me"), nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := la.signUps.Load(); n != 0 || la.accountOf(la.user.ID) != "" {
		t.Fatalf("a bearer request signed up (%d)", n)
	}
	for range 2 {
		b := la.browser()
		b.mustLogin()
		if _, cu := b.me(); cu.AccountID != "acct-1" {
			t.Errorf("after web login: account %q, want acct-1", cu.AccountID)
		}
	}
	if n := la.signUps.Load(); n != 1 {
		t.Errorf("SignUp ran %d times, want once", n)
	}

	// A hook that returns "" leaves the user unlinked.
	none := newLinkApp(t, func(l *middleware.Linking) {
		l.SignUp = func(context.Context, *callback.Login) (string, error) { return "", nil }
	})
	b := none.browser()
	b.mustLogin()
	if _, cu := b.me(); cu.AccountID != "" || cu.User == nil {
		t.Errorf("SignUp declined, yet: %+v", cu)
	}
}

// linkCall is one POST /api/link.
type linkCall struct {
	header http.Header
	body   string
}

// postLink sends c and returns the response and its body, trimmed.
func (la *linkApp) postLink(c linkCall) (*http.Response, string) {
	la.t.Helper()
	resp, body, err := la.sendLink(c)
	if err != nil {
		la.t.Fatal(err)
	}
	return resp, body
}

// sendLink is postLink for any goroutine: it returns the error.
func (la *linkApp) sendLink(c linkCall) (*http.Response, string, error) {
	req, _ := http.NewRequest(http.MethodPost, la.url("/api/link"), strings.NewReader(c.body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, strings.TrimSpace(string(b)), nil
}

// bearer returns the header of an access token of the LINE user userID.
func (la *linkApp) bearer(userID string) http.Header {
	la.t.Helper()
	tok, err := la.platform.IssueAccessToken(userID, []string{"openid", "profile"})
	if err != nil {
		la.t.Fatal(err)
	}
	return http.Header{"Authorization": {"Bearer " + tok}}
}

func jsonBody(v map[string]any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

const (
	answerProofRefused = `{"error":"proof_refused"}`
	answerInvalid      = `{"error":"invalid_request"}`
	answerTooMany      = `{"error":"too_many_attempts"}`
	answerConflict     = `{"error":"already_linked"}`
)

func TestLinkAPI_InHouseIDToken(t *testing.T) {
	la := newLinkApp(t)
	brown := la.user.ID
	for _, alg := range []string{oidc.RS256, oidc.ES256} {
		t.Run(alg, func(t *testing.T) {
			account := "acct-" + alg
			idToken := la.inHouse.token(alg, account, nil)
			resp, body := la.postLink(linkCall{la.bearer(brown), jsonBody(map[string]any{"idToken": idToken})})
			if resp.StatusCode != http.StatusOK || body != `{"accountId":"`+account+`"}` {
				t.Fatalf("valid %s token: %d %s", alg, resp.StatusCode, body)
			}
			if got := la.accountOf(brown); got != account {
				t.Errorf("store: %q", got)
			}
			// Each token links once: replayed, even for the same link, it
			// is refused.
			resp, body = la.postLink(linkCall{la.bearer(brown), jsonBody(map[string]any{"idToken": idToken})})
			if resp.StatusCode != http.StatusForbidden || body != answerProofRefused {
				t.Errorf("replayed token: %d %s", resp.StatusCode, body)
			}
			// A fresh token for the link that exists: 200.
			resp, body = la.postLink(linkCall{la.bearer(brown), jsonBody(map[string]any{"idToken": la.inHouse.token(alg, account, nil)})})
			if resp.StatusCode != http.StatusOK || body != `{"accountId":"`+account+`"}` {
				t.Errorf("the same link again: %d %s", resp.StatusCode, body)
			}
			la.store.Unlink(context.Background(), account)
			la.clock.Advance(middleware.RefusedProofWindow) // forget the replay's refusal
		})
	}
}

func TestLinkAPI_InHouseIDTokenRefused(t *testing.T) {
	la := newLinkApp(t)
	brown := la.user.ID
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	b64 := base64.RawURLEncoding.EncodeToString
	claims := func() string {
		now := la.clock.Now()
		b, _ := json.Marshal(map[string]any{"iss": la.inHouse.URL, "aud": la.inHouse.clientID, "sub": "alice",
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
		return string(b)
	}
	cases := map[string]func() string{
		"wrong aud": func() string { return la.inHouse.token(oidc.RS256, "alice", map[string]any{"aud": "another-client"}) },
		"two auds": func() string {
			return la.inHouse.token(oidc.RS256, "alice", map[string]any{"aud": []string{la.inHouse.clientID, "x"}})
		},
		"wrong issuer": func() string {
			return la.inHouse.token(oidc.RS256, "alice", map[string]any{"iss": "https://idp.evil.example"})
		},
		"expired": func() string {
			now := la.clock.Now()
			return la.inHouse.token(oidc.RS256, "alice", map[string]any{"iat": now.Add(-5 * time.Minute).Unix(), "exp": now.Add(-time.Second).Unix()})
		},
		"stale iat": func() string {
			return la.inHouse.token(oidc.RS256, "alice", map[string]any{"iat": la.clock.Now().Add(-11 * time.Minute).Unix()})
		},
		"no iat": func() string { return la.inHouse.token(oidc.RS256, "alice", map[string]any{"iat": nil}) },
		"future iat": func() string {
			return la.inHouse.token(oidc.RS256, "alice", map[string]any{"iat": la.clock.Now().Add(5 * time.Minute).Unix()})
		},
		"no sub":      func() string { return la.inHouse.token(oidc.RS256, "", map[string]any{"sub": nil}) },
		"alg none":    func() string { return b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64([]byte(claims())) + "." },
		"unknown key": func() string { return oidctest.SignIDToken(otherKey, "unknown-kid", oidc.RS256, claims()) },
		"known kid, other key": func() string {
			return oidctest.SignIDToken(otherKey, oidc.RS256, oidc.RS256, claims())
		},
		"ES256 kid, RS256 signature": func() string {
			return oidctest.SignIDToken(la.inHouse.keys[oidc.RS256], oidc.ES256, oidc.RS256, claims())
		},
		"altered claims": func() string {
			parts := strings.Split(la.inHouse.token(oidc.RS256, "alice", nil), ".")
			parts[1] = b64([]byte(strings.Replace(claims(), `"alice"`, `"bob"`, 1)))
			return strings.Join(parts, ".")
		},
		"not a JWT": func() string { return "abc.def" },
	}
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			resp, body := la.postLink(linkCall{la.bearer(brown), jsonBody(map[string]any{"idToken": token()})})
			if resp.StatusCode != http.StatusForbidden || body != answerProofRefused {
				t.Errorf("%d %s, want 403 %s", resp.StatusCode, body, answerProofRefused)
			}
			if got := la.accountOf(brown); got != "" {
				t.Errorf("linked to %q", got)
			}
			la.clock.Advance(middleware.RefusedProofWindow) // keep the lockout out of this test
		})
	}
}

func TestLinkAPI_Credentials(t *testing.T) {
	la := newLinkApp(t)
	brown, cony := la.user.ID, linetest.DefaultUsers()[1].ID
	body := func() string { return jsonBody(map[string]any{"idToken": la.inHouse.token(oidc.RS256, "alice", nil)}) }

	for name, c := range map[string]struct {
		header    http.Header
		status    int
		challenge string
	}{
		"none":          {http.Header{}, http.StatusUnauthorized, "Bearer"},
		"refused token": {http.Header{"Authorization": {"Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA"}}, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		"refused ID":    {http.Header{"X-Line-Id-Token": {"eyJhbGciOiJIUzI1NiJ9.e30.AAAA"}}, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		"malformed":     {http.Header{"Authorization": {"Bearer a b"}}, http.StatusBadRequest, `Bearer error="invalid_request"`},
		// Basic is the app's (or its proxy's) business, not a LINE credential.
		"not bearer": {http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}, http.StatusUnauthorized, "Bearer"},
	} {
		t.Run(name, func(t *testing.T) {
			resp, _ := la.postLink(linkCall{c.header, body()})
			if resp.StatusCode != c.status || resp.Header.Get("WWW-Authenticate") != c.challenge {
				t.Errorf("%d %q, want %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), c.status, c.challenge)
			}
		})
	}
	// A browser's session cookie is no credential here: another site could
	// make the browser send it.
	b := la.browser()
	b.mustLogin()
	req, _ := http.NewRequest(http.MethodPost, la.url("/api/link"), strings.NewReader(body()))
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("session cookie: %d %q, want 401", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}

	// An ID token of LINE (LIFF's liff.getIDToken()) is a credential.
	idToken, _ := la.platform.IssueLIFFIDToken(cony, "")
	resp, got := la.postLink(linkCall{http.Header{"X-Line-Id-Token": {idToken}}, body()})
	if resp.StatusCode != http.StatusOK || got != `{"accountId":"alice"}` || la.accountOf(cony) != "alice" {
		t.Errorf("X-Line-ID-Token: %d %s", resp.StatusCode, got)
	}

	// The body cannot name the LINE user: brown's token links brown, not
	// the user named in the body.
	la.store.Unlink(context.Background(), "alice")
	resp, got = la.postLink(linkCall{la.bearer(brown), jsonBody(map[string]any{
		"idToken": la.inHouse.token(oidc.RS256, "alice", nil), "lineUserId": cony, "userId": cony,
		"sub": cony, "displayName": "Cony",
	})})
	if resp.StatusCode != http.StatusOK || got != `{"accountId":"alice"}` {
		t.Fatalf("%d %s", resp.StatusCode, got)
	}
	if la.accountOf(brown) != "alice" || la.accountOf(cony) != "" {
		t.Errorf("the body chose the LINE user: brown=%q cony=%q", la.accountOf(brown), la.accountOf(cony))
	}
}

func TestLinkAPI_BadRequests(t *testing.T) {
	la := newLinkApp(t, func(l *middleware.Linking) {})
	noFacts := newLinkApp(t, func(l *middleware.Linking) { l.CheckFacts = nil })
	noInHouse := newLinkApp(t, func(l *middleware.Linking) { l.InHouseIssuer, l.InHouseClientID = "", "" })
	brown := la.user.ID
	tok := la.inHouse.token(oidc.RS256, "alice", nil)
	for name, c := range map[string]struct {
		app  *linkApp
		body string
	}{
		"empty":             {la, ``},
		"not JSON":          {la, `idToken=abc`},
		"array":             {la, `[]`},
		"no proof":          {la, `{}`},
		"both proofs":       {la, jsonBody(map[string]any{"idToken": tok, "memberNumber": "M-1001", "birthDate": "1990-04-01"})},
		"half the facts":    {la, `{"memberNumber":"M-1001"}`},
		"bad date":          {la, `{"memberNumber":"M-1001","birthDate":"01/04/1990"}`},
		"impossible date":   {la, `{"memberNumber":"M-1001","birthDate":"1990-02-30"}`},
		"wrong types":       {la, `{"memberNumber":1001,"birthDate":"1990-04-01"}`},
		"trailing data":     {la, jsonBody(map[string]any{"idToken": tok}) + `{}`},
		"over 8 KB":         {la, `{"idToken":"` + tok + `","pad":"` + strings.Repeat("x", 8<<10) + `"}`},
		"facts unsupported": {noFacts, `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`},
		"token unsupported": {noInHouse, jsonBody(map[string]any{"idToken": tok})},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := c.app.postLink(linkCall{c.app.bearer(brown), c.body})
			if resp.StatusCode != http.StatusBadRequest || body != answerInvalid {
				t.Errorf("%d %s, want 400 %s", resp.StatusCode, body, answerInvalid)
			}
		})
	}
	if la.accountOf(brown) != "" {
		t.Error("a bad request linked")
	}
}

func TestLinkAPI_TypedFacts(t *testing.T) {
	la := newLinkApp(t)
	brown := la.user.ID
	resp, body := la.postLink(linkCall{la.bearer(brown), `{"memberNumber":"M-1001","birthDate":"1990-01-04"}`})
	if resp.StatusCode != http.StatusForbidden || body != answerProofRefused {
		t.Errorf("wrong birth date: %d %s", resp.StatusCode, body)
	}
	resp, body = la.postLink(linkCall{la.bearer(brown), `{"memberNumber":"M-9999","birthDate":"1990-04-01"}`})
	if resp.StatusCode != http.StatusForbidden || body != answerProofRefused {
		t.Errorf("unknown member: %d %s", resp.StatusCode, body)
	}
	resp, body = la.postLink(linkCall{la.bearer(brown), `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`})
	if resp.StatusCode != http.StatusOK || body != `{"accountId":"alice"}` || la.accountOf(brown) != "alice" {
		t.Errorf("right facts: %d %s", resp.StatusCode, body)
	}
	// Brown proving bob's membership: brown is linked to alice already.
	resp, body = la.postLink(linkCall{la.bearer(brown), `{"memberNumber":"M-1002","birthDate":"1985-12-24"}`})
	if resp.StatusCode != http.StatusConflict || body != answerConflict || la.accountOf(brown) != "alice" {
		t.Errorf("LINE user linked elsewhere: %d %s", resp.StatusCode, body)
	}
	// Cony proving alice's membership: alice is brown's.
	resp, body = la.postLink(linkCall{la.bearer(linetest.DefaultUsers()[1].ID), `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`})
	if resp.StatusCode != http.StatusConflict || body != answerConflict {
		t.Errorf("account linked elsewhere: %d %s", resp.StatusCode, body)
	}
}

func TestLinkAPI_LockoutPerLINEUser(t *testing.T) {
	la := newLinkApp(t)
	brown := la.user.ID
	for i := range middleware.MaxRefusedProofs {
		// Refusals of either kind count.
		body := fmt.Sprintf(`{"memberNumber":"M-%d","birthDate":"2000-01-01"}`, 5000+i)
		if i%2 == 1 {
			body = jsonBody(map[string]any{"idToken": la.inHouse.token(oidc.RS256, "alice", map[string]any{"aud": "x"})})
		}
		if resp, got := la.postLink(linkCall{la.bearer(brown), body}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("guess %d: %d %s", i, resp.StatusCode, got)
		}
		la.clock.Advance(time.Minute)
	}
	checked := la.checks.Load()
	// Locked: a right proof, of either kind, is not even checked.
	for name, body := range map[string]string{
		"right facts":    `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`,
		"valid ID token": jsonBody(map[string]any{"idToken": la.inHouse.token(oidc.RS256, "alice", nil)}),
	} {
		resp, got := la.postLink(linkCall{la.bearer(brown), body})
		if resp.StatusCode != http.StatusTooManyRequests || got != answerTooMany {
			t.Errorf("%s during lockout: %d %s", name, resp.StatusCode, got)
		}
		// The first refusal leaves the window 15 minutes after it, 10
		// minutes from now (one minute between guesses).
		if ra := resp.Header.Get("Retry-After"); ra != "600" {
			t.Errorf("Retry-After %q, want 600", ra)
		}
	}
	if la.checks.Load() != checked || la.accountOf(brown) != "" {
		t.Error("a proof was checked during the lockout")
	}
	// Another LINE user is not locked.
	cony := linetest.DefaultUsers()[1].ID
	if resp, got := la.postLink(linkCall{la.bearer(cony), `{"memberNumber":"M-1002","birthDate":"1985-12-24"}`}); resp.StatusCode != http.StatusOK {
		t.Errorf("another LINE user: %d %s", resp.StatusCode, got)
	}
	// Once the oldest refusal leaves the window, one more try.
	la.clock.Advance(10 * time.Minute)
	if resp, got := la.postLink(linkCall{la.bearer(brown), `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`}); resp.StatusCode != http.StatusOK {
		t.Errorf("after the window: %d %s", resp.StatusCode, got)
	}
}

func TestLinkAPI_LockoutPerMemberNumberAcrossLINEUsers(t *testing.T) {
	la := newLinkApp(t)
	users := linetest.DefaultUsers()
	// Five wrong birth dates for M-1001, spelled in several ways, from
	// three LINE users, none of whom reaches the per-user limit.
	spellings := []string{"M-1001", "m-1001", "M1001", "M 1001", "m_1001"}
	for i := range middleware.MaxRefusedProofs {
		u := users[i%len(users)].ID
		body := fmt.Sprintf(`{"memberNumber":%q,"birthDate":"1990-01-%02d"}`, spellings[i%len(spellings)], 10+i)
		if resp, got := la.postLink(linkCall{la.bearer(u), body}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("guess %d: %d %s", i, resp.StatusCode, got)
		}
	}
	checked := la.checks.Load()
	sally := users[2].ID // one refusal of her own
	resp, got := la.postLink(linkCall{la.bearer(sally), `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`})
	if resp.StatusCode != http.StatusTooManyRequests || got != answerTooMany || resp.Header.Get("Retry-After") == "" {
		t.Errorf("right facts for a locked member number: %d %s Retry-After %q", resp.StatusCode, got, resp.Header.Get("Retry-After"))
	}
	if la.checks.Load() != checked || la.accountOf(sally) != "" {
		t.Error("a proof was checked during the lockout")
	}
	// Another member number from the same users is not locked.
	if resp, got := la.postLink(linkCall{la.bearer(sally), `{"memberNumber":"M-1002","birthDate":"1985-12-24"}`}); resp.StatusCode != http.StatusOK {
		t.Errorf("another member number: %d %s", resp.StatusCode, got)
	}
}

func TestLinking_Config(t *testing.T) {
	for name, l := range map[string]*middleware.Linking{
		"no store":              {},
		"issuer without client": {Store: &link.MemoryStore{}, InHouseIssuer: "https://idp.example"},
		"remote AfterUnlink":    {Store: &link.MemoryStore{}, AfterUnlink: "https://evil.example/"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := newTestApp(t).cfg
			cfg.Linking = l
			if _, err := middleware.New(cfg); !errors.Is(err, middleware.ErrConfig) {
				t.Errorf("New: %v, want ErrConfig", err)
			}
		})
	}
}

// TestLinkAPI_LockoutSharedAcrossInstances: guesses spread over two
// instances sharing redislink.Attempts add up.
func TestLinkAPI_LockoutSharedAcrossInstances(t *testing.T) {
	url, prefix := redistest.URL(t), redistest.Prefix()
	shared := func(l *middleware.Linking) {
		client, err := redislink.NewURL(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(client.Close)
		l.Attempts = redislink.NewAttempts(client, prefix, middleware.MaxRefusedProofs, middleware.RefusedProofWindow)
	}
	one, two := newLinkApp(t, shared), newLinkApp(t, shared)
	brown := one.user.ID
	for i := range middleware.MaxRefusedProofs {
		app := []*linkApp{one, two}[i%2]
		if resp, got := app.postLink(linkCall{app.bearer(brown), `{"memberNumber":"M-1001","birthDate":"2000-01-01"}`}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("guess %d: %d %s", i, resp.StatusCode, got)
		}
	}
	for _, app := range []*linkApp{one, two} {
		if resp, got := app.postLink(linkCall{app.bearer(brown), `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`}); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("right facts after five refusals over two instances: %d %s", resp.StatusCode, got)
		}
	}
}

// TestConnect_ConflictThroughOnError: an OnError hook that records the
// error and falls back to ServeError gives the same 409 page.
func TestConnect_ConflictThroughOnError(t *testing.T) {
	var seen atomic.Value
	la := newLinkApp(t)
	cfg := la.cfg
	cfg.Pages.OnError = func(w http.ResponseWriter, r *http.Request, err error) {
		seen.Store(err)
		la.auth.ServeError(w, r, err)
	}
	la.mount(t, cfg)
	mux := http.NewServeMux()
	mux.Handle("/account/link", la.auth.Links().ConnectHandler())
	mux.Handle("/", *la.handler.Load())
	var h http.Handler = la.auth.Handler(mux)
	la.handler.Store(&h)

	la.store.Link(context.Background(), la.user.ID, "carol")
	b := la.browser()
	la.signIn(b, "alice")
	resp := b.get(b.authorize(b.startConnect("/account")).String())
	if body := readBody(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already connected") {
		t.Errorf("%d %.300s, want 409 and the conflict page", resp.StatusCode, body)
	}
	if err, _ := seen.Load().(error); !errors.Is(err, link.ErrAlreadyLinked) || middleware.StatusOf(err) != http.StatusConflict {
		t.Errorf("OnError saw %v", err)
	}
}

// TestLinkEvents: a connect, an unlink and a link from /api/link each reach
// the audit hook, with the LINE user and the account.
func TestLinkEvents(t *testing.T) {
	la := newLinkApp(t)
	b := la.browser()
	la.signIn(b, "alice")
	b.get(b.authorize(b.startConnect("/account")).String())
	if resp := b.post("/account/unlink", true, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlink: %d", resp.StatusCode)
	}
	if resp, body := la.postLink(linkCall{la.bearer(la.user.ID), `{"memberNumber":"M-1002","birthDate":"1985-12-24"}`}); resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/link: %d %s", resp.StatusCode, body)
	}
	want := []middleware.Event{
		{Kind: middleware.EventLink, UserID: la.user.ID, AccountID: "alice"},
		{Kind: middleware.EventUnlink, UserID: la.user.ID, AccountID: "alice"},
		{Kind: middleware.EventLink, UserID: la.user.ID, AccountID: "bob"},
	}
	got := la.linkEvents()
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	for i, e := range got {
		if e.Kind != want[i].Kind || e.UserID != want[i].UserID || e.AccountID != want[i].AccountID || e.Time.IsZero() ||
			e.ChannelID != la.platform.ChannelID() {
			t.Errorf("event %d: %+v, want %+v", i, e, want[i])
		}
	}
}
