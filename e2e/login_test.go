package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/linelogin/linelogin/linetest"
)

// The example's cookie names on http (no __Host- prefix there).
const (
	sessionCookie = "linelogin_session"
	flowPrefix    = "linelogin_flow_"
)

// The test users of linetest's consent page.
var (
	brown = linetest.DefaultUsers()[0]
	cony  = linetest.DefaultUsers()[1]
	sally = linetest.DefaultUsers()[2]
)

// consent checks that p is linetest's consent page, on another site than
// the app.
func consent(tb *tab, p *page) {
	tb.s.t.Helper()
	if p.Landmark != "deny" {
		tb.fatalf("want linetest's consent page, got %s", p.describe())
	}
	lineHost := strings.TrimPrefix(tb.s.app.LineURL, "http://")
	if p.host() != lineHost {
		tb.fatalf("the consent page is at %s, want it on linetest (%s)", redact(p.URL), lineHost)
	}
	appHost := strings.TrimPrefix(tb.s.app.URL, "http://")
	if !strings.Contains(p.Text, appHost) {
		tb.errorf("the consent page does not name the app (%s); it says: %q", appHost, p.Text)
	}
}

// pickUser clicks user's button on the consent page and waits for /me.
func pickUser(tb *tab, user linetest.User) *page {
	tb.s.t.Helper()
	return tb.click("user-"+user.ID, "name")
}

// checkMe checks that p is /me at wantPath showing user, with the picture
// loaded, and no trace of the callback in the address bar.
func checkMe(tb *tab, p *page, user linetest.User, wantPath string) {
	tb.s.t.Helper()
	if p.Landmark != "name" {
		tb.fatalf("want /me, got %s", p.describe())
	}
	u, err := url.Parse(p.URL)
	if err != nil {
		tb.fatalf("the address %q: %v", p.URL, err)
	}
	if got := u.RequestURI(); got != wantPath {
		tb.errorf("landed on %s, want %s", got, wantPath)
	}
	if u.Host != strings.TrimPrefix(tb.s.app.URL, "http://") {
		tb.errorf("landed on host %s, want the app's %s", u.Host, tb.s.app.URL)
	}
	for _, k := range []string{"code", "state", "error"} {
		if u.Query().Has(k) {
			tb.errorf("the final address carries %q: %s", k, redact(p.URL))
		}
	}
	if got := tb.text("name"); got != user.DisplayName {
		tb.errorf("#name = %q, want %q", got, user.DisplayName)
	}
	if got := tb.text("user-id"); got != user.ID {
		tb.errorf("#user-id = %q, want %q", got, user.ID)
	}
	type picture struct {
		Src    string `json:"src"`
		Loaded bool   `json:"loaded"`
		Width  int    `json:"width"`
	}
	pic := eval[*picture](tb, `(() => {
		const i = document.getElementById("picture");
		return i && {src: i.currentSrc || i.src, loaded: i.complete && i.naturalWidth > 0, width: i.getBoundingClientRect().width};
	})()`)
	switch {
	case pic == nil:
		tb.errorf("/me shows no #picture")
	case !pic.Loaded:
		tb.errorf("the picture %s did not load", pic.Src)
	case pic.Width == 0:
		tb.errorf("the picture %s is not displayed", pic.Src)
	case !isAvatarOf(pic.Src, tb.s.app.LineURL, user):
		tb.errorf("the picture is %s, want linetest's avatar of the user", pic.Src)
	}
}

// isAvatarOf reports whether src is linetest's generated avatar of user:
// on linetest's picture host (the host of lineURL, another port). The
// demo serves it over plain HTTP (linetest.Config.HTTPPictures), since a
// person's browser refuses a test certificate.
func isAvatarOf(src, lineURL string, user linetest.User) bool {
	s, err := url.Parse(src)
	if err != nil {
		return false
	}
	l, err := url.Parse(lineURL)
	return err == nil && s.Scheme == "http" && s.Hostname() == l.Hostname() &&
		s.Path == linetest.PathAvatarPrefix+user.ID+".svg"
}

