package main

import (
	"encoding/json"
	"html/template"
	"net/http"
	"time"

	"github.com/linelogin/linelogin/middleware"
)

// recentLogin is how recent a LINE authentication /me/security and
// /api/me/security need (DESIGN §4).
const recentLogin = 300 * time.Second

// stepUpRoutes mounts the pages of step-up authentication and of consent
// on demand: /me/security needs a recent LINE authentication, /me/email
// asks LINE for the email scope only when it is visited.
func (a *app) stepUpRoutes(handle func(method, path string, h http.Handler)) {
	recent := a.auth.RequireRecentLogin(recentLogin)
	handle(http.MethodGet, "/me/security", recent(http.HandlerFunc(a.security)))
	handle(http.MethodGet, "/api/me/security", recent(http.HandlerFunc(a.apiSecurity)))
	handle(http.MethodGet, "/me/email", a.auth.RequireScope("email")(http.HandlerFunc(a.email)))
}

// securityData fills the pages of this file; T and Demo are the layout's.
type securityData struct {
	T        *texts
	S        *securityTexts
	Demo     bool
	AuthTime time.Time
	Email    string // "" when the user declined (or LINE has none)
}

// security shows when the user last authenticated with LINE: at most
// recentLogin ago, or RequireRecentLogin would have sent them to LINE.
func (a *app) security(w http.ResponseWriter, r *http.Request) {
	user, _ := middleware.UserFromContext(r.Context())
	t := a.texts(r)
	renderSecurity(w, securityPage, securityData{T: t, S: securityTextsFor(t.Lang), Demo: a.demo, AuthTime: user.AuthTime.UTC()})
}

// apiSecurity answers {"authTime": <unix seconds>}; RequireRecentLogin
// answers an older authentication with RFC 9470's 401.
func (a *app) apiSecurity(w http.ResponseWriter, r *http.Request) {
	user, _ := middleware.UserFromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(struct {
		AuthTime int64 `json:"authTime"`
	}{user.AuthTime.Unix()})
}

// email shows the user's address. RequireScope asked LINE for it once; a
// user who declined gets here without it, and the page says so instead of
// asking again.
func (a *app) email(w http.ResponseWriter, r *http.Request) {
	user, _ := middleware.UserFromContext(r.Context())
	t := a.texts(r)
	data := securityData{T: t, S: securityTextsFor(t.Lang), Demo: a.demo}
	if middleware.ScopeGranted(r.Context(), "email") {
		data.Email = user.Email
	}
	renderSecurity(w, emailPage, data)
}

// renderSecurity writes a page of this file with the headers of every page.
func renderSecurity(w http.ResponseWriter, t *template.Template, data securityData) {
	setPageHeaders(w, data.T.Lang)
	_ = t.Execute(w, data)
}

var securityPage = template.Must(template.Must(template.New("layout").Parse(layout)).New("security").Parse(`{{template "head" .}}
<h1 id="security-title">{{.S.SecurityTitle}}</h1>
<p>{{.S.RecentNote}}</p>
<dl>
<dt>{{.S.AuthenticatedAt}}</dt><dd><time id="auth-time" datetime="{{.AuthTime.Format "2006-01-02T15:04:05Z07:00"}}" data-unix="{{.AuthTime.Unix}}">{{.AuthTime.Format "2006-01-02 15:04:05 UTC"}}</time></dd>
</dl>
<nav><a href="/">{{.T.Home}}</a><a href="/me">{{.T.YourProfile}}</a><a href="/api/me/security">/api/me/security</a></nav>
{{template "foot"}}`))

var emailPage = template.Must(template.Must(template.New("layout").Parse(layout)).New("email").Parse(`{{template "head" .}}
<h1 id="email-title">{{.S.EmailTitle}}</h1>
{{if .Email}}<dl><dt>{{.T.Email}}</dt><dd id="email">{{.Email}}</dd></dl><p>{{.T.NotVerified}}</p>
{{else}}<p id="email-declined">{{.S.EmailDeclined}}</p>
{{end}}
<nav><a href="/">{{.T.Home}}</a><a href="/me">{{.T.YourProfile}}</a></nav>
{{template "foot"}}`))
