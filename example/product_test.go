package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/internal/redistest"
)

// TestExample_UnlinkRefusedWhileLINEIsTheOnlyWayIn: a LINE sign-up has no
// password, so unlinking LINE would strand the account: the unlink is
// refused (409) with a page saying why and leading back to the account.
// Once the user sets a password, the unlink works and the password signs
// in to the same account.
func TestExample_UnlinkRefusedWhileLINEIsTheOnlyWayIn(t *testing.T) {
	for router := range routers {
		t.Run(router, func(t *testing.T) {
			srv, browser, platform := startExample(t, router, nil)
			brown := platform.Users()[0].ID
			get(t, browser, srv.URL+"/me", "text/html") // through LINE: signs up acct-1
			_, page := send(t, browser, http.MethodGet, srv.URL+"/account", "", nil, nil)
			if !strings.Contains(page, `id="only-way-in"`) || !strings.Contains(page, `id="set-password"`) {
				t.Errorf("/account of a LINE sign-up offers no password, or does not say LINE is its only way in: %.1500s", page)
			}

			resp, page := send(t, browser, http.MethodPost, srv.URL+"/account/unlink", srv.URL, url.Values{}, nil)
			if resp.StatusCode != http.StatusConflict {
				t.Errorf("unlinking the only way in: %d, want 409", resp.StatusCode)
			}
			if !strings.Contains(page, "LINE is the only way to sign in to this account") || !strings.Contains(page, `<a href="/account" id="back-to-account">`) {
				t.Errorf("the refusal does not say why, or offers no way back to the account: %.1500s", page)
			}
			if status, body := apiAccountOf(t, srv.URL, browser); status != http.StatusOK || body != `{"accountId":"acct-1","lineUserId":"`+brown+`"}` {
				t.Errorf("after the refused unlink: %d %s", status, body)
			}

			// A password: too short is refused, a good one is kept once.
			if resp, page := send(t, browser, http.MethodPost, srv.URL+"/account/password", srv.URL, url.Values{"password": {"short"}}, nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "at least 8 characters") {
				t.Errorf("a short password: %d %.300s", resp.StatusCode, page)
			}
			if resp, _ := send(t, browser, http.MethodPost, srv.URL+"/account/password", "", url.Values{"password": {"acct-1-password"}}, nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("set password without same-origin proof: %d, want 403", resp.StatusCode)
			}
			resp, _ = send(t, browser, http.MethodPost, srv.URL+"/account/password", srv.URL, url.Values{"password": {"acct-1-password"}}, nil)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("set password: %d, want 303", resp.StatusCode)
			}
			if resp, _ := send(t, browser, http.MethodPost, srv.URL+"/account/password", srv.URL, url.Values{"password": {"another-password"}}, nil); resp.StatusCode != http.StatusConflict {
				t.Errorf("replacing the password without the current one: %d, want 409", resp.StatusCode)
			}

			resp, _ = send(t, browser, http.MethodPost, srv.URL+"/account/unlink", srv.URL, url.Values{}, nil)
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("unlink with a password set: %d, want 303", resp.StatusCode)
			}
			jar, _ := cookiejar.New(nil)
			fresh := &http.Client{Jar: jar}
			signInAccount(t, srv, fresh, "acct-1", "acct-1-password")
			if status, body := apiAccountOf(t, srv.URL, fresh); status != http.StatusOK || body != `{"accountId":"acct-1"}` {
				t.Errorf("the password's account after unlink: %d %s", status, body)
			}
		})
	}
}

func apiAccountOf(t *testing.T, base string, browser *http.Client) (int, string) {
	t.Helper()
	resp, body := send(t, browser, http.MethodGet, base+"/api/account", "", nil, nil)
	return resp.StatusCode, body
}

