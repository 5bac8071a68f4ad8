package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/linelogin/linelogin/linetest"
)

// The demo's tenants (shared/DESIGN.md section 4): hosts of the app's
// port, each with a channel of its own provider, as example/main.go's
// demoShops makes them.
var demoShops = []struct {
	host, name string
	users      []linetest.User
}{
	{"shop-a.localhost", "Shop A", linetest.ProviderUsers("demo-shop-a")},
	{"shop-b.localhost", "Shop B", linetest.ProviderUsers("demo-shop-b")},
}

// cookiesAt returns the browser's cookies for origin.
func (tb *tab) cookiesAt(origin string) []*network.Cookie {
	tb.s.t.Helper()
	res, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{origin + "/"}})
	if err != nil {
		tb.fatalf("reading the cookies of %s: %v", origin, err)
	}
	return res.Cookies
}

// setCookieAt stores c in the browser as if origin had set it.
func (tb *tab) setCookieAt(origin string, c *network.Cookie) {
	tb.s.t.Helper()
	_, err := chromedp.Call(tb.ctx, network.SetCookie, network.SetCookieParams{
		Name: c.Name, Value: c.Value, URL: origin + "/", Path: "/", HTTPOnly: &c.HTTPOnly, SameSite: c.SameSite,
	})
	if err != nil {
		tb.fatalf("setting the cookie %s on %s: %v", c.Name, origin, err)
	}
}

// TestTwoTenants: one running example serves two shops, each with its own
// LINE channel: a login on each lands with the user ID its provider gives
// and a session of its own; a session cookie or a flow of shop A is
// refused on shop B; an unknown host gets the 421 page.
func TestTwoTenants(t *testing.T) {
	s, tb := start(t, appOptions{})
	u, _ := url.Parse(s.app.URL)
	port := u.Port()
	origin := func(i int) string { return "http://" + demoShops[i].host + ":" + port }
	var sessions []string
	for i, shop := range demoShops {
		tb.goTo(origin(i)+"/", "login")
		if got := tb.text("shop"); got != shop.name {
			tb.errorf("%s's home page names %q, want %q", shop.host, got, shop.name)
		}
		p := tb.click("login", "deny")
		if !strings.HasPrefix(p.host(), "127.0.0.1:") {
			tb.fatalf("%s's login shows a consent page at %s, want its linetest on 127.0.0.1", shop.host, redact(p.URL))
		}
		user := shop.users[0]
		p = pickUser(tb, user)
		if !strings.HasPrefix(p.URL, origin(i)+"/me") {
			tb.errorf("%s's login landed at %s", shop.host, redact(p.URL))
		}
		if got := tb.text("user-id"); got != user.ID {
			tb.errorf("%s: #user-id = %q, want %q (its provider's ID)", shop.host, got, user.ID)
		}
		if got := tb.text("name"); got != user.DisplayName {
			tb.errorf("%s: #name = %q, want %q", shop.host, got, user.DisplayName)
		}
		var value string
		for _, c := range tb.cookiesAt(origin(i)) {
			if c.Name == sessionCookie {
				value = c.Value
			}
		}
		if value == "" {
			tb.fatalf("%s: no session cookie after the login", shop.host)
		}
		sessions = append(sessions, value)
	}
	if demoShops[0].users[0].ID == demoShops[1].users[0].ID || sessions[0] == sessions[1] {
		tb.fatalf("the two shops share a user ID or a session: the test proves nothing")
	}
	// Both sessions live side by side.
	for i := range demoShops {
		tb.goTo(origin(i)+"/", "greeting")
	}

	// Shop A's session cookie on shop B is nobody: B asks for a login.
	tb.setCookieAt(origin(1), &network.Cookie{Name: sessionCookie, Value: sessions[0], HTTPOnly: true, SameSite: network.CookieSameSiteLax})
	tb.goTo(origin(1)+"/", "login")
	if p := tb.goTo(origin(1)+"/me", "deny"); !strings.HasPrefix(p.host(), "127.0.0.1:") {
		tb.errorf("B with A's session cookie: %s", redact(p.URL))
	}

	// A flow started on shop A, its cookie and state brought to shop B's
	// callback: refused as no login in progress there.
	fresh := s.newTab(tb)
	fresh.goTo(origin(0)+"/login", "deny")
	var flow *network.Cookie
	for _, c := range fresh.cookiesAt(origin(0)) {
		if strings.HasPrefix(c.Name, flowPrefix) {
			flow = c
		}
	}
	if flow == nil {
		fresh.fatalf("shop A's /login set no flow cookie")
	}
	fresh.setCookieAt(origin(1), flow)
	state := strings.TrimPrefix(flow.Name, flowPrefix)
	p := fresh.goTo(origin(1)+"/callback?code=not-a-code&state="+url.QueryEscape(state), "error")
	if !strings.Contains(p.Text, "This login could not be finished") {
		fresh.errorf("B's callback with A's flow: want the no-login-in-progress page, got %q", p.Text)
	}
	if got := lastStatus(fresh, "/callback"); got != 400 {
		fresh.errorf("B's callback with A's flow: status %d, want 400", got)
	}

	// An unknown host: the 421 page, never a login.
	p = tb.goTo("http://shop-z.localhost:"+port+"/", "error")
	if p.Title != "This site is not served here" {
		tb.errorf("unknown host: page %q, want the 421 page", p.Title)
	}
	if got := lastStatus(tb, "/"); got != 421 {
		tb.errorf("unknown host: status %d, want 421", got)
	}
}
