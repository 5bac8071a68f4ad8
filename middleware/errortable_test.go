package middleware_test

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// errorAnswer is what the middleware answers an error with: the default
// page (status, text, LINE's code, a link to log in again) and the metric
// reason.
type errorAnswer struct {
	name   string
	err    error
	status int
	reason middleware.Reason
	text   func(*middleware.Messages) middleware.Text
	code   string // LINE's error code on the page, or none
	retry  bool
}

// errorAnswers covers every row of the error table (and the details some
// rows refine: LINE's error code, the side of a link conflict), and errors
// of no row.
var errorAnswers = []errorAnswer{
	{"a host of no tenant", middleware.ErrUnknownTenant,
		421, middleware.ReasonOther, func(m *middleware.Messages) middleware.Text { return m.UnknownSite }, "", false},
	{"a configuration mistake", fmt.Errorf("%w: LINE refused the channel secret", middleware.ErrConfig),
		500, middleware.ReasonConfig, func(m *middleware.Messages) middleware.Text { return m.Misconfigured }, "", false},
	{"LINE down", &callback.UpstreamError{Op: "token", Status: http.StatusServiceUnavailable},
		502, middleware.ReasonUpstream, func(m *middleware.Messages) middleware.Text { return m.Upstream }, "", true},
	{"no login in progress", callback.ErrState,
		400, middleware.ReasonState, func(m *middleware.Messages) middleware.Text { return m.State }, "", true},
	{"a forged JARM response", fmt.Errorf("%w: bad signature", callback.ErrResponseRejected),
		400, middleware.ReasonResponse, func(m *middleware.Messages) middleware.Text { return m.ResponseRejected }, "", true},
	{"the user declined", &callback.AuthError{Code: "ACCESS_DENIED", Description: attackerSentence},
		403, middleware.ReasonAccessDenied, func(m *middleware.Messages) middleware.Text { return m.Cancelled }, "ACCESS_DENIED", true},
	{"the user declined (v2.0)", &callback.AuthError{Code: "417", V2Code: "417", V2Message: "DISALLOWED"},
		403, middleware.ReasonAccessDenied, func(m *middleware.Messages) middleware.Text { return m.Cancelled }, "ACCESS_DENIED", true},
	{"LINE's server_error", &callback.AuthError{Code: "SERVER_ERROR"},
		502, middleware.ReasonAuthorization, func(m *middleware.Messages) middleware.Text { return m.LINEServerError }, "SERVER_ERROR", true},
	{"LINE's server_error in lower case", &callback.AuthError{Code: "server_error"},
		400, middleware.ReasonAuthorization, func(m *middleware.Messages) middleware.Text { return m.LINEServerError }, "SERVER_ERROR", true},
	{"LINE wants an interaction", &callback.AuthError{Code: "INTERACTION_REQUIRED"},
		400, middleware.ReasonAuthorization, func(m *middleware.Messages) middleware.Text { return m.InteractionRequired }, "INTERACTION_REQUIRED", true},
	{"LINE refused the request", &callback.AuthError{Code: "invalid_scope"},
		400, middleware.ReasonAuthorization, func(m *middleware.Messages) middleware.Text { return m.LoginRequestRefused }, "INVALID_SCOPE", true},
	{"a code LINE does not document", &callback.AuthError{Code: "<b>NOT_A_CODE</b>", Description: attackerSentence},
		400, middleware.ReasonAuthorization, func(m *middleware.Messages) middleware.Text { return m.LINEError }, "", true},
	{"a refused code", &callback.UpstreamError{Op: "token", Status: http.StatusBadRequest, Code: "invalid_grant"},
		400, middleware.ReasonCodeRejected, func(m *middleware.Messages) middleware.Text { return m.CodeRejected }, "", true},
	{"a refused ID token", &callback.TokenError{Kind: "ID token", Reason: "nonce does not match"},
		401, middleware.ReasonIDToken, func(m *middleware.Messages) middleware.Text { return m.InvalidToken }, "", true},
	{"OnLogin's refusal", fmt.Errorf("%w: %w", middleware.ErrLoginRejected, errors.New("banned")),
		403, middleware.ReasonRejected, func(m *middleware.Messages) middleware.Text { return m.Rejected }, "", true},
	{"the session store down", fmt.Errorf("%w: save: i/o timeout", session.ErrStoreUnavailable),
		503, middleware.ReasonSessionStore, func(m *middleware.Messages) middleware.Text { return m.StoreUnavailable }, "", true},
	{"a cross-site POST", middleware.ErrCrossSiteRequest,
		403, middleware.ReasonCrossSite, func(m *middleware.Messages) middleware.Text { return m.CrossSite }, "", false},
	{"a connect signed out", middleware.ErrNotSignedIn,
		403, middleware.ReasonLink, func(m *middleware.Messages) middleware.Text { return m.NotSignedIn }, "", false},
	{"a session changed during a connect", middleware.ErrConnectSessionChanged,
		403, middleware.ReasonLink, func(m *middleware.Messages) middleware.Text { return m.ConnectSessionChanged }, "", false},
	{"an unlink the app refused", fmt.Errorf("%w: only way in", middleware.ErrUnlinkRefused),
		409, middleware.ReasonLink, func(m *middleware.Messages) middleware.Text { return m.UnlinkRefused }, "", false},
	{"a LINE user linked elsewhere", &link.ConflictError{LINEUser: true},
		409, middleware.ReasonLink, func(m *middleware.Messages) middleware.Text { return m.LINEUserLinked }, "", false},
	{"both linked elsewhere", &link.ConflictError{LINEUser: true, Account: true},
		409, middleware.ReasonLink, func(m *middleware.Messages) middleware.Text { return m.LINEUserLinked }, "", false},
	{"an account linked elsewhere", &link.ConflictError{Account: true},
		409, middleware.ReasonLink, func(m *middleware.Messages) middleware.Text { return m.AccountLinked }, "", false},
	{"a store's own conflict", fmt.Errorf("link: %w", link.ErrAlreadyLinked),
		409, middleware.ReasonLink, func(m *middleware.Messages) middleware.Text { return m.LINEUserLinked }, "", false},
	{"the link store down", fmt.Errorf("%w: database is locked", link.ErrUnavailable),
		503, middleware.ReasonLink, func(m *middleware.Messages) middleware.Text { return m.LinkUnavailable }, "", false},
	{"a refused proof (the link API's only)", fmt.Errorf("%w: expired", link.ErrProofRefused),
		500, middleware.ReasonOther, func(m *middleware.Messages) middleware.Text { return m.Other }, "", true},
	{"an invalid ID (the link API's only)", link.ErrInvalidID,
		500, middleware.ReasonOther, func(m *middleware.Messages) middleware.Text { return m.Other }, "", true},
	{"a refused refresh token (no row)", callback.ErrRefreshRejected,
		500, middleware.ReasonOther, func(m *middleware.Messages) middleware.Text { return m.Other }, "", true},
	{"anything else (no row)", errors.New("something else"),
		500, middleware.ReasonOther, func(m *middleware.Messages) middleware.Text { return m.Other }, "", true},
}

