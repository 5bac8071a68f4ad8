package main

import (
	"errors"
	"net/http"

	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// endSessionPath ends one of the user's sessions, or all but the current
// one: a same-origin POST from /me (Auth.Sessions().EndHandler).
const endSessionPath = "/me/sessions/end"

// sessions returns the user's sessions for /me, or nil when the store
// cannot list them (the cookie store) or cannot be reached right now: the
// rest of the page still shows.
func (a *app) sessions(r *http.Request) []middleware.UserSession {
	list, err := a.auth.Sessions().List(r)
	if err != nil {
		if !errors.Is(err, session.ErrListingUnsupported) {
			a.log.Warn("listing the user's sessions failed", "error", err)
		}
		return nil
	}
	return list
}

// sessionsSection lists the user's sessions on /me, each with an "End"
// button, and one to end all the others.
const sessionsSection = `{{define "sessions"}}{{if .Sessions}}
<h2 style="font-size:1.1rem;margin-top:28px">{{.T.SessionsTitle}}</h2>
<table id="sessions" style="width:100%;border-collapse:collapse;font-size:.9rem">
<tr style="text-align:left;color:#666"><th>{{.T.Device}}</th><th>{{.T.LoggedIn}}</th><th>{{.T.LastSeen}}</th><th></th></tr>
{{range .Sessions}}<tr class="session"{{if .Current}} id="current-session"{{end}}>
<td>{{if .Device}}{{.Device}}{{else}}{{$.T.UnknownDevice}}{{end}}{{if .Current}} <strong>{{$.T.ThisOne}}</strong>{{end}}</td>
<td>{{.Created.UTC.Format "2006-01-02 15:04"}}</td>
<td>{{.LastSeen.UTC.Format "2006-01-02 15:04"}}</td>
<td><form method="post" action="/me/sessions/end" style="margin:0"><input type="hidden" name="id" value="{{.ID}}"><input type="hidden" name="return_to" value="/me"><button class="secondary end-session" type="submit">{{$.T.End}}</button></form></td>
</tr>{{end}}
</table>
{{if gt (len .Sessions) 1}}<form method="post" action="/me/sessions/end" style="margin-top:12px"><input type="hidden" name="others" value="1"><input type="hidden" name="return_to" value="/me"><button class="secondary" id="end-others" type="submit">{{.T.EndOthers}}</button></form>{{end}}
{{end}}{{end}}`
