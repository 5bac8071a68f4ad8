package main

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"golang.org/x/text/language"

	"github.com/linelogin/linelogin/middleware"
)

type pageData struct {
	User      *middleware.User
	AccountID string
	Friend    string // "yes", "no" or "unknown"
	Demo      bool
	// Shop names the tenant whose home page this is (the demo's shops).
	Shop string
	// Sessions are the user's sessions, with Redis sessions only.
	Sessions []middleware.UserSession
	// T is the page's language (see app.texts); English when nil.
	T *texts
}

func render(w http.ResponseWriter, t *template.Template, data pageData) {
	if data.T == nil {
		data.T = textsFor(language.English)
	}
	setPageHeaders(w, data.T.Lang)
	_ = t.Execute(w, data)
}

// setPageHeaders sets the headers of every HTML page of the example: its
// language, no caching, and no framing by another site (clickjacking) nor
// the page's URL leaked to one (DESIGN §10).
func setPageHeaders(w http.ResponseWriter, lang string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	h.Set("Vary", "Accept-Language")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
}

// The pages use no external assets: styles and the LINE logo are inline.
// The login button follows LINE's button guidelines: base color #06C755,
// white logo and text, a darker shade on hover.
const layout = `{{define "head"}}<!doctype html>
<html lang="{{.T.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>linelogin example</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f5f6f7;color:#1e1e1e;margin:0}
header{background:#fff;border-bottom:1px solid #e5e5e5;padding:14px 24px;font-weight:bold}
main{max-width:600px;margin:48px auto;box-sizing:border-box;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:32px 40px}
h1{font-size:1.5rem;margin-top:0}
.line-btn{display:inline-flex;align-items:center;gap:10px;background:#06C755;color:#fff;border:0;border-radius:8px;padding:0 24px 0 12px;height:44px;font-weight:bold;font-size:1rem;text-decoration:none;cursor:pointer}
.line-btn:hover{background:#05b34c}.line-btn:active{background:#049c42}
.line-btn svg{width:30px;height:30px}
.secondary{background:#fff;color:#1e1e1e;border:1px solid #ccc;border-radius:8px;padding:8px 18px;font-size:.95rem;cursor:pointer}
.profile{display:flex;gap:20px;align-items:center;margin:20px 0}
.avatar{border-radius:50%;object-fit:cover;background:#e4e6e8;flex:none;display:inline-flex;align-items:center;justify-content:center;overflow:hidden}
.avatar svg{width:62%;height:62%;fill:#a4a9ae}
.profile .avatar{width:96px;height:96px}
.line-profile{display:inline-flex;align-items:center;gap:10px}
.line-profile .avatar{width:40px;height:40px}
button{white-space:nowrap}
:lang(ja) :is(button,th,h1,h2,nav,label,td.device),:lang(zh-TW) :is(button,th,h1,h2,nav,label,td.device){word-break:keep-all;line-break:strict}
input[type=password],input[name=account_id]{box-sizing:border-box;width:100%;max-width:320px;margin-top:4px;padding:9px 12px;font-size:1rem;border:1px solid #ccc;border-radius:8px;background:#fff}
input:focus{outline:2px solid #06C755;outline-offset:1px;border-color:#06C755}
.error{color:#c62828}.notice{color:#1b5e20;background:#e8f5e9;border-radius:8px;padding:10px 14px}
.hint{color:#555;font-size:.9rem}
h2.section{font-size:1.1rem;margin-top:28px}
table.sessions td,table.sessions th{padding:6px 8px 6px 0;vertical-align:middle}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;font-size:.95rem;align-items:center}
dt{color:#666}dd{margin:0;word-break:break-all}
.demo{background:#fff8e1;border:1px solid #ffe082;border-radius:8px;padding:10px 14px;font-size:.9rem}
nav a{margin-right:16px;color:#06a14a}
@media (max-width:600px){main{margin:16px;padding:24px}
table.sessions tr:first-child{display:none}
table.sessions,table.sessions tbody,table.sessions tr,table.sessions td{display:block}
table.sessions tr.session{border-top:1px solid #eee;padding:8px 0}
table.sessions td[data-label]::before{content:attr(data-label) "\FF1A";color:#666}
table.sessions:lang(en) td[data-label]::before,table.sessions:lang(th) td[data-label]::before{content:attr(data-label) ": "}}
</style>
<script>
// After logout, Back must not show a logged-in page from the browser's
// back/forward cache: reload it, so the server decides.
addEventListener("pageshow", function (e) { if (e.persisted) location.reload(); });
</script></head><body><header>linelogin example</header><main>
{{if .Demo}}<p class="demo" id="demo-note">{{.T.DemoNote}}</p>{{end}}
{{end}}
{{define "logo"}}<svg viewBox="0 0 40 40" aria-hidden="true"><path fill="#fff" d="M20 7C11.7 7 5 12.4 5 19.1c0 6 5.3 11 12.5 11.9.5.1 1.1.3 1.3.7.2.4.1.9.1 1.3l-.2 1.3c-.1.4-.3 1.5 1.3.8 1.6-.7 8.7-5.1 11.9-8.8 2.2-2.4 3.2-4.8 3.2-7.3C35 12.4 28.3 7 20 7z"/><path fill="#06C755" d="M13.5 22.4h-3a.8.8 0 0 1-.8-.8v-6a.8.8 0 0 1 1.6 0v5.2h2.2a.8.8 0 0 1 0 1.6zm3.1-.8a.8.8 0 0 1-1.6 0v-6a.8.8 0 0 1 1.6 0v6zm7.2 0a.8.8 0 0 1-1.4.5l-3.1-4.2v3.7a.8.8 0 0 1-1.6 0v-6a.8.8 0 0 1 1.4-.5l3.1 4.2v-3.7a.8.8 0 0 1 1.6 0v6zm4.8-3.8a.8.8 0 0 1 0 1.6h-2.2v1.4h2.2a.8.8 0 0 1 0 1.6h-3a.8.8 0 0 1-.8-.8v-6c0-.4.4-.8.8-.8h3a.8.8 0 0 1 0 1.6h-2.2v1.4h2.2z"/></svg>{{end}}
{{define "avatar"}}{{if .PictureURL}}<img class="avatar" id="picture" src="{{.PictureURL}}" alt="{{.DisplayName}}">{{else}}<span class="avatar" id="picture-placeholder" role="img" aria-label="{{.DisplayName}}"><svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="8" r="4.5"/><path d="M3 22c0-5 4-8.5 9-8.5s9 3.5 9 8.5z"/></svg></span>{{end}}{{end}}
{{define "foot"}}</main></body></html>{{end}}`

