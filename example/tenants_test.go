package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

func TestLoadConfig_LINETenants(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	env := map[string]string{"LINE_TENANTS": " Shop-A.example.com=2000000001:secret-a , shop-b.example.com:8443=3000000002:secret-b,"}
	cfg, err := loadConfig(func(k string) string { return env[k] }, log)
	if err != nil {
		t.Fatal(err)
	}
	want := []tenant{
		{Host: "shop-a.example.com", ChannelID: "2000000001", ChannelSecret: "secret-a", AccessURL: cfg.AccessURL, APIURL: cfg.APIURL},
		{Host: "shop-b.example.com:8443", ChannelID: "3000000002", ChannelSecret: "secret-b", AccessURL: cfg.AccessURL, APIURL: cfg.APIURL},
	}
	if len(cfg.Tenants) != 2 || cfg.Tenants[0] != want[0] || cfg.Tenants[1] != want[1] {
		t.Errorf("Tenants %+v, want %+v", cfg.Tenants, want)
	}
	if cfg.demo() {
		t.Error("LINE_TENANTS without LINE_CHANNEL_ID is demo mode")
	}
	for _, bad := range []string{"shop-a.example.com", "shop-a.example.com=2000000001", "=2000000001:secret-a",
		"shop-a.example.com=:secret-a", "shop-a.example.com/x=2000000001:secret-a",
		"a.example.com=2000000001:secret-a,A.example.com=2000000002:secret-a"} {
		env := map[string]string{"LINE_TENANTS": bad}
		_, err := loadConfig(func(k string) string { return env[k] }, log)
		if err == nil {
			t.Errorf("LINE_TENANTS=%q accepted", bad)
		} else if strings.Contains(err.Error(), "secret-a") {
			t.Errorf("the error quotes a secret: %v", err)
		}
	}
}

// tenantClient is a browser that reaches every *.localhost host at the
// app's address (as browsers resolve *.localhost to loopback) and does
// not follow redirects.
func tenantClient(srv *httptest.Server) *http.Client {
	jar, _ := cookiejar.New(nil)
	addr := srv.Listener.Addr().String()
	dialer := &net.Dialer{}
	return &http.Client{
		Jar: jar,
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			if host, _, _ := net.SplitHostPort(a); strings.HasSuffix(host, ".localhost") {
				a = addr
			}
			return dialer.DialContext(ctx, network, a)
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// startTenantExample serves the example for cfg (changed by change after
// loading env) on srv, which the caller made.
func startTenantExample(t *testing.T, srv *httptest.Server, env map[string]string, change func(*config)) {
	t.Helper()
	vars := map[string]string{"BASE_URL": srv.URL, "DATABASE_PATH": filepath.Join(t.TempDir(), "accounts.db")}
	for k, v := range env {
		vars[k] = v
	}
	log := slog.New(slog.DiscardHandler)
	cfg, err := loadConfig(func(k string) string { return vars[k] }, log)
	if err != nil {
		t.Fatal(err)
	}
	change(&cfg)
	accts, err := openAccounts(cfg.DatabasePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { accts.Close() })
	a, err := newApp(cfg, accts, cfg.demo(), log)
	if err != nil {
		t.Fatal(err)
	}
	h, err := a.handler("servemux")
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
}

func sendAs(t *testing.T, c *http.Client, method, u, accept string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	req.Header.Set("Accept", accept)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// loginOn logs c in on host (its platform approving at once) and
// returns the user ID /api/me then answers.
func loginOn(t *testing.T, c *http.Client, host string) string {
	t.Helper()
	resp, body := sendAs(t, c, http.MethodGet, "http://"+host+"/login", "text/html")
	// /login → LINE's authorize → the callback → the app's page.
	for range 3 {
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login on %s: %d at %s: %.300s", host, resp.StatusCode, resp.Request.URL, body)
		}
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		resp, body = sendAs(t, c, http.MethodGet, loc.String(), "text/html")
	}
	resp, body = sendAs(t, c, http.MethodGet, "http://"+host+"/api/me", "application/json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/me on %s after login: %d %s", host, resp.StatusCode, body)
	}
	var me meJSON
	if err := json.Unmarshal([]byte(body), &me); err != nil {
		t.Fatal(err)
	}
	return me.UserID
}

// TestExample_LINETenants: with LINE_TENANTS (and no LINE_CHANNEL_ID),
// each host logs in with its own channel, and gets the user ID of its
// provider and a session of its own; another host gets the 421 page.
func TestExample_LINETenants(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	hosts := []string{"shop-a.localhost:" + port, "shop-b.localhost:" + port}
	var platforms []*linetest.Server
	var items []string
	for i, host := range hosts {
		p := linetest.NewServer(t, linetest.Config{
			ChannelID:     []string{"2000000001", "2000000002"}[i],
			ChannelSecret: []string{"secret-of-shop-a-0123456789abcdef", "secret-of-shop-b-0123456789abcdef"}[i],
			CallbackURLs:  []string{"http://" + host + "/callback"},
			Users:         linetest.ProviderUsers(host),
		})
		p.SetAutoApprove(p.Users()[0].ID)
		platforms = append(platforms, p)
		items = append(items, host+"="+p.ChannelID()+":"+p.ChannelSecret())
	}
	startTenantExample(t, srv, map[string]string{"LINE_TENANTS": strings.Join(items, ",")}, func(c *config) {
		// One linetest per channel: each tenant at its own platform.
		for i := range c.Tenants {
			c.Tenants[i].AccessURL, c.Tenants[i].APIURL = platforms[i].AccessURL(), platforms[i].APIURL()
		}
	})
	c := tenantClient(srv)
	for i, host := range hosts {
		if got, want := loginOn(t, c, host), platforms[i].Users()[0].ID; got != want {
			t.Errorf("%s: logged in as %s, want %s (its provider's ID)", host, got, want)
		}
		// The account signed up at the login is linked on its tenant, and
		// the app's own page reads the link there.
		resp, body := sendAs(t, c, http.MethodGet, "http://"+host+"/api/account", "application/json")
		if want := `"lineUserId":"` + platforms[i].Users()[0].ID + `"`; resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("%s /api/account: %d %s, want %s", host, resp.StatusCode, body, want)
		}
	}
	if platforms[0].Users()[0].ID == platforms[1].Users()[0].ID {
		t.Fatal("the two providers gave one user ID: the test proves nothing")
	}
	// A's session cookie on B is nobody.
	aURL, _ := url.Parse("http://" + hosts[0] + "/")
	bURL, _ := url.Parse("http://" + hosts[1] + "/")
	other := tenantClient(srv)
	other.Jar.SetCookies(bURL, c.Jar.Cookies(aURL))
	if resp, _ := sendAs(t, other, http.MethodGet, "http://"+hosts[1]+"/api/me", "application/json"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("A's session cookie on B: /api/me %d, want 401", resp.StatusCode)
	}
	// Any other host, BASE_URL's included (no LINE_CHANNEL_ID): 421.
	for _, u := range []string{"http://shop-z.localhost:" + port + "/login", srv.URL + "/", srv.URL + "/login"} {
		resp, body := sendAs(t, c, http.MethodGet, u, "text/html")
		if resp.StatusCode != http.StatusMisdirectedRequest || !strings.Contains(body, "This site is not served here") {
			t.Errorf("GET %s: %d, want the 421 page: %.200s", u, resp.StatusCode, body)
		}
	}
	if resp, body := sendAs(t, c, http.MethodGet, srv.URL+"/healthz", "text/plain"); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz on BASE_URL's host: %d %s, want 200", resp.StatusCode, body)
	}
}

