package middleware_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// testApp is an app behind the middleware, served over real HTTP, logging
// in against a linetest platform that approves as its first user.
type testApp struct {
	t        testing.TB
	platform *linetest.Server
	srv      *httptest.Server
	auth     *middleware.Auth
	cfg      middleware.Config
	logs     *testkit.Buffer
	user     linetest.User
	handler  atomic.Pointer[http.Handler]
}

type appOption func(*middleware.Config)

// newTestApp starts a linetest platform and an app using it. The app
// serves "/" (public), "/me" (RequireLINEUser, writes the user as JSON)
// and "/api/me" (the same, for API clients).
func newTestApp(t testing.TB, opts ...appOption) *testApp {
	return startTestApp(t, false, opts...)
}

// newTLSTestApp is newTestApp with the app on https.
func newTLSTestApp(t testing.TB, opts ...appOption) *testApp {
	return startTestApp(t, true, opts...)
}

func startTestApp(t testing.TB, tls bool, opts ...appOption) *testApp {
	t.Helper()
	platform := linetest.NewServer(t, linetest.Config{})
	a := &testApp{t: t, platform: platform, logs: &testkit.Buffer{}, user: platform.Users()[0]}
	platform.SetAutoApprove(a.user.ID)

	a.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*a.handler.Load()).ServeHTTP(w, r)
	}))
	scheme := "http"
	if tls {
		scheme = "https"
	}
	base := scheme + "://" + a.srv.Listener.Addr().String()
	a.cfg = middleware.Config{
		LINE: callback.Config{
			ChannelID:     platform.ChannelID(),
			ChannelSecret: platform.ChannelSecret(),
			RedirectURL:   base + "/callback",
			AccessURL:     platform.AccessURL(),
			APIURL:        platform.APIURL(),
		},
		Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}},
		Logger:  slog.New(slog.NewTextHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&a.cfg)
	}
	// Registered as in the LINE Developers console: linetest, like LINE,
	// refuses an unregistered callback URL.
	if a.cfg.LINE.RedirectURL != "" {
		if err := platform.AddCallbackURL(a.cfg.LINE.RedirectURL); err != nil {
			t.Fatal(err)
		}
	}
	a.mount(t, a.cfg)
	if tls {
		a.srv.StartTLS()
	} else {
		a.srv.Start()
	}
	t.Cleanup(a.srv.Close)
	return a
}

// mount serves the test routes behind a new Auth made from cfg, at the
// same address, as a redeployed instance would.
func (a *testApp) mount(t testing.TB, cfg middleware.Config) {
	t.Helper()
	auth, err := middleware.New(cfg)
	if err != nil {
		t.Fatalf("middleware.New: %v", err)
	}
	a.auth, a.cfg = auth, cfg
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if u, ok := middleware.UserFromContext(r.Context()); ok {
			io.WriteString(w, "hello "+u.DisplayName)
			return
		}
		io.WriteString(w, "hello stranger")
	})
	writeUser := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFromContext(r.Context())
		acct, err := middleware.LinkedAccountFromContext(r.Context())
		if err != nil {
			auth.ServeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(contextUser{
			User:      u,
			AccountID: acct,
			Source:    middleware.SourceFromContext(r.Context()).String(),
		})
	})
	mux.Handle("/me", auth.RequireLINEUser(writeUser))
	mux.Handle("/api/me", auth.RequireLINEUser(writeUser))
	// /optional serves everybody, with the LINE user of any credential.
	mux.Handle("/optional", auth.OptionalLINEUser(writeUser))
	mux.Handle("/browser-only", auth.RequireLINEUserFrom(middleware.SourceSession)(writeUser))
	// /token hands out the session's access token, as an app calling LINE's
	// APIs would use it; /unregister deletes the user's account.
	mux.Handle("/token", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := auth.Token(w, r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(tok)
	})))
	mux.Handle("/unregister", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := auth.Sessions().Unregister(w, r, linetest.DefaultChannelAccessToken); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		io.WriteString(w, "unregistered")
	})))
	mountUserSessions(mux, auth)
	var h http.Handler = auth.Handler(mux)
	a.handler.Store(&h)
}

// contextUser is what /me writes: the context's contents.
type contextUser struct {
	User      *middleware.User
	AccountID string
	Source    string
}

func (a *testApp) url(path string) string { return a.srv.URL + path }

// browser is a cookie-keeping client that does not follow redirects, so
// that each hop can be inspected.
type browser struct {
	t      testing.TB
	app    *testApp
	client *http.Client
}

func (a *testApp) browser() *browser {
	jar, _ := cookiejar.New(nil)
	client := testkit.NoRedirects(&http.Client{Jar: jar})
	if a.srv.TLS != nil {
		client.Transport = a.srv.Client().Transport
	}
	return &browser{t: a.t, app: a, client: client}
}

// do sends a request as a browser navigating would: Accept includes HTML.
func (b *browser) do(method, rawURL string, header http.Header, body io.Reader) *http.Response {
	b.t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	b.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (b *browser) get(rawURL string) *http.Response { return b.do(http.MethodGet, rawURL, nil, nil) }

// startLogin GETs /login and returns the authorize URL it redirects to.
func (b *browser) startLogin(returnTo string) *url.URL {
	b.t.Helper()
	u := b.app.url("/login")
	if returnTo != "" {
		u += "?return_to=" + url.QueryEscape(returnTo)
	}
	resp := b.get(u)
	if resp.StatusCode != http.StatusFound {
		b.t.Fatalf("GET /login: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		b.t.Fatal(err)
	}
	return loc
}

// authorize visits LINE's authorize URL (auto-approved) and returns the
// callback URL LINE redirects back to.
func (b *browser) authorize(authorizeURL *url.URL) *url.URL {
	b.t.Helper()
	resp := b.get(authorizeURL.String())
	if resp.StatusCode != http.StatusFound {
		body, _ := io.ReadAll(resp.Body)
		b.t.Fatalf("authorize: status %d, want 302: %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		b.t.Fatal(err)
	}
	return loc
}

// login runs a whole login and returns the callback's response.
func (b *browser) login(returnTo string) *http.Response {
	b.t.Helper()
	return b.get(b.authorize(b.startLogin(returnTo)).String())
}

// mustLogin logs in and fails the test unless the callback redirected.
func (b *browser) mustLogin() {
	b.t.Helper()
	resp := b.login("")
	if resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(resp.Body)
		b.t.Fatalf("callback: status %d, want 303: %s", resp.StatusCode, body)
	}
}

// me fetches /api/me as an API client and returns the status and user.
func (b *browser) me() (int, contextUser) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.app.url("/api/me"), nil)
	req.Header.Set("Accept", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var cu contextUser
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&cu); err != nil {
			b.t.Fatal(err)
		}
	}
	return resp.StatusCode, cu
}

// cookie returns the Set-Cookie of resp named name, or nil.
func setCookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// setCookiesWithPrefix returns resp's Set-Cookies whose names start with p.
func setCookiesWithPrefix(resp *http.Response, p string) []*http.Cookie {
	var cs []*http.Cookie
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, p) {
			cs = append(cs, c)
		}
	}
	return cs
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const sessionCookie = "linelogin_session"
const flowCookiePrefix = "linelogin_flow_"
