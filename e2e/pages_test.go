package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/linelogin/linelogin/linetest"
)

var james = linetest.DefaultUsers()[4] // no picture; amr pwd and mfa

// checkLINEUser checks that /account shows user by name and picture (or
// the placeholder), and not by the raw user ID.
func checkLINEUser(tb *tab, user linetest.User) {
	tb.s.t.Helper()
	if got := eval[string](tb, `document.getElementById("line-profile")?.dataset.lineUserId || ""`); got != user.ID {
		tb.errorf("/account is linked to LINE user %q, want %s", got, user.ID)
	}
	if got := tb.text("line-name"); got != user.DisplayName {
		tb.errorf("/account names the LINE user %q, want %q", got, user.DisplayName)
	}
	picture := "picture"
	if user.NoPicture {
		picture = "picture-placeholder"
	}
	if !tb.has(picture) {
		tb.errorf("/account shows no #%s for %s", picture, user.DisplayName)
	}
	if strings.Contains(eval[string](tb, `document.body.innerText`), user.ID) {
		tb.errorf("/account shows the raw LINE user ID %s", user.ID)
	}
}

// layouts are the sizes every page is looked at in: a desktop window and
// a phone.
var layouts = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"desktop", 1024, 768, false},
	{"phone", 390, 844, true},
}

// englishWords give away English text on a page in another language.
var englishWords = regexp.MustCompile(`(?i)\b(the|and|on|your|you|with|to|of|log|not|page|found|account|password|device|sign|end|home|unlink|connect|back|seen|here)\b`)

// allowedLatin is what a page in any language may show in Latin letters:
// the header, names, e-mail addresses, paths and identifiers.
var allowedLatin = regexp.MustCompile(`linelogin example|[\w.+-]+@[\w.-]+|/[\w/]+|\b\w+(?:-\w+)+\b|\b(?:alice|bob|carol|LINE|linetest|Chrome|Linux|UTC|GMT)\b`)

// look screenshots the current page at every layout, as page-label, and
// checks what a person would notice: text in the page's language, no raw
// amr code, no time without its zone, no button wrapped mid-word.
func look(tb *tab, label, lang string) {
	tb.s.t.Helper()
	if got := eval[string](tb, `document.documentElement.lang`); got != lang {
		tb.errorf("%s: <html lang=%q>, want %q", label, got, lang)
	}
	text := eval[string](tb, `document.body.innerText`)
	if m := regexp.MustCompile(`\b(pwd|lineqr|lineautologin|linesso|mfa|otp)\b`).FindString(text); m != "" {
		tb.errorf("%s: the raw amr code %q is on the page:\n%s", label, m, text)
	}
	if bare := eval[[]string](tb, `(document.body.innerText.match(/\d{1,2}:\d\d(?::\d\d)?(?!\s*(?:[AP]M\s*)?\[?(?:UTC|GMT|[A-Z]{3,5}\b|[+-]\d))/g) || [])`); len(bare) > 0 {
		tb.errorf("%s: times without their zone: %q", label, bare)
	}
	if unconverted := eval[[]string](tb, `[...document.querySelectorAll("time.local-time")].map(t => t.textContent).filter(s => /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/.test(s))`); len(unconverted) > 0 {
		tb.errorf("%s: times not shown in the browser's zone: %q", label, unconverted)
	}
	if lang != "en" {
		for _, line := range strings.Split(text, "\n") {
			if m := englishWords.FindString(allowedLatin.ReplaceAllString(line, " ")); m != "" {
				tb.errorf("%s: English (%q) on the %s page: %q", label, m, lang, line)
			}
		}
	}
	for _, l := range layouts {
		_, err := chromedp.Call(tb.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: l.width, Height: l.height, DeviceScaleFactor: 1, Mobile: l.mobile,
		})
		if err != nil {
			tb.fatalf("%s: the %s layout: %v", label, l.name, err)
		}
		tb.shot(fmt.Sprintf("%s-%s-%s", label, lang, l.name))
		if wrapped := eval[[]string](tb, wrappedButtonsJS); len(wrapped) > 0 {
			tb.errorf("%s (%s): buttons wrapped over lines: %q", label, l.name, wrapped)
		}
	}
	if _, err := chromedp.Call(tb.ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
		tb.fatalf("%s: back to the window's size: %v", label, err)
	}
}

