package linetest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

// TestConsent_SpeaksTheUsersLanguage: the consent page follows ui_locales,
// then the browser's Accept-Language, as LINE's screens do, with <html
// lang> set; anything else is English.
func TestConsent_SpeaksTheUsersLanguage(t *testing.T) {
	s := newServer(t, linetest.Config{})
	cases := []struct {
		uiLocales, acceptLanguage string
		lang, text                string
	}{
		{"", "", "en", "Log in as:"},
		{"", "ja-JP,ja;q=0.9,en;q=0.5", "ja", "ログインするユーザーを選んでください"},
		{"", "zh-TW,zh;q=0.9", "zh-TW", "選擇要登入的使用者"},
		{"", "th-TH", "th", "เลือกผู้ใช้ที่จะเข้าสู่ระบบ"},
		{"", "de-DE,fr;q=0.8", "en", "Log in as:"},
		{"th-TH ja", "ja-JP", "th", "ยกเลิก"},
		{"ja", "", "ja", "キャンセル"},
	}
	for _, tc := range cases {
		params := newLogin("openid profile").params
		if tc.uiLocales != "" {
			params.Set("ui_locales", tc.uiLocales)
		}
		req, _ := http.NewRequest(http.MethodGet, s.AccessURL()+linetest.PathAuthorize+"?"+params.Encode(), nil)
		if tc.acceptLanguage != "" {
			req.Header.Set("Accept-Language", tc.acceptLanguage)
		}
		res, err := noRedirects(s).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, res)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `<html lang="`+tc.lang+`">`) || !strings.Contains(body, tc.text) {
			t.Errorf("ui_locales %q, Accept-Language %q: %d; want lang %s with %q: %.400s", tc.uiLocales, tc.acceptLanguage, res.StatusCode, tc.lang, tc.text, body)
		}
	}
}
