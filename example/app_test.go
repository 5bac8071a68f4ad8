package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

// startExample serves the example on router against a linetest platform
// that approves as its first user, and returns a browser for it.
func startExample(t *testing.T, router string, env map[string]string) (*httptest.Server, *http.Client, *linetest.Server) {
	t.Helper()
	_, srv, browser, platform := startExampleApp(t, router, env)
	return srv, browser, platform
}

// startExampleApp is startExample that also returns the app.
func startExampleApp(t *testing.T, router string, env map[string]string) (*app, *httptest.Server, *http.Client, *linetest.Server) {
	t.Helper()
	platform := linetest.NewServer(t, linetest.Config{})
	platform.SetAutoApprove(platform.Users()[0].ID)
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	if err := platform.AddCallbackURL(srv.URL + "/callback"); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"BASE_URL":            srv.URL,
		"LINE_CHANNEL_ID":     platform.ChannelID(),
		"LINE_CHANNEL_SECRET": platform.ChannelSecret(),
		"LINE_ACCESS_URL":     platform.AccessURL(),
		"LINE_API_URL":        platform.APIURL(),
		"DATABASE_PATH":       filepath.Join(t.TempDir(), "accounts.db"),
	}
	for k, v := range env {
		vars[k] = v
	}
	log := slog.New(slog.DiscardHandler)
	cfg, err := loadConfig(func(k string) string { return vars[k] }, log)
	if err != nil {
		t.Fatal(err)
	}
	accts, err := openAccounts(cfg.DatabasePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { accts.Close() })
	a, err := newApp(cfg, accts, true, log)
	if err != nil {
		t.Fatal(err)
	}
	if h, err = a.handler(router); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	return a, srv, &http.Client{Jar: jar}, platform
}

func get(t *testing.T, c *http.Client, u, accept string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", accept)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestExample_LoginOnEveryRouter(t *testing.T) {
	for router := range routers {
		t.Run(router, func(t *testing.T) {
			srv, browser, platform := startExample(t, router, nil)
			user := platform.Users()[0]

			resp, body := get(t, browser, srv.URL+"/", "text/html")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="login"`) || !strings.Contains(body, "Log in with LINE") {
				t.Fatalf("home page: %d %.300s", resp.StatusCode, body)
			}
			// Deep link: /me sends the browser through LINE and back.
			resp, body = get(t, browser, srv.URL+"/me", "text/html")
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/me" {
				t.Fatalf("/me: %d at %s", resp.StatusCode, resp.Request.URL)
			}
			if !strings.Contains(body, user.DisplayName) || !strings.Contains(body, `id="picture" src="`+user.PictureURL) {
				t.Errorf("/me does not show name and picture: %.1000s", body)
			}

			resp, body = get(t, browser, srv.URL+"/api/me", "application/json")
			var me map[string]string
			if err := json.Unmarshal([]byte(body), &me); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("/api/me: %d %s", resp.StatusCode, body)
			}
			want := map[string]string{"userId": user.ID, "displayName": user.DisplayName, "pictureUrl": user.PictureURL}
			for k, v := range want {
				if me[k] != v {
					t.Errorf("/api/me %s = %q, want %q", k, me[k], v)
				}
			}
			if _, ok := me["email"]; ok {
				t.Error("email present without the email scope")
			}

			// Logout from the app's own page.
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/logout", nil)
			req.Header.Set("Origin", srv.URL)
			resp, err := browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.Request.URL.Path != "/" {
				t.Errorf("logout lands on %s", resp.Request.URL.Path)
			}
			resp, _ = get(t, browser, srv.URL+"/api/me", "application/json")
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("/api/me after logout: %d", resp.StatusCode)
			}
			if resp, body := get(t, browser, srv.URL+"/healthz", "*/*"); resp.StatusCode != 200 || body != "ok" {
				t.Errorf("/healthz: %d %q", resp.StatusCode, body)
			}
		})
	}
}

