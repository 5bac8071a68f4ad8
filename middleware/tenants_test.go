package middleware_test

// Web login for many channels in one Auth (Config.Tenants, issue 22):
// each host a tenant with its own linetest platform, over real HTTP.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// tenantPlatform is the LINE channel of one tenant: a linetest platform
// of its own, whose provider gives its users IDs of its own.
type tenantPlatform struct {
	*linetest.Server
	host string // the tenant's host, with the app's port
	user linetest.User
}

// tenantApp is one app serving several tenants by host.
type tenantApp struct {
	t       *testing.T
	srv     *httptest.Server
	auth    *middleware.Auth
	tenants *middleware.Tenants
	logs    *testkit.Buffer
	port    string
	// channelTokens are the channel access tokens of the tenants, by host.
	channelTokens sync.Map
}

// newTenantPlatform starts the platform of tenant name (a host name
// without port) with a channel of its own and users whose IDs are its
// provider's.
func (app *tenantApp) newTenantPlatform(name string, n int) *tenantPlatform {
	return app.newTenantPlatformOf(name, n, n)
}

// newTenantPlatformOf starts the platform of tenant name with a channel
// of provider's: tenants of one provider see the same user IDs.
func (app *tenantApp) newTenantPlatformOf(name string, n, provider int) *tenantPlatform {
	users := linetest.DefaultUsers()
	for i := range users {
		// Same people, other provider: other IDs (U + 32 hex digits).
		users[i].ID = fmt.Sprintf("U%031x%d", 0xabc0+provider, i%10)
	}
	// The first user is a friend of tenant 1's official account only.
	users[0].Friend = n == 1
	p := linetest.NewServer(app.t, linetest.Config{
		ChannelID:     fmt.Sprintf("20000000%02d", n),
		ChannelSecret: fmt.Sprintf("secret-of-tenant-%02d-0123456789abcdef", n),
		Users:         users,
	})
	tp := &tenantPlatform{Server: p, host: name + ":" + app.port, user: users[0]}
	p.SetAutoApprove(tp.user.ID)
	if err := p.AddCallbackURL(tp.callbackURL()); err != nil {
		app.t.Fatal(err)
	}
	return tp
}

func (tp *tenantPlatform) callbackURL() string { return "http://" + tp.host + "/callback" }

// line is the tenant's channel configuration, with secret as its secret.
func (tp *tenantPlatform) line(secret string) callback.Config {
	return callback.Config{
		ChannelID:     tp.ChannelID(),
		ChannelSecret: secret,
		RedirectURL:   tp.callbackURL(),
		AccessURL:     tp.AccessURL(),
		APIURL:        tp.APIURL(),
	}
}

func (app *tenantApp) add(tp *tenantPlatform) {
	app.t.Helper()
	if err := app.tenants.Add(tp.host, tp.line(tp.ChannelSecret())); err != nil {
		app.t.Fatal(err)
	}
	app.channelTokens.Store(tp.host, tp.IssueChannelAccessToken())
}

// newTenantApp starts an app with an empty set of tenants on
// 127.0.0.1; its tenants are hosts of *.localhost on its port, which
// twoShops starts the platforms of shop-a.localhost and shop-b.localhost,
// of providers 1 and 2, not yet tenants of app.
func (app *tenantApp) twoShops() (a, b *tenantPlatform) {
	return app.newTenantPlatform("shop-a.localhost", 1), app.newTenantPlatform("shop-b.localhost", 2)
}

// loggedInOnBoth adds both shops as tenants and returns a browser logged
// in on each.
func (app *tenantApp) loggedInOnBoth() (a, b *tenantPlatform, br *tenantBrowser) {
	a, b = app.twoShops()
	app.add(a)
	app.add(b)
	br = app.browser()
	br.mustLogin(a.host)
	br.mustLogin(b.host)
	return a, b, br
}