// TestExample_AccountShowsTheLINEUser: the account page names the linked
// LINE user and shows their picture (a placeholder when they have none),
// never the raw user ID as its text.
func TestExample_AccountShowsTheLINEUser(t *testing.T) {
	srv, browser, platform := startExample(t, "servemux", nil)
	brown := platform.Users()[0]
	signInAccount(t, srv, browser, "alice", "alice-password")
	_, page := follow(t, browser, srv.URL+"/account/link", srv.URL, url.Values{"return_to": {"/account"}})
	if !strings.Contains(page, `id="line-name">`+brown.DisplayName+`<`) || !strings.Contains(page, `class="avatar" id="picture" src="`+brown.PictureURL+`"`) {
		t.Errorf("/account does not show the LINE user's name and picture: %.2000s", page)
	}
	if visibleText(page, brown.ID) {
		t.Errorf("/account shows the raw LINE user ID: %.2000s", page)
	}

	// A LINE user without a picture: a placeholder, as on /me.
	var moon = platform.Users()[3]
	platform.SetAutoApprove(moon.ID)
	jar, _ := cookiejar.New(nil)
	other := &http.Client{Jar: jar}
	signInAccount(t, srv, other, "bob", "bob-password")
	_, page = follow(t, other, srv.URL+"/account/link", srv.URL, url.Values{"return_to": {"/account"}})
	if !strings.Contains(page, `id="line-name">`+moon.DisplayName+`<`) || !strings.Contains(page, `id="picture-placeholder"`) {
		t.Errorf("/account of a user without a picture: %.2000s", page)
	}
	_, page = get(t, other, srv.URL+"/me", "text/html")
	if !strings.Contains(page, `id="picture-placeholder"`) {
		t.Errorf("/me of a user without a picture has no placeholder: %.2000s", page)
	}
}

// visibleText reports whether s appears in page outside its tags.
func visibleText(page, s string) bool {
	return strings.Contains(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " "), s)
}

