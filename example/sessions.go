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
//
// Times are written in UTC, labelled so, and the page's script shows them
// in the browser's own time zone, named. The current session's button
// says that it logs this browser out, and leads home rather than back to
// /me, which would send a logged-out user to LINE.
const sessionsSection = `{{define "sessions"}}{{if .Sessions}}
<h2 class="section">{{.T.SessionsTitle}}</h2>
<table id="sessions" class="sessions" style="width:100%;border-collapse:collapse;font-size:.9rem">
<tr style="text-align:left;color:#666"><th>{{.T.Device}}</th><th>{{.T.LoggedIn}}</th><th>{{.T.LastSeen}}</th><th></th></tr>
{{range .Sessions}}<tr class="session"{{if .Current}} id="current-session"{{end}}>
<td class="device">{{$.T.DeviceLabel .Device}}{{if .Current}} <strong>{{$.T.ThisOne}}</strong>{{end}}</td>
<td data-label="{{$.T.LoggedIn}}"><time class="local-time" datetime="{{.Created.UTC.Format "2006-01-02T15:04:05Z"}}">{{.Created.UTC.Format "2006-01-02 15:04"}} UTC</time></td>
<td data-label="{{$.T.LastSeen}}"><time class="local-time" datetime="{{.LastSeen.UTC.Format "2006-01-02T15:04:05Z"}}">{{.LastSeen.UTC.Format "2006-01-02 15:04"}} UTC</time></td>
<td><form method="post" action="/me/sessions/end" style="margin:0"><input type="hidden" name="id" value="{{.ID}}">{{if .Current}}<input type="hidden" name="return_to" value="/"><button class="secondary end-session" id="end-current" type="submit">{{$.T.LogOutHere}}</button>{{else}}<input type="hidden" name="return_to" value="/me"><button class="secondary end-session" type="submit">{{$.T.End}}</button>{{end}}</form></td>
</tr>{{end}}
</table>
{{if gt (len .Sessions) 1}}<form method="post" action="/me/sessions/end" style="margin:16px 0 28px"><input type="hidden" name="others" value="1"><input type="hidden" name="return_to" value="/me"><button class="secondary" id="end-others" type="submit">{{.T.EndOthers}}</button></form>{{end}}
<script>
(function () {
	// dateStyle and timeStyle cannot be combined with timeZoneName.
	var f = new Intl.DateTimeFormat(document.documentElement.lang, {month: "numeric", day: "numeric",
		hour: "2-digit", minute: "2-digit", timeZoneName: "short"});
	document.querySelectorAll("time.local-time").forEach(function (t) { t.textContent = f.format(new Date(t.dateTime)); });
})();
</script>
{{end}}{{end}}`
