package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// speak makes the tab's browser ask for lang first, as a browser set to
// that language does.
func speak(tb *tab, acceptLanguage string) {
	tb.s.t.Helper()
	_, err := chromedp.Call(tb.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": acceptLanguage},
	})
	if err != nil {
		tb.fatalf("setting Accept-Language: %v", err)
	}
}

// TestErrorPageInJapaneseAndThai: a browser asking for Japanese (or Thai)
// gets the home page in it, LINE gets it as ui_locales, and when the user
// cancels on LINE's consent page the error page says so in that language,
// with <html lang> set. The screenshots show the pages as users see them.
func TestErrorPageInJapaneseAndThai(t *testing.T) {
	for _, tc := range []struct {
		accept, lang, button, title, retry string
	}{
		{"ja-JP,ja;q=0.9,en;q=0.5", "ja", "LINEでログイン", "ログインがキャンセルされました", "もう一度ログイン"},
		{"th-TH,th;q=0.9,en;q=0.5", "th", "เข้าสู่ระบบด้วย LINE", "ยกเลิกการเข้าสู่ระบบแล้ว", "ลองอีกครั้ง"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			_, tb := start(t, appOptions{})
			speak(tb, tc.accept)
			tb.goTo("/", "login")
			if got := tb.text("login"); got != tc.button {
				tb.errorf("the login button says %q, want %q", got, tc.button)
			}
			if got := eval[string](tb, `document.documentElement.lang`); got != tc.lang {
				tb.errorf("home: <html lang=%q>, want %q", got, tc.lang)
			}
			tb.shot("home-" + tc.lang)

			p := tb.click("login", "deny")
			consent(tb, p)
			if u, err := url.Parse(p.URL); err != nil || u.Query().Get("ui_locales") != tc.lang {
				tb.errorf("LINE was not asked for ui_locales=%s: %s", tc.lang, redact(p.URL))
			}
			p = tb.click("deny", "error")
			if got := eval[string](tb, `document.documentElement.lang`); got != tc.lang {
				tb.errorf("error page: <html lang=%q>, want %q", got, tc.lang)
			}
			if p.Title != tc.title || tb.text("retry") != tc.retry {
				tb.errorf("error page: title %q and button %q, want %q and %q; text: %q", p.Title, tb.text("retry"), tc.title, tc.retry, p.Text)
			}
			if !strings.Contains(tb.text("error-code"), "ACCESS_DENIED") {
				tb.errorf("error page does not show LINE's code: %q", p.Text)
			}
			if status := lastStatus(tb, "/callback"); status != 403 {
				tb.errorf("the cancelled callback answered %d, want 403", status)
			}
			look(tb, "error", tc.lang) // no LINE description in English on the page
			loggedOut(tb)
			noFlowCookies(tb)
		})
	}
}