// wrappedButtonsJS lists the visible buttons whose text takes more than
// one line.
const wrappedButtonsJS = `[...document.querySelectorAll("button")].filter(b => b.offsetParent).filter(b => {
	const tops = new Set();
	const w = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
	for (let n = w.nextNode(); n; n = w.nextNode()) {
		if (!n.textContent.trim()) continue;
		const r = document.createRange(); r.selectNodeContents(n);
		for (const c of r.getClientRects()) if (c.width > 0) tops.add(Math.round(c.top));
	}
	return tops.size > 1;
}).map(b => b.innerText)`

// signInWithPassword signs in to the app's own account on /account/login.
func signInWithPassword(tb *tab, id, password, want string) *page {
	tb.s.t.Helper()
	tb.goTo("/account/login", "account-login")
	if err := chromedp.Do(tb.ctx,
		chromedp.SendKeys(chromedp.ID("account_id"), id),
		chromedp.SendKeys(chromedp.ID("password"), password),
	); err != nil {
		tb.fatalf("typing the password: %v", err)
	}
	return tb.click("account-submit", want)
}

// setPassword sets the password of a LINE sign-up on /account.
func setPassword(tb *tab, password string) {
	tb.s.t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.ID("new-password"), password)); err != nil {
		tb.fatalf("typing the new password: %v", err)
	}
	tb.click("set-password-submit", "account")
	if !tb.has("account-notice") || tb.has("set-password") {
		tb.errorf("setting a password: no notice, or the form is still offered")
	}
}

// TestUnlink_SecondMethodYesOnlyOneNo: an account with a password unlinks
// LINE; a LINE sign-up, whose only way in is LINE, is refused with the
// reason and a way back to its account, and can unlink once it has a
// password.
func TestUnlink_SecondMethodYesOnlyOneNo(t *testing.T) {
	s, tb := start(t, appOptions{})
	signInWithPassword(tb, "alice", "alice-password", "account")
	consent(tb, tb.click("connect", "deny"))
	tb.click("user-"+brown.ID, "account")
	checkLINEUser(tb, brown)
	tb.click("unlink", "account")
	if tb.has("line-profile") || !tb.has("connect") {
		tb.errorf("after unlinking a second way in, /account still shows LINE")
	}
	tb.shot("unlinked")

	// A LINE sign-up, in a browser of its own.
	other := s.openTab(newBrowserContext())
	other.goTo("/", "login")
	consent(other, other.click("login", "deny"))
	pickUser(other, cony)
	other.goTo("/account", "account")
	checkLINEUser(other, cony)
	if !other.has("only-way-in") {
		other.errorf("/account of a LINE sign-up does not say LINE is its only way in")
	}
	p := other.click("unlink", "problem")
	if status := lastStatus(other, "/account/unlink"); status != 409 {
		other.errorf("unlinking the only way in answered %d, want 409", status)
	}
	if !strings.Contains(p.Text, "LINE is the only way to sign in to this account") {
		other.errorf("the refusal does not say why: %q", p.Text)
	}
	other.shot("unlink-refused")
	other.click("back-to-account", "account")
	checkLINEUser(other, cony)
	setPassword(other, "cony-password")
	// Signed in through LINE alone, the user is signed out of the account
	// once LINE is unlinked; the password signs in to it.
	other.click("unlink", "account-login")
	signInWithPassword(other, "acct-1", "cony-password", "account")
	if other.has("line-profile") || !other.has("connect") {
		other.errorf("after setting a password, the unlink did not happen")
	}
	other.shot("unlinked-after-password")
}

