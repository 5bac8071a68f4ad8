package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// appSessionCookie is the example's own session cookie on http.
const appSessionCookie = "app_session"

// TestConnectLINEToAppAccount: a member signs in to the app's own account
// with a password, connects LINE on linetest's consent page and sees the
// LINE user on /account; after logging out, logging in with LINE alone
// lands in the same account.
func TestConnectLINEToAppAccount(t *testing.T) {
	_, tb := start(t, appOptions{})
	tb.goTo("/account/login", "account-login")
	if err := chromedp.Do(tb.ctx,
		chromedp.SendKeys(chromedp.ID("account_id"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), "alice-password"),
	); err != nil {
		tb.fatalf("typing the password: %v", err)
	}
	p := tb.click("account-submit", "account")
	if got := tb.text("account"); p.path() != "/account" || got != "alice" {
		tb.fatalf("after the password login: %s showing account %q", p.path(), got)
	}
	if !tb.has("connect") || tb.has("line-profile") {
		tb.errorf("an unlinked account shows no Connect LINE button, or shows a LINE user")
	}
	if tb.cookie(appSessionCookie) == nil {
		tb.errorf("no %s cookie after the password login", appSessionCookie)
	}

	// Connect LINE: through linetest's consent page and back to /account.
	consent(tb, tb.click("connect", "deny"))
	p = tb.click("user-"+brown.ID, "account")
	if p.path() != "/account" {
		tb.errorf("connect lands on %s, want /account", p.path())
	}
	checkLINEUser(tb, brown)
	if !tb.has("unlink") || tb.has("connect") {
		tb.errorf("a linked account shows no Unlink button, or still Connect LINE")
	}
	noFlowCookies(tb)
	tb.shot("account-linked")

	// Log out of everything.
	tb.click("account-logout", "login")
	loggedOut(tb)
	if tb.cookie(appSessionCookie) != nil {
		tb.errorf("the app's own session cookie outlived the logout")
	}
	tb.goTo("/account", "account-login")

	// Log in with LINE only: the same account.
	tb.goTo("/", "login")
	consent(tb, tb.click("login", "deny"))
	p = pickUser(tb, brown)
	checkMe(tb, p, brown, "/me")
	if got := tb.text("account-id"); got != "alice" {
		tb.errorf("/me after logging in with LINE shows account %q, want alice", got)
	}
	tb.goTo("/account", "account")
	if got := tb.text("account"); got != "alice" {
		tb.errorf("/account after logging in with LINE shows %q, want alice", got)
	}
	checkLINEUser(tb, brown)
	tb.shot("account-after-line-login")
}