// the tests' browsers dial at the app's address.
func newTenantApp(t *testing.T, opts ...appOption) *tenantApp {
	t.Helper()
	app := &tenantApp{t: t, tenants: middleware.NewTenants(), logs: &testkit.Buffer{}}
	app.srv = httptest.NewUnstartedServer(nil)
	_, app.port, _ = net.SplitHostPort(app.srv.Listener.Addr().String())
	cfg := middleware.Config{
		Tenants: app.tenants,
		Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}},
		Logger:  slog.New(slog.NewTextHandler(app.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	auth, err := middleware.New(cfg)
	if err != nil {
		t.Fatalf("middleware.New: %v", err)
	}
	app.auth = auth
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if u, ok := middleware.UserFromContext(r.Context()); ok {
			io.WriteString(w, "hello "+u.ID)
			return
		}
		io.WriteString(w, "hello stranger")
	})
	mux.Handle("/api/me", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFromContext(r.Context())
		json.NewEncoder(w).Encode(u)
	})))
	mux.Handle("/token", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := auth.Token(w, r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		io.WriteString(w, tok.AccessToken)
	})))
	// /friend asks LINE through the client of the request's channel;
	// /unregister deletes the user at LINE with the channel's own channel
	// access token (as an app keeps one per channel).
	mux.Handle("/friend", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := auth.Token(w, r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		client, err := auth.ClientFor(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		friend, err := client.Friendship(r.Context(), tok.AccessToken)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, friend)
	})))
	mux.Handle("/unregister", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := app.channelTokens.Load(strings.ToLower(r.Host))
		token, _ := v.(string)
		if err := auth.Sessions().Unregister(w, r, token); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		io.WriteString(w, "unregistered")
	})))
	if cfg.Linking != nil {
		mux.Handle("/api/link", auth.Links().APIHandler())
		mux.Handle("/account/unlink", auth.Links().UnlinkHandler())
		// /linked names the account linked to the request's LINE user.
		mux.Handle("/linked", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			acct, err := middleware.LinkedAccountFromContext(r.Context())
			if err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
			io.WriteString(w, "linked to "+acct)
		})))
	}
	app.srv.Config.Handler = auth.Handler(mux)
	app.srv.Start()
	t.Cleanup(app.srv.Close)
	return app
}

// tenantBrowser is a cookie-keeping browser that reaches every
// *.localhost host of the app at its address, and does not follow
// redirects.
type tenantBrowser struct {
	t      testing.TB
	app    *tenantApp
	jar    http.CookieJar
	client *http.Client
}

func (app *tenantApp) browser() *tenantBrowser {
	jar, _ := cookiejar.New(nil)
	addr := app.srv.Listener.Addr().String()
	dialer := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		if strings.HasSuffix(strings.Split(a, ":")[0], ".localhost") {
			a = addr
		}
		return dialer.DialContext(ctx, network, a)
	}}
	app.t.Cleanup(tr.CloseIdleConnections)
	client := testkit.NoRedirects(&http.Client{Jar: jar, Transport: tr})
	return &tenantBrowser{t: app.t, app: app, jar: jar, client: client}
}

func (b *tenantBrowser) do(method, rawURL string, header http.Header) (int, http.Header, string) {
	b.t.Helper()
	return b.send(method, rawURL, header, "")
}

func (b *tenantBrowser) send(method, rawURL string, header http.Header, body string) (int, http.Header, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(got)
}

func (b *tenantBrowser) get(rawURL string) (int, http.Header, string) {
	b.t.Helper()
	return b.do(http.MethodGet, rawURL, nil)
}

// callbackOf starts a login on host and has its platform approve it,
// returning the callback URL LINE sends the browser to.
func (b *tenantBrowser) callbackOf(host string) string {
	b.t.Helper()
	status, h, body := b.get("http://" + host + "/login")
	if status != http.StatusFound {
		b.t.Fatalf("GET %s/login: status %d, want 302: %s", host, status, body)
	}
	status, h, body = b.get(h.Get("Location"))
	if status != http.StatusFound {
		b.t.Fatalf("authorize: status %d, want 302: %s", status, body)
	}
	return h.Get("Location")
}

// login logs in on host and returns the callback's status and body.
func (b *tenantBrowser) login(host string) (int, string) {
	b.t.Helper()
	status, _, body := b.get(b.callbackOf(host))
	return status, body
}

func (b *tenantBrowser) mustLogin(host string) {
	b.t.Helper()
	if status, body := b.login(host); status != http.StatusSeeOther {
		b.t.Fatalf("callback on %s: status %d, want 303: %s", host, status, body)
	}
}

// me returns the status of host's /api/me and its user.
func (b *tenantBrowser) me(host string) (int, middleware.User) {
	b.t.Helper()
	status, _, body := b.do(http.MethodGet, "http://"+host+"/api/me", http.Header{"Accept": {"application/json"}})
	var u middleware.User
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &u); err != nil {
			b.t.Fatal(err)
		}
	}
	return status, u
}