// TestDemoShops: demo mode's two shops are tenants of the app's port,
// each named on its home page and logging in with its own provider's
// user IDs, beside the main channel on BASE_URL's host.
func TestDemoShops(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	addr := srv.Listener.Addr().String()
	var main *linetest.Server
	var shops []*linetest.Server
	startTenantExample(t, srv, map[string]string{"ADDR": addr}, func(c *config) {
		main = startDemoPlatform(c, slog.New(slog.DiscardHandler))
		var err error
		if shops, err = startDemoShops(c, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
	})
	t.Cleanup(main.Close)
	for _, s := range shops {
		t.Cleanup(s.Close)
		s.SetAutoApprove(s.Users()[0].ID)
	}
	main.SetAutoApprove(main.Users()[0].ID)
	_, port, _ := net.SplitHostPort(addr)
	c := tenantClient(srv)
	ids := map[string]bool{}
	for i, s := range demoShops {
		host := s.host + ":" + port
		resp, body := sendAs(t, c, http.MethodGet, "http://"+host+"/", "text/html")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="shop">`+s.name+`<`) {
			t.Errorf("%s home: %d, does not name %s", host, resp.StatusCode, s.name)
		}
		got := loginOn(t, c, host)
		if want := shops[i].Users()[0].ID; got != want {
			t.Errorf("%s: logged in as %s, want %s", host, got, want)
		}
		ids[got] = true
	}
	if got := loginOn(t, c, addr); got != main.Users()[0].ID {
		t.Errorf("BASE_URL's host: logged in as %s, want the main channel's %s", got, main.Users()[0].ID)
	}
	ids[main.Users()[0].ID] = true
	if len(ids) != 3 {
		t.Errorf("the same person has %d user IDs over three providers, want 3", len(ids))
	}
	if resp, _ := sendAs(t, c, http.MethodGet, srv.URL+"/", "text/html"); resp.StatusCode != http.StatusOK {
		t.Errorf("BASE_URL's home: %d", resp.StatusCode)
	}
	if resp, body := sendAs(t, c, http.MethodGet, "http://"+srv.Listener.Addr().String()+"/", "text/html"); strings.Contains(body, `id="shop"`) || resp.StatusCode != http.StatusOK {
		t.Errorf("BASE_URL's home names a shop: %d", resp.StatusCode)
	}
}
