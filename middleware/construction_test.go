package middleware_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// webConfig is a valid configuration of a web login, for New alone.
func webConfig() middleware.Config {
	return middleware.Config{
		LINE: callback.Config{
			ChannelID:     "1234567890",
			ChannelSecret: linetest.DefaultChannelSecret,
			RedirectURL:   "https://app.example/callback",
		},
		Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}},
	}
}

// configMistake is a change that makes a good Config one New refuses, and
// what the refusal must say.
type configMistake struct {
	change func(*middleware.Config)
	want   string
}

// checkMistakes applies each mistake to a good config from base: New must
// refuse it with ErrConfig, a message saying the mistake's want, its
// prefix said once, and a message of its own.
func checkMistakes(t *testing.T, base func() middleware.Config, cases map[string]configMistake) {
	t.Helper()
	messages := map[string]bool{}
	for name, tc := range cases {
		cfg := base()
		tc.change(&cfg)
		auth, err := middleware.New(cfg)
		if auth != nil || !errors.Is(err, middleware.ErrConfig) {
			t.Errorf("%s: New made an Auth: %t, error %v; want ErrConfig", name, auth != nil, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %q does not say %q", name, msg, tc.want)
		}
		if strings.Count(msg, "invalid config") != 1 || strings.Count(msg, "session:") != 0 || strings.Count(msg, "cookie:") != 0 {
			t.Errorf("%s: %q repeats its prefix", name, msg)
		}
		messages[msg] = true
	}
	if len(messages) != len(cases) {
		t.Errorf("%d mistakes share %d messages", len(cases), len(messages))
	}
}

// TestNew_RefusesWhatCanOnlyFailLater: a configuration that New accepts
// but that fails at the first click, or that sends cookies in the clear
// from a public host, is refused at once, with a message naming the
// setting and the ErrConfig prefix said once.
func TestNew_RefusesWhatCanOnlyFailLater(t *testing.T) {
	checkMistakes(t, webConfig, map[string]configMistake{
		"Linking without SignedInAccount": {func(c *middleware.Config) {
			c.Linking = &middleware.Linking{Store: &link.MemoryStore{}}
		}, "Linking.SignedInAccount is required"},
		"plain http on a public host": {func(c *middleware.Config) {
			c.LINE.RedirectURL = "http://app.example/callback"
		}, `"http://app.example/callback" is plain http on a public host`},
		"plain http on a public address": {func(c *middleware.Config) {
			c.LINE.RedirectURL = "http://203.0.113.7:8080/callback"
		}, `"http://203.0.113.7:8080/callback" is plain http on a public host`},
		"plain http on a name ending in localhost": {func(c *middleware.Config) {
			c.LINE.RedirectURL = "http://evillocalhost/callback"
		}, `"http://evillocalhost/callback" is plain http on a public host`},
		"callback URL without keys": {func(c *middleware.Config) {
			c.Session.Keys = nil
		}, "Session.Keys is empty"},
		"keys without callback URL": {func(c *middleware.Config) {
			c.LINE.RedirectURL = ""
		}, "LINE.RedirectURL is empty"},
		"short key": {func(c *middleware.Config) {
			c.Session.Keys = [][]byte{bytes.Repeat([]byte{7}, 16)}
		}, "Session.Keys[0] has 16 bytes, want 32"},
	})

	// Plain http stays fine on the developer's machine, and linking with
	// the signed-in account is fine.
	for _, u := range []string{"http://localhost:8080/callback", "http://app.localhost/callback", "http://LOCALHOST./callback",
		"http://127.0.0.1:8080/callback", "http://127.1.2.3/callback", "http://[::1]:8080/callback"} {
		cfg := webConfig()
		cfg.LINE.RedirectURL = u
		if _, err := middleware.New(cfg); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	cfg := webConfig()
	cfg.Linking = &middleware.Linking{Store: &link.MemoryStore{}, SignedInAccount: func(*http.Request) (string, error) { return "", nil }}
	if _, err := middleware.New(cfg); err != nil {
		t.Errorf("linking with SignedInAccount: %v", err)
	}
}

// syncBuffer is a bytes.Buffer for the default logger, which the test
// servers' goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestNew_NoLoggerLogsToSlogDefault: an app that configured no Logger
// still hears of a configuration mistake LINE reveals (here a wrong
// channel secret), through slog.Default().
func TestNew_NoLoggerLogsToSlogDefault(t *testing.T) {
	logs := &syncBuffer{}
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, nil)))
	t.Cleanup(func() { slog.SetDefault(previous) })

	app := newTestApp(t, func(c *middleware.Config) {
		c.Logger = nil
		c.LINE.ChannelSecret = strings.Repeat("s", 32) // LINE knows another
	})
	resp := app.browser().login("")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	if got := logs.String(); !strings.Contains(got, "linelogin: configuration error") || !strings.Contains(got, "invalid_client") {
		t.Errorf("slog.Default() heard nothing of the configuration error:\n%s", got)
	}
}

// TestBearerOnly_NeedsNoCallbackURLNorKeys: an API for LIFF and native
// apps configures neither a callback URL nor session keys. Its Handler
// mounts no login, callback or logout; a browser on a protected page gets
// 401, not a redirect to a login that does not exist; access tokens and
// ID tokens from LINE authenticate.
func TestBearerOnly_NeedsNoCallbackURLNorKeys(t *testing.T) {
	app := newTestApp(t, func(c *middleware.Config) {
		c.LINE.RedirectURL = ""
		c.Session = middleware.SessionConfig{}
	})

	for _, path := range []string{"/login", "/callback?code=x&state=y", "/logout"} {
		resp := app.browser().get(app.url(path))
		if body := readBody(t, resp); resp.StatusCode != http.StatusOK || body != "hello stranger" {
			t.Errorf("GET %s: %d %q, want the app's own page", path, resp.StatusCode, body)
		}
	}
	for name, h := range map[string]http.Handler{
		"LoginHandler": app.auth.LoginHandler(), "CallbackHandler": app.auth.CallbackHandler(), "LogoutHandler": app.auth.LogoutHandler(),
		"Links().ConnectHandler": app.auth.Links().ConnectHandler(), "Links().UnlinkHandler": app.auth.Links().UnlinkHandler(),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/anywhere", nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s without a web login: %d, want 404", name, rec.Code)
		}
	}

	resp := app.browser().get(app.url("/me"))
	readBody(t, resp)
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Location") != "" || resp.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("browser on /me: %d, Location %q, WWW-Authenticate %q; want 401 Bearer, no redirect",
			resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("WWW-Authenticate"))
	}

	resp, body := app.apiCall(t, "/api/me", bearerHeader(app.accessToken(t)))
	var me contextUser
	json.Unmarshal([]byte(body), &me)
	if resp.StatusCode != http.StatusOK || me.User == nil || me.User.ID != app.user.ID || me.Source != "access token" {
		t.Errorf("access token: %d %s", resp.StatusCode, body)
	}
	idToken, err := app.platform.IssueLIFFIDToken(app.user.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	resp, body = app.apiCall(t, "/api/me", idTokenHeader(idToken))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"Source":"ID token"`) {
		t.Errorf("ID token: %d %s", resp.StatusCode, body)
	}
	resp, body = app.apiCall(t, "/api/me", bearerHeader("not-a-token"))
	assertInvalidToken(t, resp, body)

	if err := app.auth.Sessions().RevokeUser(t.Context(), app.user.ID); !errors.Is(err, session.ErrRevocationUnsupported) {
		t.Errorf("RevokeUser without sessions: %v, want ErrRevocationUnsupported", err)
	}
}
