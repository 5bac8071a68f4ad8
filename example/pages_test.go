package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
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
