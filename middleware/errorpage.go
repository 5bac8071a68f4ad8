package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/flow"
)

type returnToKey struct{}

// fail answers a failed login, callback or logout: the OnError hook if
// set, the default page otherwise. The flow, when known, gives the retry
// link its return_to.
func (a *Auth) fail(w http.ResponseWriter, r *http.Request, err error, f *flow.Flow) {
	c := classify(err)
	status := c.status
	level := a.log.Warn
	if status >= 500 {
		level = a.log.Error
	}
	switch {
	case errors.Is(err, ErrConfig):
		// Not an outage and not the user's doing: say so, and what to fix.
		a.log.Error("linelogin: configuration error", "path", r.URL.Path, "status", status, "error", err.Error(),
			"hint", a.configHint(err))
	case errors.Is(err, callback.ErrState) && r.URL.Path == a.callbackPath:
		args := []any{"path", r.URL.Path, "status", status, "error", err.Error()}
		if hint := a.flowCookieHint(r); hint != "" {
			args = append(args, "hint", hint)
		}
		level("linelogin: request failed", args...)
	default:
		level("linelogin: request failed", append([]any{"path", r.URL.Path, "status", status, "error", err.Error()}, lineErrorAttrs(err)...)...)
	}
	if r.URL.Path == a.callbackPath {
		a.metrics.loginFailed(r.Context(), c.reason)
	}
	a.emit(r.Context(), Event{Kind: EventFailure, Reason: c.reason, Err: err})
	if f != nil {
		r = r.WithContext(context.WithValue(r.Context(), returnToKey{}, f.ReturnTo))
	}
	w.Header().Set("Cache-Control", "no-store")
	if a.cfg.Pages.OnError != nil {
		a.cfg.Pages.OnError(w, r, err)
		return
	}
	a.ServeError(w, r, err)
}

// ServeError writes the default error page for err, in the request's
// language (see Auth.Language): a friendly message and, when trying again
// can help a login, a link that starts the login again. For LINE's error
// callback the message is a fixed text for LINE's error code (and the
// code, when it is one LINE documents), never LINE's description: anyone
// can put any sentence in a callback URL on the app's origin. The OnError
// hook gets the description in the *callback.AuthError.
//
// The status follows err's category: 400 for a login to start again (bad
// state, rejected code or response, LINE's error), 401 for an ID token
// that failed verification, 403 for a declined or refused login, a
// cross-site request and a refused connect, 409 for link.ErrAlreadyLinked,
// 502 when LINE is unreachable or broken, 503 when the session or link
// store is, and 500 otherwise.
func (a *Auth) ServeError(w http.ResponseWriter, r *http.Request, err error) {
	msgs, _ := a.languages.forRequest(r)
	c := classify(err)
	page := errorPage{Text: c.text(msgs), Code: c.code}
	if c.retry {
		returnTo, _ := r.Context().Value(returnToKey{}).(string)
		page.Retry = a.cfg.Routes.Login + "?return_to=" + url.QueryEscape(safeReturnTo(returnTo))
	}
	a.renderError(w, r, c.status, page)
}

type errorPage struct {
	Text
	Code     string // one of LINE's documented error codes, or ""
	Retry    string
	Messages *Messages // filled in by renderError
}

// renderError writes page in the request's language. Every HTML page of
// the middleware is written here.
func (a *Auth) renderError(w http.ResponseWriter, r *http.Request, status int, page errorPage) {
	page.Messages, _ = a.languages.forRequest(r)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", page.Messages.Tag.String())
	h.Set("Vary", "Accept-Language")
	setPageHeaders(h)
	w.WriteHeader(status)
	_ = errorTemplate.Execute(w, page)
}

// setPageHeaders sets the headers every HTML page of the middleware sends:
// no site may frame it (a framed "try again" or linking page is a
// clickjacking target; frame-ancestors for current browsers,
// X-Frame-Options for older ones), its URL leaves the origin in no Referer,
// and it is never sniffed as anything but HTML.
func setPageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
}

func writeJSONError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="{{.Messages.Tag}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Text.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f5f6f7;color:#1e1e1e;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:32px 40px;max-width:480px}
h1{font-size:1.4rem;margin:0 0 12px}
p{line-height:1.5}
.code{font-family:ui-monospace,monospace;background:#f0f0f0;border-radius:6px;padding:8px 12px;font-size:.9rem;word-break:break-word}
a.retry{display:inline-block;margin-top:12px;background:#06C755;color:#fff;text-decoration:none;font-weight:bold;border-radius:8px;padding:10px 20px}
a.retry:hover{background:#05b34c}
a.home{margin-left:16px;color:#555}
@media (max-width:600px){main{margin:16px;padding:24px}}
</style></head>
<body><main id="error">
<h1>{{.Text.Title}}</h1>
<p id="message">{{.Text.Message}}</p>
{{if .Code}}<p class="code" id="error-code">{{.Messages.ErrorLabel}}: {{.Code}}</p>{{end}}
{{if .Retry}}<a class="retry" id="retry" href="{{.Retry}}">{{.Messages.TryAgain}}</a>{{end}}<a class="home" id="home" href="/">{{.Messages.Home}}</a>
</main></body></html>
`))
