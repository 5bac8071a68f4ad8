package middleware_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// Channels of one provider in these tests: the app's own (linetest's
// default), a second one the app also accepts (a LIFF app's, or another
// country's), and a third it does not know.
const (
	extraChannelID      = "2000000001"
	extraChannelSecret  = "extra-secret-0123456789abcdefghij"
	strayChannelID      = "3000000009"
	strayChannelSecret  = "stray-secret-0123456789abcdefghij"
	channelsTestTimeout = 10 * time.Second
)

// provider is LINE's API host serving several channels of one provider:
// one linetest platform per channel (each knows only its own channel),
// behind a front that sends verify and profile to the platform that issued
// the token, as LINE's single API host answers for every channel. Anything
// else goes to the main platform.
type provider struct {
	main, extra, stray *linetest.Server
	front              *httptest.Server

	mu     sync.Mutex
	issuer map[string]*linetest.Server // access token → the platform that issued it
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	p := &provider{
		main:   linetest.NewServer(t, linetest.Config{}),
		extra:  linetest.NewServer(t, linetest.Config{ChannelID: extraChannelID, ChannelSecret: extraChannelSecret}),
		stray:  linetest.NewServer(t, linetest.Config{ChannelID: strayChannelID, ChannelSecret: strayChannelSecret}),
		issuer: map[string]*linetest.Server{},
	}
	proxies := map[*linetest.Server]*httputil.ReverseProxy{}
	for _, s := range []*linetest.Server{p.main, p.extra, p.stray} {
		u, _ := url.Parse(s.APIURL())
		proxies[s] = httputil.NewSingleHostReverseProxy(u)
	}
	p.front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.URL.Query().Get("access_token")
		if a, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			tok = a
		}
		p.mu.Lock()
		s := p.issuer[tok]
		p.mu.Unlock()
		if s == nil {
			s = p.main
		}
		proxies[s].ServeHTTP(w, r)
	}))
	t.Cleanup(p.front.Close)
	return p
}

// accessToken issues an access token of s's channel to the first user
// (the same user ID on every channel of the provider).
func (p *provider) accessToken(t *testing.T, s *linetest.Server) string {
	t.Helper()
	tok, err := s.IssueAccessToken(s.Users()[0].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.issuer[tok] = s
	p.mu.Unlock()
	return tok
}

// idToken signs an ID token of the main platform's issuer for aud, with
// signer's key: HS256 under signer's channel secret, ES256 under signer's
// JWKS key.
func (p *provider) idToken(t *testing.T, signer *linetest.Server, alg, aud string) string {
	t.Helper()
	now := time.Now()
	tok, err := signer.SignIDToken(map[string]any{"alg": alg, "typ": "JWT"}, map[string]any{
		"iss": p.main.Issuer(), "sub": p.main.Users()[0].ID, "aud": aud,
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "name": "Brown",
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// channelApp is an app accepting the provider's main and extra channels.
// /api/who answers the context's user ID, source and channel.
type channelApp struct {
	srv  *httptest.Server
	auth *middleware.Auth
}

func newChannelApp(t *testing.T, p *provider) *channelApp {
	t.Helper()
	a := &channelApp{}
	var handler http.Handler
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(a.srv.Close)
	p.main.AddCallbackURL(a.srv.URL + "/callback")
	auth, err := middleware.New(middleware.Config{
		LINE: callback.Config{
			ChannelID:     p.main.ChannelID(),
			ChannelSecret: p.main.ChannelSecret(),
			ExtraChannels: []callback.Channel{{ID: extraChannelID, Secret: extraChannelSecret}},
			RedirectURL:   a.srv.URL + "/callback",
			AccessURL:     p.main.AccessURL(),
			APIURL:        p.front.URL,
		},
		Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}},
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	a.auth = auth
	mux := http.NewServeMux()
	mux.Handle("/api/who", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFromContext(r.Context())
		json.NewEncoder(w).Encode(who{
			UserID:  u.ID,
			Source:  middleware.SourceFromContext(r.Context()).String(),
			Channel: u.ChannelID,
		})
	})))
	handler = auth.Handler(mux)
	return a
}

type who struct{ UserID, Source, Channel string }

// call sends GET /api/who with header and returns the response, its body
// and the decoded who of a 200.
func (a *channelApp) call(t *testing.T, client *http.Client, header http.Header) (*http.Response, string, who) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/api/who", nil)
	req.Header = header
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var w who
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &w); err != nil {
			t.Fatalf("body %s: %v", body, err)
		}
	}
	return resp, string(body), w
}

