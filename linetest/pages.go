package linetest

import (
	"bytes"
	"html/template"
	"net/http"
)

// Names of the HTML pages the platform renders.
const (
	errorPage    = "error"
	consentPage  = "consent"
	formPostPage = "form_post"
)

// pageStyle is shared by the pages: inline, because the pages load nothing
// from anywhere.
const pageStyle = `<style>
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:#f2f3f5;color:#1e1e1e;line-height:1.45}
main{max-width:420px;margin:40px auto;background:#fff;border-radius:12px;box-shadow:0 2px 14px rgba(0,0,0,.08);overflow:hidden}
header{background:#06c755;color:#fff;padding:18px 24px}
header h1{margin:0;font-size:20px;font-weight:700}
header p{margin:2px 0 0;font-size:13px;opacity:.9}
section{padding:18px 24px 22px}
ul.scopes{margin:6px 0 16px;padding-left:20px}
ul.scopes li{margin:2px 0}
form{margin:0}
button.user{display:flex;align-items:center;gap:12px;width:100%;padding:10px 12px;margin:0 0 8px;border:1px solid #dcdfe3;border-radius:8px;background:#fff;color:inherit;font:inherit;font-size:16px;text-align:left;cursor:pointer}
button.user:hover,button.user:focus{border-color:#06c755;background:#f0fbf4;outline:none}
button.user img,button.user .nopic{width:40px;height:40px;border-radius:50%;flex:none;background:#c8ccd0}
p.friend{margin:0 0 14px;padding:10px 12px;border-radius:8px;background:#f0fbf4}
button#deny{display:block;width:100%;margin-top:8px;padding:10px;border:1px solid #dcdfe3;border-radius:8px;background:#f7f7f8;color:#444;font:inherit;cursor:pointer}
button#deny:hover,button#deny:focus{background:#eceef0;outline:none}
button.primary{display:block;width:100%;padding:10px;border:0;border-radius:8px;background:#06c755;color:#fff;font:inherit;font-weight:700;cursor:pointer}
.note{margin:16px 0 0;font-size:12px;color:#777}
.error{color:#b00020}
</style>`

// pagesSource holds the templates of the pages.
const pagesSource = `
{{define "head"}}<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LINE Login (linetest)</title>
` + pageStyle + `
</head>{{end}}

{{define "error"}}{{template "head" .T}}
<body>
<main>
<header><h1>LINE Login</h1><p>{{.T.Tagline}}</p></header>
<section>
<h2 class="error">{{.Status}} {{.StatusText}}</h2>
<p id="message">{{.Message}}</p>
</section>
</main>
</body>
</html>{{end}}

{{define "consent"}}{{template "head" .T}}
<body>
<main>
<header><h1>LINE Login</h1><p>{{.T.Tagline}}</p></header>
<section>
<p>{{.T.AsksFor}} <strong>{{.ClientHost}}</strong> {{printf .T.ChannelFmt .ChannelID}}</p>
<form method="post" action="{{.Action}}"><input type="hidden" name="request" value="{{.RequestID}}">
<ul class="scopes">{{range .Scopes}}<li>{{.}}</li>{{end}}{{if .Email}}<li><input type="hidden" name="email_asked" value="1"><label><input type="checkbox" id="share-email" name="share_email" value="1" checked> {{.Email}}</label></li>{{end}}</ul>
{{if .BotPrompt}}<p class="friend"><label><input type="checkbox" id="add-friend" name="add_friend" value="1"> {{printf .T.AddFriend .ChannelID}}</label><br><small>{{.T.FriendNote}}</small></p>
{{end}}<p>{{.T.LogInAs}}</p>
{{range .Users}}<button type="submit" class="user" id="user-{{.ID}}" name="user" value="{{.ID}}">{{if .PictureURL}}<img src="{{.PictureURL}}" alt="" width="40" height="40">{{else}}<span class="nopic"></span>{{end}}<span class="name">{{.DisplayName}}</span></button>
{{end}}<button type="submit" id="deny" name="deny" value="1">{{.T.Cancel}}</button></form>
<p class="note">{{.T.Note}}</p>
</section>
</main>
</body>
</html>{{end}}

{{define "form_post"}}{{template "head" .T}}
<body>
<main>
<header><h1>LINE Login</h1><p>{{.T.Tagline}}</p></header>
<section>
<form method="post" action="{{.Action}}" id="response">
{{range .Params}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><p>{{.T.NoScript}}</p></noscript>
<button type="submit" class="primary" id="continue">{{.T.Continue}}</button>
</form>
</section>
</main>
<script>document.forms[0].submit()</script>
</body>
</html>{{end}}
`

// newPages parses the page templates.
func newPages() *template.Template {
	return template.Must(template.New("pages").Parse(pagesSource))
}

// errorPageData fills the error page.
type errorPageData struct {
	T          *pageTexts
	Status     int
	StatusText string
	Message    string
}

// consentPageData fills the consent page.
type consentPageData struct {
	T          *pageTexts // in the user's language
	Action     string
	RequestID  string
	ClientHost string
	ChannelID  string
	Scopes     []string
	Users      []User
	BotPrompt  bool // show the add-friend option
	// Email is the text of the email permission, which the user may
	// untick (LINE's consent screen lets users decline it); "" when the
	// email scope was not asked for.
	Email string
}

// formPostData fills the form_post page.
type formPostData struct {
	T      *pageTexts
	Action string
	Params []param
}

// errorPage answers with an HTML error page, as LINE does when it cannot
// send the user back to the app.
func (p *Platform) errorPage(w http.ResponseWriter, status int, message string) {
	p.renderPage(w, status, errorPage, errorPageData{T: texts["en"], Status: status, StatusText: http.StatusText(status), Message: message})
}

// renderPage answers with the named page.
func (p *Platform) renderPage(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := p.pages.ExecuteTemplate(&buf, name, data); err != nil {
		p.log.Error("linetest: rendering page", "page", name, "err", err)
		http.Error(w, "linetest: cannot render page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
