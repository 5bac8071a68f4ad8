package e2e

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// apiSecurityJS fetches /api/me/security as an API client of the page's
// origin (with the session cookie) and returns the status, the
// WWW-Authenticate header and the body.
const apiSecurityJS = `fetch("/api/me/security", {headers: {Accept: "application/json"}})
	.then(r => r.text().then(body => ({status: r.status, challenge: r.headers.get("WWW-Authenticate") || "", body})))`

type apiAnswer struct {
	Status    int    `json:"status"`
	Challenge string `json:"challenge"`
	Body      string `json:"body"`
}

// TestStepUpAfterAnOldLogin: after a login whose time LINE did not report
// (an "old" one as far as the app can tell), /me/security sends the
// browser through LINE with max_age=300, comes back to the page in a new
// session, and shows the time of that authentication, which
// /api/me/security then gives; before the step-up, that API answered RFC
// 9470's challenge.
func TestStepUpAfterAnOldLogin(t *testing.T) {
	_, tb := start(t, appOptions{})
	tb.goTo("/", "login")
	consent(tb, tb.click("login", "deny"))
	checkMe(tb, pickUser(tb, brown), brown, "/me")
	before := tb.cookie(sessionCookie)
	if before == nil {
		tb.fatalf("no session cookie after the login")
	}

	const challenge = `Bearer error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=300`
	if got := eval[apiAnswer](tb, apiSecurityJS); got.Status != 401 || got.Challenge != challenge {
		tb.errorf("/api/me/security before the step-up: %d %q, want 401 %q", got.Status, got.Challenge, challenge)
	}

	began := time.Now().Unix()
	p := tb.goTo("/me/security?from=e2e", "deny")
	consent(tb, p)
	u, _ := url.Parse(p.URL)
	if q := u.Query(); q.Get("max_age") != "300" || q.Has("prompt") {
		tb.errorf("the step-up's authorize request has max_age=%q prompt=%q, want max_age=300 and no prompt", q.Get("max_age"), q.Get("prompt"))
	}
	tb.shot("step-up consent")
	p = tb.click("user-"+brown.ID, "auth-time")
	if p.path() != "/me/security?from=e2e" {
		tb.errorf("the step-up landed on %s, want /me/security?from=e2e", p.path())
	}
	noFlowCookies(tb)
	if after := tb.cookie(sessionCookie); after == nil || after.Value == before.Value {
		tb.errorf("the step-up did not renew the session cookie")
	}
	unix := eval[string](tb, `document.getElementById("auth-time").dataset.unix`)
	authTime, err := strconv.ParseInt(unix, 10, 64)
	if err != nil || authTime < began || authTime > time.Now().Unix() {
		tb.errorf("/me/security shows auth time %q, want the step-up's (%d or later)", unix, began)
	}
	tb.shot("security")

	got := eval[apiAnswer](tb, apiSecurityJS)
	if want := `{"authTime":` + unix + `}`; got.Status != 200 || strings.TrimSpace(got.Body) != want {
		tb.errorf("/api/me/security after the step-up: %d %s, want 200 %s", got.Status, got.Body, want)
	}
	// Recent enough now: straight to the page.
	tb.goTo("/me/security", "auth-time")
}

// TestEmailAskedOnce: /me/email sends a session without the email scope
// through LINE asking for it, once; the consent page offers email ticked,
// and the page then shows the address, on that visit and the next, with
// no second trip. A user who unticks it is told so, and not asked again.
func TestEmailAskedOnce(t *testing.T) {
	s, tb := start(t, appOptions{})
	tb.goTo("/", "login")
	consent(tb, tb.click("login", "deny"))
	checkMe(tb, pickUser(tb, brown), brown, "/me")

	p := tb.goTo("/me/email", "deny")
	consent(tb, p)
	u, _ := url.Parse(p.URL)
	if scope := u.Query().Get("scope"); scope != "openid profile email" {
		tb.errorf("asking for email: scope %q, want openid profile email", scope)
	}
	if !eval[bool](tb, `document.getElementById("share-email").checked`) {
		tb.errorf("the consent page's email box is not ticked")
	}
	tb.shot("email consent")
	tb.click("user-"+brown.ID, "email")
	if got := tb.text("email"); got != brown.Email {
		tb.errorf("/me/email shows %q, want %s", got, brown.Email)
	}
	tb.goTo("/me/email", "email")

	// Another browser, whose user unticks email.
	other := s.newBrowser()
	other.goTo("/me/email", "deny")
	eval[bool](other, `(() => { const c = document.getElementById("share-email"); c.checked = false; return c.checked })()`)
	other.click("user-"+cony.ID, "email-declined")
	other.shot("email declined")
	other.goTo("/me/email", "email-declined")
}

// newBrowser opens a tab in a new browser context: another browser, with
// cookies of its own.
func (s *scenario) newBrowser() *tab {
	s.t.Helper()
	tabCtx, closeTab := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	return s.openTab(tabCtx, closeTab)
}
