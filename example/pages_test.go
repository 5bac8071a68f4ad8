package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// TestExample_PagesInTheBrowsersLanguage: the home page (before and after
// login) and /me speak the language Accept-Language asks for, with <html
// lang> set; anything else gets English.
func TestExample_PagesInTheBrowsersLanguage(t *testing.T) {
	srv, _, platform := startExample(t, "servemux", nil)
	user := platform.Users()[0]
	for _, tc := range []struct {
		accept, lang                    string
		button, greeting, title, friend string
	}{
		{"en-US,en;q=0.9", "en", "Log in with LINE", "Hello, " + user.DisplayName + "!", "Your LINE profile", "yes"},
		{"ja-JP,ja;q=0.9", "ja", "LINEでログイン", "こんにちは、" + user.DisplayName + "さん", "LINEのプロフィール", "はい"},
		{"zh-TW,zh;q=0.9,en;q=0.5", "zh-TW", "使用 LINE 登入", user.DisplayName + "，您好！", "您的 LINE 個人檔案", "是"},
		{"th-TH", "th", "เข้าสู่ระบบด้วย LINE", "สวัสดี คุณ " + user.DisplayName, "โปรไฟล์ LINE ของคุณ", "ใช่"},
		{"ko-KR,ko;q=0.9", "en", "Log in with LINE", "Hello, " + user.DisplayName + "!", "Your LINE profile", "yes"},
		{"", "en", "Log in with LINE", "Hello, " + user.DisplayName + "!", "Your LINE profile", "yes"},
	} {
		t.Run(tc.accept, func(t *testing.T) {
			jar, _ := cookiejar.New(nil)
			browser := &http.Client{Jar: jar}
			page := func(path string) (*http.Response, string) {
				t.Helper()
				req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
				req.Header.Set("Accept", "text/html")
				if tc.accept != "" {
					req.Header.Set("Accept-Language", tc.accept)
				}
				resp, err := browser.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				return resp, readAll(t, resp)
			}
			checks := func(what, body string, want ...string) {
				t.Helper()
				if !strings.Contains(body, `<html lang="`+tc.lang+`">`) {
					t.Errorf("%s: not <html lang=%q>: %.200s", what, tc.lang, body)
				}
				for _, w := range want {
					if !strings.Contains(body, w) {
						t.Errorf("%s: lacks %q", what, w)
					}
				}
			}
			resp, body := page("/")
			checks("home", body, tc.button+"</a>")
			if resp.Header.Get("Content-Language") != tc.lang {
				t.Errorf("home: Content-Language %q", resp.Header.Get("Content-Language"))
			}
			_, body = page("/me") // logs in through LINE, back to /me
			checks("/me", body, `id="me-title">`+tc.title+`<`, `id="friend">`+tc.friend+`<`)
			_, body = page("/")
			checks("home, logged in", body, `id="greeting">`+tc.greeting+`<`)
		})
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExample_HTMLPagesForbidFraming: every HTML page of the example, on
// every router, signed out and in, forbids framing by any site and keeps
// its URL from other sites (DESIGN §10).
func TestExample_HTMLPagesForbidFraming(t *testing.T) {
	for router := range routers {
		t.Run(router, func(t *testing.T) {
			srv, browser, _ := startExample(t, router, nil)
			check := func(what string, resp *http.Response, wantStatus int) {
				t.Helper()
				if resp.StatusCode != wantStatus || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					t.Fatalf("%s: %d %q, want an HTML page with %d", what, resp.StatusCode, resp.Header.Get("Content-Type"), wantStatus)
				}
				for k, v := range map[string]string{
					"Content-Security-Policy": "frame-ancestors 'none'",
					"X-Frame-Options":         "DENY",
					"Referrer-Policy":         "same-origin",
				} {
					if got := resp.Header.Get(k); got != v {
						t.Errorf("%s: %s %q, want %q", what, k, got, v)
					}
				}
			}
			resp, _ := get(t, browser, srv.URL+"/", "text/html")
			check("home, signed out", resp, http.StatusOK)
			resp, _ = get(t, browser, srv.URL+"/account/login", "text/html")
			check("password form", resp, http.StatusOK)
			form := url.Values{"account_id": {"alice"}, "password": {"wrong"}}
			resp, _ = send(t, browser, http.MethodPost, srv.URL+"/account/login", srv.URL, form, nil)
			check("wrong password", resp, http.StatusUnauthorized)
			resp, _ = get(t, browser, srv.URL+"/me", "text/html") // through LINE and back
			check("/me", resp, http.StatusOK)
			resp, _ = get(t, browser, srv.URL+"/", "text/html")
			check("home, logged in", resp, http.StatusOK)
			signInAccount(t, srv, browser, "alice", "alice-password")
			resp, _ = get(t, browser, srv.URL+"/account", "text/html")
			check("/account", resp, http.StatusOK)
		})
	}
}