func TestChannels_TokensOfAnExtraChannelAreAccepted(t *testing.T) {
	p := newProvider(t)
	app := newChannelApp(t, p)
	client := &http.Client{Timeout: channelsTestTimeout}
	user := p.main.Users()[0].ID
	for name, tc := range map[string]struct {
		header      http.Header
		source, via string
	}{
		"access token, main channel":                    {bearerHeader(p.accessToken(t, p.main)), "access token", p.main.ChannelID()},
		"access token, extra channel":                   {bearerHeader(p.accessToken(t, p.extra)), "access token", extraChannelID},
		"HS256 ID token, extra channel, its own secret": {idTokenHeader(p.idToken(t, p.extra, "HS256", extraChannelID)), "ID token", extraChannelID},
		"ES256 ID token, extra channel, LINE's JWKS":    {idTokenHeader(p.idToken(t, p.main, "ES256", extraChannelID)), "ID token", extraChannelID},
		"HS256 ID token, main channel":                  {idTokenHeader(p.idToken(t, p.main, "HS256", p.main.ChannelID())), "ID token", p.main.ChannelID()},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body, got := app.call(t, client, tc.header)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if got != (who{UserID: user, Source: tc.source, Channel: tc.via}) {
				t.Errorf("context: %+v, want user %s, source %q, channel %s", got, user, tc.source, tc.via)
			}
		})
	}
}

func TestChannels_TokensOfOtherChannelsAreRefused(t *testing.T) {
	p := newProvider(t)
	app := newChannelApp(t, p)
	client := &http.Client{Timeout: channelsTestTimeout}
	for name, header := range map[string]http.Header{
		// LINE vouches for the token, but for a channel not configured.
		"access token, unconfigured channel": bearerHeader(p.accessToken(t, p.stray)),
		// The extra channel's ID with the main channel's secret: each
		// channel's HS256 tokens are keyed by its own secret only.
		"HS256 ID token for the extra channel, main channel's secret": idTokenHeader(p.idToken(t, p.main, "HS256", extraChannelID)),
		"HS256 ID token for the main channel, extra channel's secret": idTokenHeader(p.idToken(t, p.extra, "HS256", p.main.ChannelID())),
		"HS256 ID token, unconfigured channel, its own secret":        idTokenHeader(p.idToken(t, p.stray, "HS256", strayChannelID)),
		"ES256 ID token, unconfigured channel":                        idTokenHeader(p.idToken(t, p.main, "ES256", strayChannelID)),
	} {
		t.Run(name, func(t *testing.T) {
			resp, body, _ := app.call(t, client, header)
			assertInvalidToken(t, resp, body)
		})
	}
	if n := p.stray.Count(linetest.PathVerify); n != 1 {
		t.Errorf("the unconfigured channel's token was verified %d times, want 1 (LINE answers for every channel)", n)
	}
}

func TestChannels_WebLoginIsTheMainChannel(t *testing.T) {
	p := newProvider(t)
	p.main.SetAutoApprove(p.main.Users()[0].ID)
	app := newChannelApp(t, p)
	ta := &testApp{t: t, srv: app.srv}
	b := ta.browser()
	resp := b.get(b.authorize(b.startLogin("/")).String())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: status %d, want 303", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, app.srv.URL+"/api/who", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got who
	json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode != http.StatusOK || got.Source != "session" || got.Channel != p.main.ChannelID() {
		t.Errorf("status %d, context %+v: want a session of channel %s", resp.StatusCode, got, p.main.ChannelID())
	}
}

func TestChannels_NewRefusesBadExtraChannels(t *testing.T) {
	for name, chans := range map[string][]callback.Channel{
		"no ID":           {{Secret: extraChannelSecret}},
		"short secret":    {{ID: extraChannelID, Secret: "short"}},
		"twice":           {{ID: extraChannelID, Secret: extraChannelSecret}, {ID: extraChannelID, Secret: strayChannelSecret}},
		"the main one":    {{ID: linetest.DefaultChannelID, Secret: extraChannelSecret}},
		"ID with a colon": {{ID: "2000000001:x", Secret: extraChannelSecret}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := middleware.New(middleware.Config{
				LINE: callback.Config{
					ChannelID:     linetest.DefaultChannelID,
					ChannelSecret: linetest.DefaultChannelSecret,
					ExtraChannels: chans,
					RedirectURL:   "https://app.example/callback",
				},
				Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}},
			})
			if !errors.Is(err, middleware.ErrConfig) {
				t.Errorf("New: %v, want ErrConfig", err)
			}
		})
	}
}

func TestNew_RefusesBadSessionCookieName(t *testing.T) {
	for _, name := range []string{"a b", "a;b", "sess=1", "ü"} {
		_, err := middleware.New(middleware.Config{
			LINE: callback.Config{
				ChannelID:     linetest.DefaultChannelID,
				ChannelSecret: linetest.DefaultChannelSecret,
				RedirectURL:   "https://app.example/callback",
			},
			Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}, CookieName: name},
		})
		if !errors.Is(err, middleware.ErrConfig) {
			t.Errorf("SessionCookieName %q: %v, want ErrConfig", name, err)
		}
	}
}