// noFlowCookies checks that every flow cookie was spent.
func noFlowCookies(tb *tab) {
	tb.s.t.Helper()
	for _, c := range tb.cookies() {
		if strings.HasPrefix(c.Name, flowPrefix) {
			tb.errorf("the flow cookie %s is still in the browser", c.Name)
		}
	}
}

// loggedOut checks that the browser has no session cookie.
func loggedOut(tb *tab) {
	tb.s.t.Helper()
	if c := tb.cookie(sessionCookie); c != nil {
		tb.errorf("the browser still has the session cookie %s", c.Name)
	}
}

// lastStatus returns the status of the last document response for a URL
// with path.
func lastStatus(tb *tab, path string) int64 {
	docs := tb.documents()
	for i := len(docs) - 1; i >= 0; i-- {
		u, err := url.Parse(docs[i].url)
		if err == nil && u.Path == path && docs[i].status != 0 {
			return docs[i].status
		}
	}
	return 0
}

// checkCookieLine checks the attributes of a Set-Cookie line.
func checkCookieLine(tb *tab, line string, sameSite string, secure bool) {
	tb.s.t.Helper()
	name, _, _ := strings.Cut(line, "=")
	attrs := strings.ToLower(line)
	for _, want := range []string{"httponly", "path=/", "samesite=" + strings.ToLower(sameSite)} {
		if !strings.Contains(attrs, "; "+want) {
			tb.errorf("the cookie %s lacks %q: %s", name, want, redactCookie(line))
		}
	}
	if strings.Contains(attrs, "; domain=") {
		tb.errorf("the cookie %s has a Domain: %s", name, redactCookie(line))
	}
	if got := strings.Contains(attrs, "; secure"); got != secure {
		tb.errorf("the cookie %s: Secure is %v, want %v: %s", name, got, secure, redactCookie(line))
	}
}

// redactCookie hides a Set-Cookie line's value.
func redactCookie(line string) string {
	name, rest, _ := strings.Cut(line, "=")
	_, attrs, _ := strings.Cut(rest, ";")
	return name + "=…;" + attrs
}

// TestLoginFromHome: the login button on / leads through linetest's
// consent page to /me, which shows the name and the picture.
func TestLoginFromHome(t *testing.T) {
	_, tb := start(t, appOptions{})
	tb.goTo("/", "login")
	if href := eval[string](tb, `document.getElementById("login").getAttribute("href")`); href != "/login?return_to=%2Fme" {
		tb.errorf("the login button links to %q, want /login?return_to=%%2Fme", href)
	}
	if !tb.has("demo-note") {
		// example/main.go computes app.demo from cfg.demo() after
		// startDemoPlatform has filled cfg.ChannelID, so it is always false.
		tb.errorf("BUG in example: the home page has no #demo-note although the app runs in demo mode " +
			"(newApp reads cfg.demo() after startDemoPlatform set cfg.ChannelID)")
	}
	p := tb.click("login", "deny")
	consent(tb, p)
	flows := tb.setCookieLines(flowPrefix)
	if len(flows) != 1 {
		tb.fatalf("/login set %d flow cookies, want 1: %q", len(flows), flows)
	}
	checkCookieLine(tb, flows[0], "Lax", false)
	tb.shot("consent")

	p = pickUser(tb, brown)
	checkMe(tb, p, brown, "/me")
	noFlowCookies(tb)
	c := tb.cookie(sessionCookie)
	if c == nil {
		tb.fatalf("no session cookie %s after the login; cookies: %v", sessionCookie, cookieNames(tb.cookies()))
	}
	if !c.HTTPOnly || c.Secure || c.SameSite != network.CookieSameSiteLax || c.Path != "/" || strings.HasPrefix(c.Domain, ".") {
		tb.errorf("session cookie: HttpOnly=%v Secure=%v SameSite=%q Path=%q Domain=%q; want HttpOnly, not Secure on http, Lax, /, host-only",
			c.HTTPOnly, c.Secure, c.SameSite, c.Path, c.Domain)
	}
	for _, line := range tb.setCookieLines(sessionCookie + "=") {
		checkCookieLine(tb, line, "Lax", false)
	}

	// The home page now greets the user.
	tb.goTo("/", "greeting")
	if got, want := tb.text("greeting"), "Hello, "+brown.DisplayName+"!"; got != want {
		tb.errorf("#greeting = %q, want %q", got, want)
	}
	tb.shot("home")
	tb.goTo("/me", "name")
}