var homePage = template.Must(template.Must(template.New("layout").Parse(layout)).New("home").Parse(`{{template "head" .}}
{{if .Shop}}<p class="shop" id="shop">{{.Shop}}</p>{{end}}
{{if .User}}
<h1 id="greeting">{{printf .T.Hello .User.DisplayName}}</h1>
<nav><a href="/me" id="me-link">{{.T.YourProfile}}</a><a href="/account" id="account-link">{{.T.YourAccount}}</a><a href="/api/me">/api/me</a></nav>
<form method="post" action="/logout" style="margin-top:20px"><button class="secondary" id="logout" type="submit">{{.T.LogOut}}</button></form>
{{else}}
<h1 id="welcome">{{.T.Welcome}}</h1>
<p>{{.T.LoginPrompt}}</p>
<a class="line-btn" id="login" href="/login?return_to=%2Fme">{{template "logo"}}{{.T.LoginButton}}</a>
<p>{{.T.MemberPrompt}} <a href="/account/login" id="account-login-link">{{.T.MemberSignIn}}</a></p>
{{end}}
{{template "foot"}}`))

var mePage = template.Must(template.Must(template.Must(template.New("layout").Parse(layout)).Parse(sessionsSection)).New("me").Parse(`{{template "head" .}}
<h1 id="me-title">{{.T.MeTitle}}</h1>
<div class="profile">
{{template "avatar" .User}}
<div><div id="name" style="font-size:1.3rem;font-weight:bold">{{.User.DisplayName}}</div></div>
</div>
<dl>
<dt>{{.T.UserID}}</dt><dd id="user-id">{{.User.ID}}</dd>
{{if .User.Email}}<dt>{{.T.Email}}</dt><dd id="email">{{.User.Email}} {{.T.NotVerified}}</dd>{{end}}
{{if .AccountID}}<dt>{{.T.AccountHere}}</dt><dd id="account-id">{{.AccountID}}</dd>{{end}}
<dt>{{.T.Friend}}</dt><dd id="friend">{{if eq .Friend "yes"}}{{.T.Yes}}{{else if eq .Friend "no"}}{{.T.No}}{{else}}{{.T.Unknown}}{{end}}</dd>
{{if .User.AMR}}<dt>{{.T.LoggedInVia}}</dt><dd id="amr">{{range $i, $m := .User.AMR}}{{if $i}}{{$.T.ListSep}}{{end}}{{$.T.AMRLabel $m}}{{end}}</dd>{{end}}
</dl>
{{template "sessions" .}}
<nav><a href="/">{{.T.Home}}</a><a href="/api/me">/api/me</a></nav>
<form method="post" action="/logout" style="margin-top:20px"><button class="secondary" id="logout" type="submit">{{.T.LogOut}}</button></form>
{{template "foot"}}`))

// AMRLabel names an authentication method of LINE's amr claim as a person
// says it; a code LINE adds later shows as it is.
func (t *texts) AMRLabel(code string) string {
	if l, ok := t.AMR[code]; ok {
		return l
	}
	return code
}

// DeviceLabel puts a device hint of the middleware ("Chrome on Linux", in
// English) in t's language; the names of browsers and systems stay.
func (t *texts) DeviceLabel(hint string) string {
	if hint == "" {
		return t.UnknownDevice
	}
	browser, system, ok := strings.Cut(hint, " on ")
	if !ok {
		return hint
	}
	return fmt.Sprintf(t.DeviceOn, browser, system)
}