// TestErrorTable_RowsAreExclusive: each row's sentinel matches its own row
// and no other, is one of the module's categories, and has a case in
// errorAnswers; every case matches at most one row. So the answer never
// depends on the order of the rows.
func TestErrorTable_RowsAreExclusive(t *testing.T) {
	rows := middleware.ErrorTableSentinels()
	matching := func(err error) (n int) {
		for _, s := range rows {
			if errors.Is(err, s) {
				n++
			}
		}
		return n
	}
	for i, s := range rows {
		if n := matching(s); n != 1 {
			t.Errorf("row %d (%v) matches %d rows, want 1", i, s, n)
		}
		known := false
		for _, c := range sentinels {
			known = known || c == s
		}
		if !known {
			t.Errorf("row %d (%v) is not a category of errors_test.go's sentinels", i, s)
		}
		covered := false
		for _, a := range errorAnswers {
			covered = covered || errors.Is(a.err, s)
		}
		if !covered {
			t.Errorf("row %d (%v) has no case in errorAnswers", i, s)
		}
	}
	for _, a := range errorAnswers {
		if n := matching(a.err); n > 1 {
			t.Errorf("%s matches %d rows", a.name, n)
		}
	}
}

// TestErrorTable_EachRowOverHTTP: for each category, the page ServeError
// serves over HTTP in each built-in language (status, html lang, title,
// message, LINE's code, a link to log in again or none, never LINE's
// description), and the metric reason of the same error.
func TestErrorTable_EachRowOverHTTP(t *testing.T) {
	app := newTestApp(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, _ := strconv.Atoi(r.URL.Query().Get("case"))
		app.auth.ServeError(w, r, fmt.Errorf("wrapped: %w", errorAnswers[i].err))
	}))
	t.Cleanup(srv.Close)
	langs := middleware.DefaultMessages()
	if len(langs) != 4 {
		t.Fatalf("%d built-in languages, want 4", len(langs))
	}
	for i, want := range errorAnswers {
		if got := middleware.ReasonOf(fmt.Errorf("wrapped: %w", want.err)); got != want.reason {
			t.Errorf("%s: reason %s, want %s", want.name, got, want.reason)
		}
		for _, m := range langs {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/?case="+strconv.Itoa(i), nil)
			req.Header.Set("Accept-Language", m.Tag.String())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body, name := string(b), want.name+" in "+m.Tag.String()
			if i := strings.Index(body, "<body>"); i >= 0 {
				body = body[i:] // the page without its style sheet, for the messages below
			}
			if resp.StatusCode != want.status {
				t.Errorf("%s: status %d, want %d", name, resp.StatusCode, want.status)
			}
			text := want.text(&m)
			for _, s := range []string{
				"<h1>" + html.EscapeString(text.Title) + "</h1>",
				`<p id="message">` + html.EscapeString(text.Message) + "</p>",
			} {
				if !strings.Contains(body, s) {
					t.Errorf("%s: page lacks %s:\n%s", name, s, body)
				}
			}
			if !strings.Contains(string(b), `<html lang="`+m.Tag.String()+`">`) {
				t.Errorf("%s: page not in html lang %s", name, m.Tag)
			}
			if got := resp.Header.Get("Content-Language"); got != m.Tag.String() {
				t.Errorf("%s: Content-Language %q", name, got)
			}
			if codeLine := html.EscapeString(m.ErrorLabel) + ": " + want.code + "</p>"; want.code != "" && !strings.Contains(body, codeLine) {
				t.Errorf("%s: page lacks LINE's code %q:\n%s", name, want.code, body)
			} else if want.code == "" && strings.Contains(body, `id="error-code"`) {
				t.Errorf("%s: page names a code:\n%s", name, body)
			}
			if got := strings.Contains(body, `id="retry" href="/login?return_to=`); got != want.retry {
				t.Errorf("%s: link to log in again %v, want %v", name, got, want.retry)
			}
			if strings.Contains(body, attackerSentence) || strings.Contains(body, "NOT_A_CODE") {
				t.Errorf("%s: page shows LINE's description or unknown code", name)
			}
		}
	}
}