// TestDeepLink: a protected page opened logged out asks for the login and
// comes back to the very page, query included.
func TestDeepLink(t *testing.T) {
	_, tb := start(t, appOptions{})
	const target = "/me?tab=orders&id=7"
	p := tb.goTo(target, "deny")
	consent(tb, p)
	p = pickUser(tb, cony)
	checkMe(tb, p, cony, target)
	noFlowCookies(tb)
}

// TestDenyConsent: Cancel on the consent page shows the app's friendly
// error page; its retry link starts a login that works.
func TestDenyConsent(t *testing.T) {
	_, tb := start(t, appOptions{})
	tb.goTo("/", "login")
	consent(tb, tb.click("login", "deny"))
	p := tb.click("deny", "error")
	if u, _ := url.Parse(p.URL); u == nil || u.Host != strings.TrimPrefix(tb.s.app.URL, "http://") || u.Path != "/callback" {
		tb.errorf("the error page is at %s, want the app's /callback", redact(p.URL))
	}
	if got := lastStatus(tb, "/callback"); got != 403 {
		tb.errorf("the callback answered %d, want 403", got)
	}
	if msg := tb.text("message"); !strings.Contains(msg, "chose not to log in") {
		tb.errorf("#message = %q, want the friendly text for a cancelled login", msg)
	}
	if code := tb.text("error-code"); !strings.Contains(strings.ToLower(code), "access_denied") {
		tb.errorf("#error-code = %q, want LINE's ACCESS_DENIED", code)
	}
	if p.Title != "Login cancelled" {
		tb.errorf("the error page's title is %q, want %q", p.Title, "Login cancelled")
	}
	if href := eval[string](tb, `document.getElementById("retry").getAttribute("href")`); href != "/login?return_to=%2Fme" {
		tb.errorf("the retry link is %q, want /login?return_to=%%2Fme (back to where the login was going)", href)
	}
	loggedOut(tb)
	noFlowCookies(tb)
	tb.shot("error")

	p = tb.click("retry", "deny")
	consent(tb, p)
	p = pickUser(tb, brown)
	checkMe(tb, p, brown, "/me")
}

// TestErrorPageEscapes: LINE's error callback carries text the app does
// not control; the error page runs none of it and shows none of it (an
// error for no login in progress gets the "try again" page).
func TestErrorPageEscapes(t *testing.T) {
	_, tb := start(t, appOptions{})
	const (
		code = `INVALID_REQUEST<img src=x onerror="window.__xss=1">`
		desc = `<script>window.__xss=1</script><b id="injected">bold</b>`
	)
	q := url.Values{"error": {code}, "error_description": {desc}, "state": {"0123456789abcdef0123456789abcdef"}}
	tb.goTo("/callback?"+q.Encode(), "error")
	if got := lastStatus(tb, "/callback"); got < 400 || got >= 500 {
		tb.errorf("the callback answered %d, want a 4xx", got)
	}
	if eval[bool](tb, `window.__xss === 1`) {
		tb.errorf("the error page ran script from LINE's error parameters")
	}
	if tb.has("injected") {
		tb.errorf("the error page turned error_description into HTML")
	}
	if tb.has("error-code") {
		tb.errorf("#error-code = %q: the page repeats a callback URL's text", tb.text("error-code"))
	}
	if !tb.has("retry") {
		tb.errorf("the error page offers no retry")
	}
	loggedOut(tb)
}