// cookie returns the value of the browser's cookie name on host.
func (b *tenantBrowser) cookie(host, name string) string {
	u, _ := url.Parse("http://" + host + "/")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// secretsAt returns the client secrets that reached p's token or revoke
// endpoint (path).
func secretsAt(p *tenantPlatform, path string) []string {
	var out []string
	for _, r := range p.Requests() {
		if r.Path == path {
			out = append(out, r.Form.Get("client_secret"))
		}
	}
	return out
}

// TestTenants_LoginPerChannel: a login on each of two hosts of one app
// goes to its tenant's platform, with its tenant's secret, and lands
// with the user ID that tenant's provider gives and a session of its own.
func TestTenants_LoginPerChannel(t *testing.T) {
	app := newTenantApp(t)
	a, b, br := app.loggedInOnBoth()
	for _, tp := range []*tenantPlatform{a, b} {
		status, u := br.me(tp.host)
		if status != http.StatusOK || u.ID != tp.user.ID || u.ChannelID != tp.ChannelID() {
			t.Errorf("%s /api/me: status %d, user %q of channel %q; want 200, %q of %q", tp.host, status, u.ID, u.ChannelID, tp.user.ID, tp.ChannelID())
		}
		if got := secretsAt(tp, linetest.PathToken); len(got) != 1 || got[0] != tp.ChannelSecret() {
			t.Errorf("%s: token requests with secrets %q, want one with its own", tp.host, got)
		}
	}
	if a.user.ID == b.user.ID {
		t.Fatal("the two providers gave one user ID: the test proves nothing")
	}
	if br.cookie(a.host, sessionCookie) == br.cookie(b.host, sessionCookie) {
		t.Error("the two tenants share one session cookie")
	}
}

// TestTenants_SessionAndFlowStayOnTheirTenant: tenant A's session cookie
// is nobody on tenant B, and a callback on B with a flow started on A is
// refused (400) without a token request anywhere.
func TestTenants_SessionAndFlowStayOnTheirTenant(t *testing.T) {
	app := newTenantApp(t)
	a, b := app.twoShops()
	app.add(a)
	app.add(b)
	br := app.browser()
	br.mustLogin(a.host)

	value := br.cookie(a.host, sessionCookie)
	other := app.browser()
	u, _ := url.Parse("http://" + b.host + "/")
	other.jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: value}})
	if status, _ := other.me(b.host); status != http.StatusUnauthorized {
		t.Errorf("tenant A's session cookie on B: /api/me status %d, want 401", status)
	}
	if _, _, body := other.get("http://" + b.host + "/"); body != "hello stranger" {
		t.Errorf("tenant A's session cookie on B: home says %q, want a stranger", body)
	}

	// A flow started on A, its callback sent to B with A's flow cookies.
	fresh := app.browser()
	cb, _ := url.Parse(fresh.callbackOf(a.host))
	aURL, _ := url.Parse("http://" + a.host + "/")
	bURL, _ := url.Parse("http://" + b.host + "/")
	fresh.jar.SetCookies(bURL, fresh.jar.Cookies(aURL))
	cb.Host = b.host
	tokensBefore := len(secretsAt(a, linetest.PathToken)) + len(secretsAt(b, linetest.PathToken))
	status, _, body := fresh.get(cb.String())
	if status != http.StatusBadRequest {
		t.Errorf("callback on B of a flow started on A: status %d, want 400: %s", status, body)
	}
	if n := len(secretsAt(a, linetest.PathToken)) + len(secretsAt(b, linetest.PathToken)); n != tokensBefore {
		t.Errorf("the crossed callback made %d token requests, want none", n-tokensBefore)
	}
	if status, _ := fresh.me(b.host); status != http.StatusUnauthorized {
		t.Errorf("after the crossed callback, B's /api/me: %d, want 401", status)
	}
}

// TestTenants_RenewalAndRevocationUseTheTenantsSecret: Token's renewal
// and logout's revocation each reach the tenant's own platform with its
// own secret, and nothing reaches the other's.
func TestTenants_RenewalAndRevocationUseTheTenantsSecret(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	app := newTenantApp(t, withTokens(clock))
	a, b, br := app.loggedInOnBoth()
	clock.Advance(linetest.DefaultAccessTokenTTL - time.Minute)
	for _, tp := range []*tenantPlatform{a, b} {
		if status, _, body := br.get("http://" + tp.host + "/token"); status != http.StatusOK {
			t.Fatalf("%s /token: %d %s", tp.host, status, body)
		}
		var grants []string
		for _, r := range tp.Requests() {
			if r.Path == linetest.PathToken {
				grants = append(grants, r.Form.Get("grant_type")+"/"+r.Form.Get("client_secret"))
			}
		}
		want := []string{"authorization_code/" + tp.ChannelSecret(), "refresh_token/" + tp.ChannelSecret()}
		if fmt.Sprint(grants) != fmt.Sprint(want) {
			t.Errorf("%s: token requests %q, want %q", tp.host, grants, want)
		}
	}
	for _, tp := range []*tenantPlatform{a, b} {
		status, _, _ := br.do(http.MethodPost, "http://"+tp.host+"/logout", http.Header{"Origin": {"http://" + tp.host}})
		if status != http.StatusSeeOther {
			t.Fatalf("%s logout: status %d, want 303", tp.host, status)
		}
		if got := secretsAt(tp, linetest.PathRevoke); len(got) != 1 || got[0] != tp.ChannelSecret() {
			t.Errorf("%s: revocations with secrets %q, want one with its own", tp.host, got)
		}
	}
}

