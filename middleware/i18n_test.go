package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// pageIn is what a page must show in one language.
type pageIn struct {
	lang     string // <html lang>
	accept   string // an Accept-Language header asking for it
	state    string // the state error's title
	cancel   string // the cancelled login's title
	config   string // the misconfigured site's title
	logout   string // the refused cross-site logout's title
	down     string // the 503 page's title
	tryAgain string // the retry button
}

var languagePages = []pageIn{
	{"en", "en-US,en;q=0.9", "Please try again", "Login cancelled", "This site is misconfigured", "Request refused", "Temporarily unavailable", "Try again"},
	{"ja", "ja-JP,ja;q=0.9,en;q=0.8", "もう一度お試しください", "ログインがキャンセルされました", "サイトの設定に問題があります", "リクエストを受け付けられません", "一時的にご利用いただけません", "もう一度ログイン"},
	{"zh-TW", "zh-TW,zh;q=0.9", "請再試一次", "已取消登入", "本網站設定有誤", "無法處理此要求", "暫時無法使用", "重新登入"},
	{"th", "th-TH,th;q=0.9", "กรุณาลองอีกครั้ง", "ยกเลิกการเข้าสู่ระบบแล้ว", "เว็บไซต์นี้ตั้งค่าไม่ถูกต้อง", "ไม่สามารถดำเนินการได้", "ไม่สามารถใช้งานได้ชั่วคราว", "ลองอีกครั้ง"},
}

// checkPage checks that body is a page in lang with the title want.
func checkPage(t *testing.T, what string, resp *http.Response, body, lang, want string) {
	t.Helper()
	if !strings.Contains(body, `<html lang="`+lang+`">`) {
		t.Errorf("%s: not <html lang=%q>: %.200s", what, lang, body)
	}
	if !strings.Contains(body, "<h1>"+want+"</h1>") || !strings.Contains(body, "<title>"+want+"</title>") {
		t.Errorf("%s: title is not %q: %.600s", what, want, body)
	}
	if got := resp.Header.Get("Content-Language"); got != lang {
		t.Errorf("%s: Content-Language %q, want %q", what, got, lang)
	}
}

// TestErrorPages_InTheBrowsersLanguage: every error page speaks the
// language Accept-Language asks for, with <html lang> set.
func TestErrorPages_InTheBrowsersLanguage(t *testing.T) {
	store := &flakyStore{}
	app := newTestApp(t, withStore(store))
	misconfigured := newTestApp(t, func(c *middleware.Config) { c.LINE.ChannelSecret = strings.Repeat("w", 32) })
	sessionBrowser := app.browser()
	sessionBrowser.mustLogin()
	for _, p := range languagePages {
		t.Run(p.lang, func(t *testing.T) {
			h := http.Header{"Accept-Language": {p.accept}}
			b := app.browser()

			resp := b.do(http.MethodGet, app.url("/callback?code=x&state="+strings.Repeat("c", 32)), h, nil)
			body := readBody(t, resp)
			checkPage(t, "state error", resp, body, p.lang, p.state)
			if !strings.Contains(body, `id="retry" href="/login?return_to=%2F">`+p.tryAgain+`</a>`) {
				t.Errorf("state error: no %q button: %.800s", p.tryAgain, body)
			}

			app.platform.SetAuthorizeError("ACCESS_DENIED", "The user has denied the request")
			resp = b.do(http.MethodGet, b.authorize(b.startLogin("")).String(), h, nil)
			app.platform.SetAuthorizeError("", "")
			body = readBody(t, resp)
			checkPage(t, "cancelled", resp, body, p.lang, p.cancel)
			if !strings.Contains(body, "ACCESS_DENIED") {
				t.Errorf("cancelled: LINE's code is not shown: %.800s", body)
			}

			mb := misconfigured.browser()
			resp = mb.do(http.MethodGet, mb.authorize(mb.startLogin("")).String(), h, nil)
			checkPage(t, "misconfigured", resp, readBody(t, resp), p.lang, p.config)

			resp = b.do(http.MethodPost, app.url("/logout"), http.Header{"Accept-Language": {p.accept}, "Origin": {"https://evil.example"}}, nil)
			checkPage(t, "cross-site logout", resp, readBody(t, resp), p.lang, p.logout)

			store.down.Store(true)
			resp = sessionBrowser.do(http.MethodGet, app.url("/me"), h, nil)
			store.down.Store(false)
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("store down: %d", resp.StatusCode)
			}
			checkPage(t, "store down", resp, readBody(t, resp), p.lang, p.down)
		})
	}
}

// TestErrorPages_FallBackToEnglish: a language the middleware does not
// have, or none, gets English; the best supported one in the list wins.
func TestErrorPages_FallBackToEnglish(t *testing.T) {
	app := newTestApp(t)
	for accept, lang := range map[string]string{
		"":                   "en",
		"ko-KR,ko;q=0.9":     "en",
		"*":                  "en",
		"fr-FR, ja;q=0.5":    "ja",
		"zh-HK":              "zh-TW",
		"th;q=0.2, en;q=0.9": "en",
		strings.Repeat("x-private-", 100) + ",ja": "en", // overlong: only its start is read
	} {
		resp := app.browser().do(http.MethodGet, app.url("/callback?state=bad"), http.Header{"Accept-Language": {accept}}, nil)
		body := readBody(t, resp)
		if !strings.Contains(body, `<html lang="`+lang+`">`) {
			t.Errorf("Accept-Language %.40q: want lang %s: %.120s", accept, lang, body)
		}
	}
}