// TestTwoTabs: two tabs start logins; the second finishes first; both
// logins succeed and land where each started.
func TestTwoTabs(t *testing.T) {
	s, first := start(t, appOptions{})
	second := s.newTab(first)
	consent(first, first.goTo("/me?tab=first", "deny"))
	consent(second, second.goTo("/me?tab=second", "deny"))
	if n := len(first.setCookieLines(flowPrefix)) + len(second.setCookieLines(flowPrefix)); n != 2 {
		first.errorf("the two logins set %d flow cookies, want 2", n)
	}
	var live int
	for _, c := range first.cookies() {
		if strings.HasPrefix(c.Name, flowPrefix) {
			live++
		}
	}
	if live != 2 {
		first.fatalf("the browser holds %d flow cookies after two /login, want 2", live)
	}

	// Reverse order: the second tab finishes first.
	checkMe(second, pickUser(second, sally), sally, "/me?tab=second")
	checkMe(first, pickUser(first, brown), brown, "/me?tab=first")
	noFlowCookies(first)

	// Both tabs are logged in (one browser, one session: the last login's).
	for _, tb := range []*tab{first, second} {
		tb.goTo("/", "greeting")
		if got, want := tb.text("greeting"), "Hello, "+brown.DisplayName+"!"; got != want {
			tb.errorf("tab %d: #greeting = %q, want %q", tb.n, got, want)
		}
	}
}

// TestLogout: the logout button ends the session; /me then asks to log in
// again, and that login works.
func TestLogout(t *testing.T) {
	_, tb := start(t, appOptions{})
	tb.goTo("/", "login")
	consent(tb, tb.click("login", "deny"))
	checkMe(tb, pickUser(tb, brown), brown, "/me")

	p := tb.click("logout", "login")
	if got := p.path(); got != "/" {
		tb.errorf("logout landed on %s, want /", got)
	}
	var sawPost bool
	for _, d := range tb.documents() {
		if u, err := url.Parse(d.url); err == nil && u.Path == "/logout" && d.method == "POST" {
			sawPost = true
		}
	}
	if !sawPost {
		tb.errorf("the logout button did not POST /logout")
	}
	loggedOut(tb)
	tb.shot("after-logout")

	// Back, to the /me the logout button was on: it must not show the
	// profile again. Chromium keeps even no-store pages in its
	// back/forward cache and does not evict them when the session cookie
	// is deleted, so only the page itself can refuse the restore.
	p = tb.back()
	if p.Landmark == "name" {
		// A page restored from the back/forward cache must reload itself
		// at once (pageshow): wait for a fresh page (pageJS ignores the
		// restored one, which still carries the __e2eOld mark).
		if fresh, err := tb.waitPage(5 * time.Second); err == nil {
			p = fresh
		}
	}
	if p.Landmark == "name" {
		tb.shot("back-after-logout")
		tb.errorf("BUG in example: after the logout, Back shows the profile again at %s "+
			"(restored from the back/forward cache, not reloaded)", redact(p.URL))
	}

	// The page reloads instead, and /me sends the browser to log in.
	if p.Landmark != "deny" {
		p = tb.goTo("/me", "deny")
	}
	consent(tb, p)
	checkMe(tb, pickUser(tb, cony), cony, "/me")
}