// TestTenants_UnknownHost: a host of no tenant gets the 421 page, in the
// request's language, that no frame can show; never a login.
func TestTenants_UnknownHost(t *testing.T) {
	app := newTenantApp(t)
	a := app.newTenantPlatform("shop-a.localhost", 1)
	app.add(a)
	br := app.browser()
	for _, path := range []string{"/login", "/", "/callback?code=x&state=y", "/api/me"} {
		status, h, body := br.do(http.MethodGet, "http://shop-z.localhost:"+app.port+path, http.Header{"Accept-Language": {"ja"}})
		if status != http.StatusMisdirectedRequest {
			t.Errorf("GET %s on an unknown host: status %d, want 421", path, status)
		}
		if h.Get("Location") != "" {
			t.Errorf("GET %s on an unknown host: redirected to %s", path, h.Get("Location"))
		}
		if !strings.Contains(body, "このサイトはここでは提供されていません") {
			t.Errorf("GET %s on an unknown host: the page is not the Japanese 421 page: %s", path, body)
		}
		if h.Get("X-Frame-Options") != "DENY" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("GET %s on an unknown host: frame headers %q, %q", path, h.Get("X-Frame-Options"), h.Get("Content-Security-Policy"))
		}
	}
	if n := a.Count(linetest.PathAuthorize) + a.Count(linetest.PathToken); n != 0 {
		t.Errorf("the unknown host reached the tenant's platform %d times", n)
	}
}

// TestTenants_AddedAndRemovedAtRunTime: a tenant added while the app
// runs logs in at once; a removed one gets 421 at its next request, its
// session included; the other tenant carries on.
func TestTenants_AddedAndRemovedAtRunTime(t *testing.T) {
	app := newTenantApp(t)
	a, b := app.twoShops()
	app.add(a)
	br := app.browser()
	if status, _, _ := br.get("http://" + b.host + "/login"); status != http.StatusMisdirectedRequest {
		t.Fatalf("B before it is added: status %d, want 421", status)
	}
	app.add(b)
	br.mustLogin(b.host)
	br.mustLogin(a.host)
	if status, u := br.me(b.host); status != http.StatusOK || u.ID != b.user.ID {
		t.Fatalf("B added at run time: /api/me %d %q", status, u.ID)
	}
	app.tenants.Remove(b.host)
	if status, _ := br.me(b.host); status != http.StatusMisdirectedRequest {
		t.Errorf("B removed: /api/me with its session: status %d, want 421", status)
	}
	if status, _, _ := br.get("http://" + b.host + "/login"); status != http.StatusMisdirectedRequest {
		t.Errorf("B removed: /login status %d, want 421", status)
	}
	if status, u := br.me(a.host); status != http.StatusOK || u.ID != a.user.ID {
		t.Errorf("A after B's removal: /api/me %d %q", status, u.ID)
	}
}