// TestErrorPages_AppOverridesTextsAndChoice: Config.Pages.Messages rewords a
// page (the rest keeps the built-in text) and adds a language;
// Config.Language chooses instead of Accept-Language.
func TestErrorPages_AppOverridesTextsAndChoice(t *testing.T) {
	korean := language.Korean
	app := newTestApp(t, func(c *middleware.Config) {
		c.Pages.Messages = []middleware.Messages{
			{Tag: language.Japanese, State: middleware.Text{Title: "お手数ですが、もう一度お願いします"}},
			{Tag: korean, State: middleware.Text{Title: "다시 시도해 주세요", Message: "로그인을 완료할 수 없습니다."}, TryAgain: "다시 시도"},
		}
		c.Pages.Language = func(r *http.Request) language.Tag {
			if c, err := r.Cookie("lang"); err == nil {
				t, _ := language.Parse(c.Value)
				return t
			}
			return language.Und
		}
	})
	get := func(accept, cookie string) string {
		h := http.Header{"Accept-Language": {accept}}
		if cookie != "" {
			h.Set("Cookie", "lang="+cookie)
		}
		return readBody(t, app.browser().do(http.MethodGet, app.url("/callback?state=bad"), h, nil))
	}
	body := get("ja", "")
	if !strings.Contains(body, "<h1>お手数ですが、もう一度お願いします</h1>") || !strings.Contains(body, "有効期限が切れた") || !strings.Contains(body, ">もう一度ログイン<") {
		t.Errorf("reworded Japanese title, built-in message and button: %.800s", body)
	}
	body = get("ko", "")
	if !strings.Contains(body, `<html lang="ko">`) || !strings.Contains(body, "<h1>다시 시도해 주세요</h1>") || !strings.Contains(body, ">다시 시도<") || !strings.Contains(body, ">Home<") {
		t.Errorf("added Korean (Home left English): %.800s", body)
	}
	if body := get("ja", "th"); !strings.Contains(body, `<html lang="th">`) {
		t.Errorf("Config.Language's choice (th) loses to Accept-Language: %.200s", body)
	}
	if _, err := middleware.New(func() middleware.Config {
		c := app.cfg
		c.Pages.Messages = []middleware.Messages{{State: middleware.Text{Title: "x"}}}
		return c
	}()); !errors.Is(err, middleware.ErrConfig) {
		t.Errorf("Messages without a Tag: %v, want ErrConfig", err)
	}
	if got := app.auth.Language(&http.Request{Header: http.Header{"Accept-Language": {"zh-TW"}}}); got.String() != "zh-TW" {
		t.Errorf("Language = %s", got)
	}
}

// TestLogin_SendsTheLanguageAsUILocales: with SendUILocales, LINE gets the
// page's language as ui_locales; without a match, or without the flag,
// LINE decides (or gets the configured UILocales).
func TestLogin_SendsTheLanguageAsUILocales(t *testing.T) {
	uiLocales := func(app *testApp, accept string) string {
		t.Helper()
		b := app.browser()
		resp := b.do(http.MethodGet, app.url("/login"), http.Header{"Accept-Language": {accept}}, nil)
		loc, err := resp.Location()
		if err != nil {
			t.Fatalf("/login: %d %v", resp.StatusCode, err)
		}
		if !loc.Query().Has("ui_locales") {
			return "(none)"
		}
		return loc.Query().Get("ui_locales")
	}
	on := newTestApp(t, func(c *middleware.Config) { c.Pages.SendUILocales = true })
	for accept, want := range map[string]string{"ja-JP": "ja", "zh-TW": "zh-TW", "th": "th", "en-GB": "en", "ko": "(none)", "": "(none)"} {
		if got := uiLocales(on, accept); got != want {
			t.Errorf("SendUILocales, Accept-Language %q: ui_locales %s, want %s", accept, got, want)
		}
	}
	off := newTestApp(t, func(c *middleware.Config) { c.LINE.UILocales = "en-US" })
	if got := uiLocales(off, "ja"); got != "en-US" {
		t.Errorf("without SendUILocales: ui_locales %s, want the configured en-US", got)
	}
	// linetest takes the parameter, as LINE does: the login completes.
	on.platform.SetAutoApprove(on.user.ID)
	b := on.browser()
	resp := b.do(http.MethodGet, on.url("/login"), http.Header{"Accept-Language": {"th"}}, nil)
	loc, _ := resp.Location()
	if resp := b.get(b.authorize(loc).String()); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login with ui_locales=th: %d", resp.StatusCode)
	}
	if n := on.platform.Count(linetest.PathToken); n != 1 {
		t.Errorf("token calls: %d", n)
	}
}

// flakyStore is an in-memory session.Store that can be switched off.
type flakyStore struct {
	down atomic.Bool
	mu   sync.Mutex
	m    map[string][]byte
	n    int
}

var errStoreDown = errors.New("store down")

func (s *flakyStore) Save(_ context.Context, _ string, payload []byte, _ time.Time) ([]byte, error) {
	if s.down.Load() {
		return nil, errStoreDown
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.n++
	ref := []byte(strings.Repeat("r", 16) + string(rune('a'+s.n%26)))
	s.m[string(ref)] = payload
	return ref, nil
}

func (s *flakyStore) Load(_ context.Context, ref []byte) ([]byte, error) {
	if s.down.Load() {
		return nil, errStoreDown
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.m[string(ref)]
	if !ok {
		return nil, session.ErrNotFound
	}
	return p, nil
}

func (s *flakyStore) Delete(_ context.Context, ref []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, string(ref))
	return nil
}