// TestEveryPageInFourLanguages visits every page of the example in
// English, Japanese, Traditional Chinese and Thai, screenshots each at
// desktop and phone widths (e2e/testdata/out), and checks each as look
// does. Sessions are in Redis, so that /me lists them.
func TestEveryPageInFourLanguages(t *testing.T) {
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		t.Fatal("REDIS_URL is not set: run the browser tests under scripts/with-redis (make test does)")
	}
	for i, tc := range []struct{ accept, lang, nope string }{
		{"en", "en", "Page not found"},
		{"ja-JP,ja;q=0.9", "ja", "ページが見つかりません"},
		{"zh-TW,zh;q=0.9", "zh-TW", "找不到網頁"},
		{"th-TH,th;q=0.9", "th", "ไม่พบหน้านี้"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			// A database of its own: other tests (and the other languages)
			// log their users in on the same Redis, and /me lists every
			// session of James's there.
			db, err := url.Parse(redisURL)
			if err != nil {
				t.Fatal(err)
			}
			db.Path = fmt.Sprintf("/%d", 11+i)
			s, tb := start(t, appOptions{RedisURL: db.String()})
			speak(tb, tc.accept)
			tb.goTo("/", "login")
			look(tb, "home", tc.lang)
			p := tb.goTo("/nope", "problem")
			if status := lastStatus(tb, "/nope"); status != 404 || !strings.Contains(p.Text, tc.nope) {
				tb.errorf("/nope: %d %q, want 404 saying %q", status, p.Text, tc.nope)
			}
			look(tb, "not-found", tc.lang)
			tb.goTo("/account/login", "account-login")
			// The inputs are styled like the rest, not the browser's bare
			// default (1-2px padding, square corners).
			if style := eval[string](tb, `(() => { const s = getComputedStyle(document.getElementById("password")); return s.borderRadius + " " + s.paddingTop; })()`); style != "8px 9px" {
				tb.errorf("the password input is not styled: border-radius and padding %q, want \"8px 9px\"", style)
			}
			look(tb, "account-login", tc.lang)
			signInWithPassword(tb, "alice", "wrong", "account-login")
			if got := eval[string](tb, `document.getElementById("account_id").value`); got != "alice" {
				tb.errorf("after a wrong password the account ID is %q, want alice kept", got)
			}
			look(tb, "wrong-password", tc.lang)

			// James logs in with LINE on two browsers: /me lists both.
			tb.goTo("/", "login")
			consent(tb, tb.click("login", "deny"))
			pickUser(tb, james)
			second := s.openTab(newBrowserContext())
			speak(second, tc.accept)
			second.goTo("/", "login")
			consent(second, second.click("login", "deny"))
			pickUser(second, james)
			tb.goTo("/me", "name")
			if n := eval[int](tb, `document.querySelectorAll("tr.session").length`); n != 2 {
				tb.errorf("/me lists %d sessions, want 2", n)
			}
			if !tb.has("picture-placeholder") {
				tb.errorf("/me of a user without a picture shows no placeholder")
			}
			if gap := eval[float64](tb, `(() => { const f = document.getElementById("end-others").form; let n = f.nextElementSibling;
				while (n && n.tagName !== "NAV") n = n.nextElementSibling;
				return n.getBoundingClientRect().top - f.getBoundingClientRect().bottom; })()`); gap < 16 {
				tb.errorf("\"Log out everywhere else\" is %.0fpx from the links below it, want at least 16", gap)
			}
			look(tb, "me", tc.lang)
			tb.goTo("/", "greeting")
			look(tb, "home-logged-in", tc.lang)

			// James's sign-up: LINE is its only way in.
			tb.goTo("/account", "account")
			checkLINEUser(tb, james)
			look(tb, "account-line-only", tc.lang)
			tb.click("unlink", "problem")
			look(tb, "unlink-refused", tc.lang)
			tb.click("back-to-account", "account")
			setPassword(tb, "james-password")
			look(tb, "account-password-set", tc.lang)

			// alice, on the second browser, tries to connect James: 409.
			speak(second, tc.accept)
			second.click("logout", "login")
			signInWithPassword(second, "alice", "alice-password", "account")
			look(second, "account-unlinked", tc.lang)
			consent(second, second.click("connect", "deny"))
			second.click("user-"+james.ID, "problem")
			if status := lastStatus(second, "/callback"); status != 409 {
				second.errorf("connecting a LINE user linked elsewhere answered %d, want 409", status)
			}
			look(second, "conflict", tc.lang)
			second.click("back-to-account", "account")
			consent(second, second.click("connect", "deny"))
			second.click("user-"+brown.ID, "account")
			checkLINEUser(second, brown)
			look(second, "account-linked", tc.lang)

			// "Log out here" on the current session's row leads home.
			tb.goTo("/me", "name")
			p = tb.click("end-current", "login")
			if p.path() != "/" {
				tb.errorf("ending the current session lands on %s, want /", p.path())
			}
			loggedOut(tb)
		})
	}
}

// newBrowserContext opens a tab in a browser context of its own: another
// browser, with cookies of its own.
func newBrowserContext() (context.Context, context.CancelFunc) {
	return chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
}