// TestTenants_WrongSecretShowsOnItsTenantOnly: LINE refusing one tenant's
// secret shows the misconfigured page there, while the other logs in.
func TestTenants_WrongSecretShowsOnItsTenantOnly(t *testing.T) {
	app := newTenantApp(t)
	a, b := app.twoShops()
	app.add(a)
	if err := app.tenants.Add(b.host, b.line("not-the-secret-of-b-0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	br := app.browser()
	status, body := br.login(b.host)
	if status != http.StatusInternalServerError || !strings.Contains(body, "This site is misconfigured") {
		t.Errorf("B with a wrong secret: status %d, want 500 and the misconfigured page: %s", status, body)
	}
	br.mustLogin(a.host)
	if status, u := br.me(a.host); status != http.StatusOK || u.ID != a.user.ID {
		t.Errorf("A beside a misconfigured B: /api/me %d %q", status, u.ID)
	}
	// The log tells the operator which tenant to fix, and no other.
	var mistakes []string
	for _, line := range strings.Split(app.logs.String(), "\n") {
		if strings.Contains(line, "configuration error") {
			mistakes = append(mistakes, line)
		}
	}
	if len(mistakes) != 1 || !strings.Contains(mistakes[0], "channel="+b.ChannelID()) {
		t.Errorf("configuration errors logged: %q, want one naming channel %s", mistakes, b.ChannelID())
	}
	// Fixing the secret fixes B without a restart.
	app.add(b)
	br.mustLogin(b.host)
}

// TestTenants_ConcurrentLogins: logins on two tenants at once from many
// goroutines each land on their own tenant's user, each platform
// exchanging exactly its own codes.
func TestTenants_ConcurrentLogins(t *testing.T) {
	app := newTenantApp(t)
	tps := []*tenantPlatform{app.newTenantPlatform("shop-a.localhost", 1), app.newTenantPlatform("shop-b.localhost", 2)}
	for _, tp := range tps {
		app.add(tp)
	}
	const perTenant = 20
	var wg sync.WaitGroup
	errs := make(chan string, 2*perTenant)
	for i := range 2 * perTenant {
		tp := tps[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			br := app.browser()
			req, _ := http.NewRequest(http.MethodGet, "http://"+tp.host+"/login", nil)
			resp, err := br.client.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			resp, err = br.client.Get(resp.Header.Get("Location"))
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			resp, err = br.client.Get(resp.Header.Get("Location"))
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				errs <- fmt.Sprintf("%s callback: %d", tp.host, resp.StatusCode)
				return
			}
			req, _ = http.NewRequest(http.MethodGet, "http://"+tp.host+"/api/me", nil)
			req.Header.Set("Accept", "application/json")
			resp, err = br.client.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			var u middleware.User
			json.NewDecoder(resp.Body).Decode(&u)
			resp.Body.Close()
			if u.ID != tp.user.ID || u.ChannelID != tp.ChannelID() {
				errs <- fmt.Sprintf("%s: user %q of %q", tp.host, u.ID, u.ChannelID)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for _, tp := range tps {
		if got := secretsAt(tp, linetest.PathToken); len(got) != perTenant {
			t.Errorf("%s: %d token requests, want %d", tp.host, len(got), perTenant)
		}
	}
}

// TestTenants_LockoutPerTenant: refused proofs of a member number on one
// tenant lock it there only (a member number is a shop's): another
// tenant's member of that number links at once, and is checked.
func TestTenants_LockoutPerTenant(t *testing.T) {
	var checks atomic.Int32
	clock := testkit.NewClock(time.Now())
	app := newTenantApp(t, func(cfg *middleware.Config) {
		cfg.Now = clock.Now
		cfg.Linking = &middleware.Linking{
			Store:           &link.MemoryStore{},
			SignedInAccount: func(*http.Request) (string, error) { return "", nil },
			CheckFacts: func(_ context.Context, f link.Facts) (string, error) {
				checks.Add(1)
				if f.BirthDate != "1990-04-01" {
					return "", link.ErrProofRefused
				}
				return "member-" + f.MemberNumber, nil
			},
		}
	})
	a, b := app.twoShops()
	app.add(a)
	app.add(b)
	post := func(tp *tenantPlatform, user int, birthDate string) (int, string) {
		t.Helper()
		tok, err := tp.IssueAccessToken(tp.Users()[user].ID, []string{"openid", "profile"})
		if err != nil {
			t.Fatal(err)
		}
		status, _, got := app.browser().send(http.MethodPost, "http://"+tp.host+"/api/link", http.Header{
			"Authorization": {"Bearer " + tok}, "Content-Type": {"application/json"}, "Accept": {"application/json"}},
			`{"memberNumber":"M-1001","birthDate":"`+birthDate+`"}`)
		return status, strings.TrimSpace(got)
	}
	for i := range middleware.MaxRefusedProofs {
		// From several LINE users, so that only the member number's count
		// reaches the limit.
		if status, got := post(a, i%3, fmt.Sprintf("2000-01-%02d", 10+i)); status != http.StatusForbidden {
			t.Fatalf("guess %d on A: %d %s", i, status, got)
		}
	}
	checked := checks.Load()
	if status, got := post(a, 3, "1990-04-01"); status != http.StatusTooManyRequests || got != answerTooMany {
		t.Errorf("the right facts on A during its lockout: %d %s, want 429", status, got)
	}
	if checks.Load() != checked {
		t.Error("a proof was checked during A's lockout")
	}
	if status, got := post(b, 3, "1990-04-01"); status != http.StatusOK || got != `{"accountId":"member-M-1001"}` {
		t.Errorf("B's member M-1001 while A's is locked: %d %s, want 200", status, got)
	}
}

// TestTenants_MetricsCarryTheChannel: logins count under their tenant's
// channel label; a request of an unknown host adds no series.
func TestTenants_MetricsCarryTheChannel(t *testing.T) {
	obs, observe := withObservation(t)
	app := newTenantApp(t, observe)
	a, b := app.twoShops()
	app.add(a)
	app.add(b)
	br := app.browser()
	br.mustLogin(a.host)
	br.mustLogin(a.host)
	br.mustLogin(b.host)
	br.get("http://shop-z.localhost:" + app.port + "/login")
	br.get("http://shop-z.localhost:" + app.port + "/callback?code=x&state=y")
	got := obs.collect()
	want := map[string]series{
		"linelogin.login.started": {"channel=" + a.ChannelID(): 2, "channel=" + b.ChannelID(): 1},
		"linelogin.login.finished": {"channel=" + a.ChannelID() + ",result=success": 2,
			"channel=" + b.ChannelID() + ",result=success": 1},
	}
	for name, w := range want {
		if fmt.Sprint(got[name]) != fmt.Sprint(w) {
			t.Errorf("%s: %v, want %v", name, got[name], w)
		}
	}
	// The calls to LINE are timed under the channel they went to.
	if d := got["linelogin.line.request.duration"]; d["channel="+a.ChannelID()+",endpoint=token"] != 2 ||
		d["channel="+b.ChannelID()+",endpoint=token"] != 1 {
		t.Errorf("linelogin.line.request.duration: %v, want 2 token calls of A's channel, 1 of B's", d)
	}
	for set := range got["linelogin.line.request.duration"] {
		if !strings.HasPrefix(set, "channel="+a.ChannelID()+",") && !strings.HasPrefix(set, "channel="+b.ChannelID()+",") {
			t.Errorf("linelogin.line.request.duration has the series %s, of no tenant", set)
		}
	}
}

// TestTenants_FriendshipDeauthorizationAndBearerPerChannel: friendship
// (through ClientFor) and Unregister's deauthorization reach the tenant's
// own platform; an access token of tenant A's channel is refused on B.
func TestTenants_FriendshipDeauthorizationAndBearerPerChannel(t *testing.T) {
	app := newTenantApp(t)
	a, b, br := app.loggedInOnBoth()
	for tp, want := range map[*tenantPlatform]string{a: "true", b: "false"} {
		if status, _, body := br.get("http://" + tp.host + "/friend"); status != http.StatusOK || body != want {
			t.Errorf("%s /friend: %d %q, want %s from its own official account", tp.host, status, body, want)
		}
		if n := tp.Count(linetest.PathFriendship); n != 1 {
			t.Errorf("%s: %d friendship requests at its platform, want 1", tp.host, n)
		}
	}
	if status, _, body := br.get("http://" + b.host + "/unregister"); status != http.StatusOK {
		t.Fatalf("B /unregister: %d %s", status, body)
	}
	if n, m := b.Count(linetest.PathDeauthorize), a.Count(linetest.PathDeauthorize); n != 1 || m != 0 {
		t.Errorf("deauthorizations: %d at B's platform, %d at A's; want 1 and 0", n, m)
	}
	if status, u := br.me(a.host); status != http.StatusOK || u.ID != a.user.ID {
		t.Errorf("A after B's unregister: /api/me %d %q", status, u.ID)
	}
	tok, err := a.IssueAccessToken(a.user.ID, []string{"openid", "profile"})
	if err != nil {
		t.Fatal(err)
	}
	bearer := http.Header{"Authorization": {"Bearer " + tok}, "Accept": {"application/json"}}
	if status, _, _ := app.browser().do(http.MethodGet, "http://"+a.host+"/api/me", bearer); status != http.StatusOK {
		t.Errorf("A's access token on A: %d, want 200", status)
	}
	if status, _, _ := app.browser().do(http.MethodGet, "http://"+b.host+"/api/me", bearer); status != http.StatusUnauthorized {
		t.Errorf("A's access token on B: %d, want 401", status)
	}
}

// TestTenants_TenantKey: an app routing tenants by something else than
// the host names them with Config.TenantKey (case does not matter); a
// request naming no tenant gets 421.
func TestTenants_TenantKey(t *testing.T) {
	app := newTenantApp(t, func(cfg *middleware.Config) {
		cfg.TenantKey = func(r *http.Request) string { return r.Header.Get("X-Shop") }
	})
	a, b := app.twoShops()
	if err := app.tenants.Add("Shop-A", a.line(a.ChannelSecret())); err != nil {
		t.Fatal(err)
	}
	if err := app.tenants.Add("shop-b", b.line(b.ChannelSecret())); err != nil {
		t.Fatal(err)
	}
	br := app.browser()
	for shop, tp := range map[string]*tenantPlatform{"shop-a": a, "SHOP-B": b} {
		// The host says nothing: both requests go to one host.
		status, h, _ := br.do(http.MethodGet, "http://shop-a.localhost:"+app.port+"/login", http.Header{"X-Shop": {shop}})
		loc, _ := url.Parse(h.Get("Location"))
		if status != http.StatusFound || loc.Query().Get("client_id") != tp.ChannelID() {
			t.Errorf("X-Shop: %s: %d to client_id %q, want 302 to %s", shop, status, loc.Query().Get("client_id"), tp.ChannelID())
		}
	}
	if status, _, _ := br.do(http.MethodGet, "http://shop-a.localhost:"+app.port+"/login", nil); status != http.StatusMisdirectedRequest {
		t.Errorf("no X-Shop: %d, want 421", status)
	}
	if keys := app.tenants.Keys(); fmt.Sprint(keys) != "[shop-a shop-b]" {
		t.Errorf("Keys() = %v", keys)
	}
	if line, ok := app.tenants.Lookup("SHOP-A"); !ok || line.ChannelID != a.ChannelID() {
		t.Errorf("Lookup(SHOP-A) = %q, %v", line.ChannelID, ok)
	}
}

// TestTenants_New: Config.Tenants needs no channel in LINE, but session
// keys; a tenant that could never work is refused by Add.
func TestTenants_New(t *testing.T) {
	if _, err := middleware.New(middleware.Config{Tenants: middleware.NewTenants()}); !errors.Is(err, middleware.ErrConfig) {
		t.Errorf("Tenants without Session.Keys: %v, want ErrConfig", err)
	}
	if _, err := middleware.New(middleware.Config{Tenants: middleware.NewTenants(),
		Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}}}); err != nil {
		t.Errorf("Tenants with session keys and no channel in LINE: %v", err)
	}
	tenants := middleware.NewTenants()
	for name, line := range map[string]callback.Config{
		"no secret":         {ChannelID: "2000000001", RedirectURL: "https://a.example.com/callback"},
		"no callback":       {ChannelID: "2000000001", ChannelSecret: "secret"},
		"http on the web":   {ChannelID: "2000000001", ChannelSecret: "secret", RedirectURL: "http://a.example.com/callback"},
		"no channel at all": {},
	} {
		if err := tenants.Add("a.example.com", line); !errors.Is(err, middleware.ErrConfig) {
			t.Errorf("%s: Add: %v, want ErrConfig", name, err)
		}
	}
	if err := tenants.Add("", callback.Config{ChannelID: "2000000001", ChannelSecret: "secret", RedirectURL: "https://a.example.com/callback"}); !errors.Is(err, middleware.ErrConfig) {
		t.Errorf("no key: %v, want ErrConfig", err)
	}
	if len(tenants.Keys()) != 0 {
		t.Errorf("refused tenants were kept: %v", tenants.Keys())
	}
}

// TestTenants_LinksPerTenant: two tenants of one provider (the same LINE
// user IDs) share one link store, yet each has links of its own: a LINE
// user signed up and linked on A is unlinked on B, where the same user
// links to another account; unlinking on A leaves B's link, and an
// account ID of B's names no account of A's; BeforeUnlink sees the LINE user's ID as
// LINE gives it.
func TestTenants_LinksPerTenant(t *testing.T) {
	store := &link.MemoryStore{}
	var signUps atomic.Int32
	var signUpFor sync.Map // account → LINE user ID that signed up
	var beforeUnlink []string
	var events []middleware.Event
	var mu sync.Mutex
	app := newTenantApp(t, func(cfg *middleware.Config) {
		cfg.OnEvent = func(_ context.Context, e middleware.Event) {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		}
		cfg.Linking = &middleware.Linking{
			Store: store,
			SignedInAccount: func(r *http.Request) (string, error) {
				return r.Header.Get("X-Test-Account"), nil
			},
			SignUp: func(_ context.Context, login *callback.Login) (string, error) {
				acct := fmt.Sprintf("acct-%d", signUps.Add(1))
				signUpFor.Store(acct, login.User.ID)
				return acct, nil
			},
			BeforeUnlink: func(_ context.Context, acct, lineUserID string) error {
				mu.Lock()
				beforeUnlink = append(beforeUnlink, acct+" "+lineUserID)
				mu.Unlock()
				return nil
			},
		}
	})
	a, b := app.newTenantPlatformOf("shop-a.localhost", 1, 7), app.newTenantPlatformOf("shop-b.localhost", 2, 7)
	app.add(a)
	app.add(b)
	if a.user.ID != b.user.ID {
		t.Fatalf("the tenants' users differ: %s, %s", a.user.ID, b.user.ID)
	}
	user := a.user.ID
	linked := func(br *tenantBrowser, tp *tenantPlatform) string {
		t.Helper()
		status, _, body := br.get("http://" + tp.host + "/linked")
		if status != http.StatusOK {
			t.Fatalf("GET %s/linked: %d %s", tp.host, status, body)
		}
		return body
	}

	br := app.browser()
	br.mustLogin(a.host)
	if got := linked(br, a); got != "linked to acct-1" {
		t.Fatalf("on A after its sign-up: %q, want acct-1", got)
	}
	br.mustLogin(b.host)
	if got := linked(br, b); got != "linked to acct-2" {
		t.Fatalf("on B, the same LINE user: %q, want a sign-up of its own (acct-2)", got)
	}
	if n := signUps.Load(); n != 2 {
		t.Errorf("%d sign-ups, want one per tenant", n)
	}
	// In the store, each tenant's IDs carry its channel.
	ctx := context.Background()
	if acct, err := store.AccountOf(ctx, a.ChannelID()+":"+user); err != nil || acct != a.ChannelID()+":acct-1" {
		t.Errorf("A's link in the store: %q %v", acct, err)
	}
	if acct, err := store.AccountOf(ctx, b.ChannelID()+":"+user); err != nil || acct != b.ChannelID()+":acct-2" {
		t.Errorf("B's link in the store: %q %v", acct, err)
	}
	if _, err := store.AccountOf(ctx, user); !errors.Is(err, link.ErrNotLinked) {
		t.Errorf("the unprefixed LINE user in the store: %v, want not linked", err)
	}
	// Links.StoreFor is the store as a request's tenant sees it.
	storeFor := func(host string) (link.Store, error) {
		return app.auth.Links().StoreFor(httptest.NewRequest(http.MethodGet, "http://"+host+"/account", nil))
	}
	for tp, want := range map[*tenantPlatform]string{a: "acct-1", b: "acct-2"} {
		s, err := storeFor(tp.host)
		if err != nil {
			t.Fatalf("StoreFor(%s): %v", tp.host, err)
		}
		if acct, err := s.AccountOf(ctx, user); err != nil || acct != want {
			t.Errorf("StoreFor(%s).AccountOf: %q %v, want %s", tp.host, acct, err, want)
		}
		if got, err := s.LINEUserOf(ctx, want); err != nil || got != user {
			t.Errorf("StoreFor(%s).LINEUserOf(%s): %q %v, want %s", tp.host, want, got, err, user)
		}
	}
	if _, err := storeFor("shop-z.localhost:" + app.port); !errors.Is(err, middleware.ErrUnknownTenant) {
		t.Errorf("StoreFor of an unknown host: %v, want ErrUnknownTenant", err)
	}

	// Unlink on A: B's link stays, on this instance and in the store.
	status, _, body := br.do(http.MethodPost, "http://"+a.host+"/account/unlink", http.Header{
		"Origin": {"http://" + a.host}, "X-Test-Account": {"acct-1"},
		"Content-Type": {"application/x-www-form-urlencoded"}})
	if status != http.StatusSeeOther {
		t.Fatalf("unlink on A: %d %s", status, body)
	}
	mu.Lock()
	if len(beforeUnlink) != 1 || beforeUnlink[0] != "acct-1 "+user {
		t.Errorf("BeforeUnlink saw %q, want [acct-1 %s]", beforeUnlink, user)
	}
	mu.Unlock()
	if got := linked(br, a); got != "linked to " {
		t.Errorf("on A after its unlink: %q, want unlinked", got)
	}
	if got := linked(br, b); got != "linked to acct-2" {
		t.Errorf("on B after A's unlink: %q, want acct-2", got)
	}
	if acct, err := store.AccountOf(ctx, b.ChannelID()+":"+user); err != nil || acct != b.ChannelID()+":acct-2" {
		t.Errorf("B's link in the store after A's unlink: %q %v", acct, err)
	}
	// B's account acct-2 is not A's: unlinking "acct-2" on A changes nothing on B.
	status, _, body = br.do(http.MethodPost, "http://"+a.host+"/account/unlink", http.Header{
		"Origin": {"http://" + a.host}, "X-Test-Account": {"acct-2"},
		"Content-Type": {"application/x-www-form-urlencoded"}})
	if status != http.StatusSeeOther {
		t.Fatalf("unlink of acct-2 on A: %d %s", status, body)
	}
	if got := linked(br, b); got != "linked to acct-2" {
		t.Errorf("on B after A unlinked its own acct-2: %q, want acct-2", got)
	}

	// The audit log knows each event's tenant, and sees the IDs without
	// the store's prefix.
	want := []middleware.Event{
		{Kind: middleware.EventLogin, ChannelID: a.ChannelID(), UserID: user, AccountID: "acct-1"},
		{Kind: middleware.EventLogin, ChannelID: b.ChannelID(), UserID: user, AccountID: "acct-2"},
		{Kind: middleware.EventUnlink, ChannelID: a.ChannelID(), UserID: user, AccountID: "acct-1"},
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != len(want) {
		t.Fatalf("events %+v, want %+v", events, want)
	}
	for i, e := range events {
		if e.Kind != want[i].Kind || e.ChannelID != want[i].ChannelID || e.UserID != want[i].UserID || e.AccountID != want[i].AccountID {
			t.Errorf("event %d: %+v, want %+v", i, e, want[i])
		}
	}
}