// TestExample_ConflictLeadsBackToTheAccount: connecting a LINE user that
// another account has answers 409 with the reason and "Back to your
// account".
func TestExample_ConflictLeadsBackToTheAccount(t *testing.T) {
	srv, browser, _ := startExample(t, "servemux", nil)
	signInAccount(t, srv, browser, "alice", "alice-password")
	follow(t, browser, srv.URL+"/account/link", srv.URL, url.Values{"return_to": {"/account"}})
	jar, _ := cookiejar.New(nil)
	other := &http.Client{Jar: jar}
	signInAccount(t, srv, other, "bob", "bob-password")
	resp, page := follow(t, other, srv.URL+"/account/link", srv.URL, url.Values{"return_to": {"/account"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "already connected to another account") {
		t.Errorf("connecting a LINE user linked elsewhere: %d %.1000s", resp.StatusCode, page)
	}
	if !strings.Contains(page, `<a href="/account" id="back-to-account">Back to your account<`) {
		t.Errorf("the 409 page offers no way back to the account: %.1500s", page)
	}
}

// TestExample_WrongPasswordKeepsTheAccountID: the form comes back with
// the account ID the user typed.
func TestExample_WrongPasswordKeepsTheAccountID(t *testing.T) {
	srv, browser, _ := startExample(t, "servemux", nil)
	resp, page := send(t, browser, http.MethodPost, srv.URL+"/account/login", srv.URL, url.Values{"account_id": {"alice"}, "password": {"wrong"}}, nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, `name="account_id" id="account_id" value="alice"`) {
		t.Errorf("wrong password: %d, account ID not kept: %.1500s", resp.StatusCode, page)
	}
}

// TestExample_NotFoundPage: an unknown path gets the example's own 404
// page, in the browser's language, with the headers of its other pages.
func TestExample_NotFoundPage(t *testing.T) {
	for router := range routers {
		t.Run(router, func(t *testing.T) {
			srv, _, _ := startExample(t, router, nil)
			for _, tc := range []struct{ accept, lang, title string }{
				{"en", "en", "Page not found"},
				{"ja-JP,ja;q=0.9", "ja", "ページが見つかりません"},
				{"zh-TW", "zh-TW", "找不到網頁"},
				{"th", "th", "ไม่พบหน้านี้"},
			} {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/nope", nil)
				req.Header.Set("Accept-Language", tc.accept)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body := readAll(t, resp)
				if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `<h1 id="problem">`+tc.title+`</h1>`) || !strings.Contains(body, `<html lang="`+tc.lang+`"`) {
					t.Errorf("/nope in %s: %d %.600s", tc.lang, resp.StatusCode, body)
				}
				if resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("Content-Security-Policy") != "frame-ancestors 'none'" {
					t.Errorf("/nope in %s: framing headers %q %q", tc.lang, resp.Header.Get("X-Frame-Options"), resp.Header.Get("Content-Security-Policy"))
				}
			}
		})
	}
}

// TestExample_LabelsForPeople: /me names the way the user logged in as a
// person says it, in the page's language, and the session list shows
// translated device hints, times labelled with their zone, and a button
// on the current session that says it logs out here and leads home.
func TestExample_LabelsForPeople(t *testing.T) {
	topo := redistest.Topologies()[0]
	srv, browser, platform := startExample(t, "servemux", map[string]string{"REDIS_URL": topo.URL(t)})
	// James (pwd and mfa): a user no other test of this Redis logs in.
	platform.SetAutoApprove(platform.Users()[4].ID)
	const chromeOnLinux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
	page := func(accept string) string {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/me", nil)
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Accept-Language", accept)
		req.Header.Set("User-Agent", chromeOnLinux)
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return readAll(t, resp)
	}
	page("en") // logs in
	for _, tc := range []struct{ accept, amr, device, logOutHere string }{
		{"en", "email and password, two-factor authentication", "Chrome on Linux", "Log out here"},
		{"ja", "メールアドレスとパスワード、2要素認証", "Linux の Chrome", "この端末からログアウト"},
		{"zh-TW", "電子郵件與密碼、雙重驗證", "Linux 上的 Chrome", "登出此裝置"},
		{"th", "อีเมลและรหัสผ่าน, การยืนยันตัวตนสองขั้นตอน", "Chrome บน Linux", "ออกจากระบบเครื่องนี้"},
	} {
		body := page(tc.accept)
		if !strings.Contains(body, `id="amr">`+tc.amr+`<`) || strings.Contains(body, `id="amr">pwd`) {
			t.Errorf("%s: the login method is not %q: %.3000s", tc.accept, tc.amr, body)
		}
		if !strings.Contains(body, `<td class="device">`+tc.device+` <strong>`) {
			t.Errorf("%s: the device is not %q: %.3000s", tc.accept, tc.device, body)
		}
		if bareTime.MatchString(body) {
			t.Errorf("%s: a time without its zone: %q", tc.accept, bareTime.FindString(body))
		}
		if !strings.Contains(body, `<input type="hidden" name="return_to" value="/"><button class="secondary end-session" id="end-current" type="submit">`+tc.logOutHere+`<`) {
			t.Errorf("%s: the current session's button does not say %q or does not lead home: %.3000s", tc.accept, tc.logOutHere, body)
		}
	}
}

// bareTime matches a date and time that no zone follows.
var bareTime = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?(?:$|[^\d: ]|\s[^U]|\sU[^T])`)

// TestRemoveAccounts_CleanStart: the data survive a restart; -reset
// (removeAccounts) starts from an empty database.
func TestRemoveAccounts_CleanStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accounts.db")
	signUp := func() string {
		t.Helper()
		a, err := openAccounts(path)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		id, err := a.signUp(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	if a, b := signUp(), signUp(); a != "acct-1" || b != "acct-2" {
		t.Errorf("sign-ups across a restart: %s then %s, want acct-1 then acct-2", a, b)
	}
	if err := removeAccounts(path); err != nil {
		t.Fatal(err)
	}
	if id := signUp(); id != "acct-1" {
		t.Errorf("after a reset the first sign-up is %s, want acct-1", id)
	}
	if err := removeAccounts(filepath.Join(t.TempDir(), "none.db")); err != nil {
		t.Errorf("resetting a database that is not there: %v", err)
	}
}