// TestFormPost: with response_mode=form_post LINE posts the callback from
// its own site; the flow cookie is SameSite=None (and so Secure) and comes
// along.
func TestFormPost(t *testing.T) {
	_, tb := start(t, appOptions{ResponseMode: "form_post"})
	tb.goTo("/", "login")
	consent(tb, tb.click("login", "deny"))
	flows := tb.setCookieLines(flowPrefix)
	if len(flows) != 1 {
		tb.fatalf("/login set %d flow cookies, want 1: %q", len(flows), flows)
	}
	checkCookieLine(tb, flows[0], "None", true)

	p := pickUser(tb, sally)
	checkMe(tb, p, sally, "/me")
	var posted bool
	for _, d := range tb.documents() {
		if u, err := url.Parse(d.url); err == nil && u.Path == "/callback" {
			if d.method != "POST" {
				tb.errorf("the callback came as %s, want LINE's form POST", d.method)
			}
			posted = true
		}
	}
	if !posted {
		tb.errorf("no callback request seen")
	}
	noFlowCookies(tb)
	c := tb.cookie(sessionCookie)
	if c == nil {
		tb.fatalf("no session cookie after the form_post login")
	}
	if c.SameSite != network.CookieSameSiteLax {
		tb.errorf("the session cookie is SameSite=%q, want Lax (None is for the flow cookie only)", c.SameSite)
	}
}

// TestTamperedSessionCookie: a session cookie that was altered, truncated,
// replaced with junk or issued under another key means "logged out": the
// public page offers the login, the protected page asks for it, nothing
// answers 500.
func TestTamperedSessionCookie(t *testing.T) {
	s, tb := start(t, appOptions{})
	tb.goTo("/me", "deny")
	checkMe(tb, pickUser(tb, brown), brown, "/me")
	orig := tb.cookie(sessionCookie)
	if orig == nil {
		tb.fatalf("no session cookie after the login")
	}

	tamper := func(label, value string) {
		t.Helper()
		c := *orig
		c.Value = value
		tb.setCookie(&c)
		tb.goTo("/", "login")
		if got := lastStatus(tb, "/"); got != 200 {
			tb.errorf("%s cookie: / answered %d, want 200", label, got)
		}
		tb.shot(label)
		p := tb.goTo("/me", "deny")
		consent(tb, p)
	}
	// A control: the cookie as the app issued it still works.
	tb.setCookie(orig)
	tb.goTo("/", "greeting")

	v := orig.Value
	mid := len(v) / 2
	flipped := "A"
	if v[mid] == 'A' {
		flipped = "B"
	}
	tamper("altered", v[:mid]+flipped+v[mid+1:])
	tamper("truncated", v[:mid])
	tamper("junk", "not-a-session")

	// A cookie sealed with another key: log in to a second app that has
	// its own SESSION_KEYS. Both run on localhost, and cookies ignore the
	// port, so the browser then sends that app's cookie to the first.
	other := s.startApp(appOptions{SessionKeys: foreignSessionKeys})
	p := tb.goTo(other.URL+"/me", "deny")
	if p.host() != strings.TrimPrefix(other.LineURL, "http://") {
		tb.fatalf("the second app's login went to %s, want its linetest %s", redact(p.URL), other.LineURL)
	}
	p = pickUser(tb, cony)
	if !strings.HasPrefix(p.URL, other.URL+"/me") {
		tb.fatalf("the second app's login ended at %s", redact(p.URL))
	}
	foreign := tb.cookie(sessionCookie)
	if foreign == nil || foreign.Value == orig.Value {
		tb.fatalf("the second app did not issue its own session cookie")
	}
	tb.goTo("/", "login")
	tb.shot("foreign-key")
	consent(tb, tb.goTo("/me", "deny"))
}

// TestRouters: the same login, deep link and logout with the example
// mounted on chi and on gorilla/mux.
func TestRouters(t *testing.T) {
	for _, router := range []string{"chi", "gorillamux"} {
		t.Run(router, func(t *testing.T) {
			_, tb := start(t, appOptions{Router: router})
			tb.goTo("/", "login")
			consent(tb, tb.click("login", "deny"))
			checkMe(tb, pickUser(tb, brown), brown, "/me")
			noFlowCookies(tb)
			tb.click("logout", "login")
			loggedOut(tb)
			consent(tb, tb.goTo("/me?from=deep-link", "deny"))
			checkMe(tb, pickUser(tb, sally), sally, "/me?from=deep-link")
		})
	}
}

func cookieNames(cs []*network.Cookie) []string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return names
}
