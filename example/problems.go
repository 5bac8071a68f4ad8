package main

import (
	"errors"
	"html/template"
	"net/http"

	"golang.org/x/text/language"

	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
)

// problemData is a page that says what went wrong and where to go next.
type problemData struct {
	Title, Message string
	// BackToAccount offers the account page besides Home: the user came
	// from there (a connect or unlink that could not be done).
	BackToAccount bool
	Demo          bool
	T             *texts
}

// onError is Config.OnError. Linking's refusals (409) get the example's
// own page, which explains in the app's words and leads back to the
// account page; everything else gets the middleware's page.
func (a *app) onError(w http.ResponseWriter, r *http.Request, err error) {
	t := a.texts(r)
	msgs := messagesFor(a.auth.Language(r))
	var conflict *link.ConflictError
	data := problemData{BackToAccount: true, Demo: a.demo, T: t}
	switch {
	case errors.Is(err, middleware.ErrUnlinkRefused):
		data.Title, data.Message = t.OnlyWayInTitle, t.OnlyWayIn
	case errors.As(err, &conflict):
		text := msgs.LINEUserLinked
		if conflict.Account && !conflict.LINEUser {
			text = msgs.AccountLinked
		}
		data.Title, data.Message = text.Title, text.Message
	default:
		a.auth.ServeError(w, r, err)
		return
	}
	renderProblem(w, http.StatusConflict, data) // both are conflicts with the account's state
}

// messagesFor returns the middleware's built-in texts in lang.
func messagesFor(lang language.Tag) middleware.Messages {
	all := middleware.DefaultMessages()
	for _, m := range all {
		if m.Tag == lang {
			return m
		}
	}
	return all[0]
}

// notFound is the page of every unknown path: styled and in the
// browser's language like the others, with their headers.
func (a *app) notFound(w http.ResponseWriter, r *http.Request) {
	t := a.texts(r)
	renderProblem(w, http.StatusNotFound, problemData{Title: t.NotFoundTitle, Message: t.NotFound, Demo: a.demo, T: t})
}

func renderProblem(w http.ResponseWriter, status int, data problemData) {
	setPageHeaders(w, data.T.Lang)
	w.WriteHeader(status)
	_ = problemPage.Execute(w, data)
}

var problemPage = template.Must(template.Must(template.New("layout").Parse(layout)).New("problem").Parse(`{{template "head" .}}
<h1 id="problem">{{.Title}}</h1>
<p id="problem-message">{{.Message}}</p>
<nav style="margin-top:20px">{{if .BackToAccount}}<a href="/account" id="back-to-account">{{.T.BackToAccount}}</a>{{end}}<a href="/" id="home">{{.T.Home}}</a></nav>
{{template "foot"}}`))