func TestExample_EmailScopeAndFormPost(t *testing.T) {
	srv, browser, platform := startExample(t, "servemux", map[string]string{
		"LINE_SCOPES":        "openid profile email",
		"LINE_RESPONSE_MODE": "form_post",
	})
	// form_post: linetest answers with a self-posting form; post it.
	resp, body := get(t, browser, srv.URL+"/login?return_to=%2Fapi%2Fme", "text/html")
	if !strings.Contains(body, `method="post"`) && !strings.Contains(body, `method="POST"`) {
		t.Fatalf("form_post page: %d %.500s", resp.StatusCode, body)
	}
	form := url.Values{}
	for _, name := range []string{"code", "state"} {
		i := strings.Index(body, `name="`+name+`" value="`)
		if i < 0 {
			t.Fatalf("no %s in form_post page", name)
		}
		rest := body[i+len(`name="`+name+`" value="`):]
		form.Set(name, rest[:strings.IndexByte(rest, '"')])
	}
	resp, err := browser.PostForm(srv.URL+"/callback", form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var me map[string]string
	if err := json.Unmarshal(b, &me); err != nil || me["email"] != platform.Users()[0].Email {
		t.Errorf("after form_post login /api/me = %s (status %d)", b, resp.StatusCode)
	}
}

// /api/me leaves out what LINE did not give: linetest's users include one
// with no picture and no email, and one whose ID token has no amr.
func TestExample_APIMeLeavesOutWhatTheUserLacks(t *testing.T) {
	srv, _, platform := startExample(t, "servemux", map[string]string{"LINE_SCOPES": "openid profile email"})
	for _, u := range platform.Users() {
		_, res, err := platform.Login(context.Background(), srv.URL+"/login?return_to=%2Fapi%2Fme", linetest.Consent{UserID: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var me map[string]string
		if err := json.Unmarshal(b, &me); err != nil || res.StatusCode != http.StatusOK || me["userId"] != u.ID {
			t.Fatalf("%s: /api/me = %d %s", u.DisplayName, res.StatusCode, b)
		}
		if pic, ok := me["pictureUrl"]; ok == u.NoPicture || (ok && pic != u.PictureURL) {
			t.Errorf("%s: pictureUrl = %q, NoPicture %v", u.DisplayName, pic, u.NoPicture)
		}
		if email, ok := me["email"]; ok != (u.Email != "") || email != u.Email {
			t.Errorf("%s: email = %q, want %q", u.DisplayName, email, u.Email)
		}
	}
}

func TestLoadConfig_Contract(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cfg, err := loadConfig(func(string) string { return "" }, log)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "localhost:8080" || cfg.BaseURL != "http://localhost:8080" || !cfg.demo() ||
		cfg.AccessURL != "https://access.line.me" || cfg.APIURL != "https://api.line.me" ||
		strings.Join(cfg.Scopes, " ") != "openid profile" || cfg.ResponseMode != "query" || len(cfg.SessionKeys) != 1 {
		t.Errorf("defaults: %+v", cfg)
	}
	env := map[string]string{"ADDR": "0.0.0.0:9000", "SESSION_KEYS": "not-base64"}
	if _, err := loadConfig(func(k string) string { return env[k] }, log); err == nil {
		t.Error("bad SESSION_KEYS accepted")
	}
	env = map[string]string{"LINE_CHANNEL_ID": "1"}
	if _, err := loadConfig(func(k string) string { return env[k] }, log); err == nil {
		t.Error("LINE_CHANNEL_ID without a secret accepted")
	}
}

func TestExample_APIMeAcceptsBearerAndIDTokens(t *testing.T) {
	srv, _, platform := startExample(t, "servemux", nil)
	user := platform.Users()[1]
	access, _ := platform.IssueAccessToken(user.ID, []string{"openid", "profile"})
	idToken, _ := platform.IssueLIFFIDToken(user.ID, "")
	for name, h := range map[string][2]string{
		"access token": {"Authorization", "Bearer " + access},
		"ID token":     {"X-Line-ID-Token", idToken},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/me", nil)
		req.Header.Set(h[0], h[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var me map[string]string
		json.NewDecoder(resp.Body).Decode(&me)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || me["userId"] != user.ID || me["displayName"] != user.DisplayName {
			t.Errorf("%s: %d %v", name, resp.StatusCode, me)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer not-a-line-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown token: %d", resp.StatusCode)
	}
}

func TestExample_AccountLinkingSurvivesRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "accounts.db")
	env := map[string]string{"DATABASE_PATH": db}
	accountOf := func(srv *httptest.Server, browser *http.Client) string {
		t.Helper()
		_, body := get(t, browser, srv.URL+"/me", "text/html")
		i := strings.Index(body, `id="account-id">`)
		if i < 0 {
			t.Fatalf("/me shows no account: %.800s", body)
		}
		rest := body[i+len(`id="account-id">`):]
		return rest[:strings.Index(rest, "<")]
	}
	srv, browser, platform := startExample(t, "servemux", env)
	first := accountOf(srv, browser)
	if first != "acct-1" {
		t.Errorf("first login created %q, want acct-1", first)
	}
	_, body := get(t, browser, srv.URL+"/me", "text/html")
	if !strings.Contains(body, `id="friend">yes<`) { // Brown is a friend
		t.Errorf("/me does not show the friendship: %.1200s", body)
	}
	// Another LINE user gets another account; logging in again finds it.
	platform.SetAutoApprove(platform.Users()[1].ID)
	for range 2 {
		jar, _ := cookiejar.New(nil)
		cony := &http.Client{Jar: jar}
		if got := accountOf(srv, cony); got != "acct-2" {
			t.Errorf("second user: %q, want acct-2", got)
		}
		if _, body := get(t, cony, srv.URL+"/me", "text/html"); !strings.Contains(body, `id="friend">no<`) {
			t.Errorf("Cony is no friend: %.1200s", body)
		}
	}

	// A restarted app on the same database finds the same account.
	srv2, browser2, _ := startExample(t, "chi", env)
	if got := accountOf(srv2, browser2); got != first {
		t.Errorf("after a restart the same LINE user has %q, want %q", got, first)
	}
}

// The example takes the JARM modes in LINE_RESPONSE_MODE: the login ends
// with one signed response parameter, and the app verifies it.
func TestExample_JARMResponseModes(t *testing.T) {
	for _, mode := range []string{"query.jwt", "jwt", "form_post.jwt"} {
		t.Run(mode, func(t *testing.T) {
			srv, _, platform := startExample(t, "servemux", map[string]string{"LINE_RESPONSE_MODE": mode})
			_, res, err := platform.Login(context.Background(), srv.URL+"/login?return_to=%2Fapi%2Fme", linetest.Consent{UserID: platform.Users()[0].ID})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			var me map[string]string
			if err := json.Unmarshal(b, &me); err != nil || res.StatusCode != http.StatusOK || me["userId"] != platform.Users()[0].ID {
				t.Errorf("%s login: /api/me = %d %s", mode, res.StatusCode, b)
			}
			var jarm bool
			for _, r := range platform.Requests() {
				jarm = jarm || r.Query.Get("response_mode") == mode
			}
			if !jarm {
				t.Errorf("no authorize request asked for response_mode=%s", mode)
			}
		})
	}
}
