package middleware_test

import (
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/language"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

// attackerSentence is what anyone can write into a callback URL on the
// app's origin, hoping the app shows it as LINE's word.
const attackerSentence = "Your LINE account is locked. Call +1-555-0100"

// hookedApp is newTestApp whose OnError hook records each error, then
// serves the default page.
func hookedApp(t *testing.T) (*testApp, func() []error) {
	var (
		mu     sync.Mutex
		hooked []error
		app    *testApp
	)
	app = newTestApp(t, func(c *middleware.Config) {
		c.Pages.OnError = func(w http.ResponseWriter, r *http.Request, err error) {
			mu.Lock()
			hooked = append(hooked, err)
			mu.Unlock()
			app.auth.ServeError(w, r, err)
		}
	})
	return app, func() []error {
		mu.Lock()
		defer mu.Unlock()
		return append([]error(nil), hooked...)
	}
}

// TestCallback_LINEErrorForNoLoginGetsTryAgain: an error callback whose
// state matches no login in progress (none at all, an unknown one, or
// another browser's) is anybody's URL: the generic "try again" page (400),
// whatever it says, never its sentence, and the token endpoint untouched.
func TestCallback_LINEErrorForNoLoginGetsTryAgain(t *testing.T) {
	app, hooked := hookedApp(t)
	other := app.browser()
	othersState := other.authorize(other.startLogin("")).Query().Get("state")
	for name, state := range map[string]string{
		"no state":          "",
		"unknown state":     strings.Repeat("ab", 16),
		"another's browser": othersState,
	} {
		t.Run(name, func(t *testing.T) {
			before := len(hooked())
			b := app.browser()
			q := url.Values{"error": {"SERVER_ERROR"}, "error_description": {attackerSentence}}
			if state != "" {
				q.Set("state", state)
			}
			resp := b.get(app.url("/callback?" + q.Encode()))
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Please try again") || !strings.Contains(body, `id="retry"`) {
				t.Errorf("status %d, want 400 and the try-again page: %.600s", resp.StatusCode, body)
			}
			if strings.Contains(body, "locked") || strings.Contains(body, "555-0100") || strings.Contains(body, "SERVER_ERROR") ||
				strings.Contains(body, "LINE could not log you in") || strings.Contains(body, "LINE had a problem") {
				t.Errorf("the page repeats the URL's claim: %.800s", body)
			}
			h := hooked()
			if len(h) != before+1 || !errors.Is(h[before], callback.ErrState) || errors.Is(h[before], callback.ErrAuthorization) {
				t.Errorf("hook saw %v, want the state error only", h[before:])
			}
		})
	}
	if n := app.platform.Count(linetest.PathToken); n != 0 {
		t.Errorf("the token endpoint was called %d times", n)
	}
	if logs := app.logs.String(); !strings.Contains(logs, `line_error_description="`+attackerSentence+`"`) {
		t.Errorf("the log lacks LINE's description, quoted: %s", logs)
	}
}

// TestCallback_LINEErrorGetsTheAppsTextForItsCode: LINE's error for a
// login in progress gets the app's fixed text for the code, in the
// request's language, never LINE's description; the hook sees the code
// and the description.
func TestCallback_LINEErrorGetsTheAppsTextForItsCode(t *testing.T) {
	app, hooked := hookedApp(t)
	msgs := map[string]middleware.Messages{}
	for _, m := range middleware.DefaultMessages() {
		msgs[m.Tag.String()] = m
	}
	for _, tc := range []struct {
		code   string
		status int
		text   func(middleware.Messages) middleware.Text
	}{
		{"ACCESS_DENIED", http.StatusForbidden, func(m middleware.Messages) middleware.Text { return m.Cancelled }},
		{"INTERACTION_REQUIRED", http.StatusBadRequest, func(m middleware.Messages) middleware.Text { return m.InteractionRequired }},
		{"SERVER_ERROR", http.StatusBadGateway, func(m middleware.Messages) middleware.Text { return m.LINEServerError }},
		{"invalid_request", http.StatusBadRequest, func(m middleware.Messages) middleware.Text { return m.LoginRequestRefused }},
		{"INVALID_SCOPE", http.StatusBadRequest, func(m middleware.Messages) middleware.Text { return m.LoginRequestRefused }},
		{"SOMETHING_NEW", http.StatusBadRequest, func(m middleware.Messages) middleware.Text { return m.LINEError }},
	} {
		for _, lang := range []string{"en", "ja", "zh-TW", "th"} {
			t.Run(tc.code+"/"+lang, func(t *testing.T) {
				m, ok := msgs[language.Make(lang).String()]
				if !ok {
					t.Fatalf("no built-in messages for %s", lang)
				}
				b := app.browser()
				cb := b.authorize(b.startLogin(""))
				cb.RawQuery = url.Values{"state": {cb.Query().Get("state")}, "error": {tc.code}, "error_description": {attackerSentence}}.Encode()
				before := len(hooked())
				resp := b.do(http.MethodGet, cb.String(), http.Header{"Accept-Language": {lang}}, nil)
				body := readBody(t, resp)
				want := tc.text(m)
				if resp.StatusCode != tc.status || want.Title == "" ||
					!strings.Contains(body, html.EscapeString(want.Title)) || !strings.Contains(body, html.EscapeString(want.Message)) {
					t.Errorf("status %d (want %d), want the text %q: %.800s", resp.StatusCode, tc.status, want.Title, body)
				}
				if !strings.Contains(body, `<html lang="`+lang+`"`) {
					t.Errorf("page not in %s: %.200s", lang, body)
				}
				if strings.Contains(body, "locked") || strings.Contains(body, "555-0100") {
					t.Errorf("the page shows LINE's description: %.800s", body)
				}
				var authErr *callback.AuthError
				h := hooked()
				if len(h) != before+1 || !errors.As(h[before], &authErr) || authErr.Code != tc.code || authErr.Description != attackerSentence {
					t.Errorf("hook saw %v, want the AuthError with code and description", h[before:])
				}
			})
		}
	}
}
