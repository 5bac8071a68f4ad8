package main

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"

	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
)

// appSessionCookie is the app's own session cookie, apart from LINE
// Login's: signing in to the app's account and logging in with LINE are
// two things, which linking joins.
func (a *app) appSessionCookie() string {
	if a.secure {
		return "__Host-app_session"
	}
	return "app_session"
}

// signedInAccount is the account signed in to the app on r: the app's own
// session, else the account linked to the request's LINE user (a user who
// logged in with LINE lands in their linked account). An error means the
// store of links could not say: never "signed out".
func (a *app) signedInAccount(r *http.Request) (string, error) {
	if c, err := r.Cookie(a.appSessionCookie()); err == nil {
		if id := a.accounts.sessionAccount(r.Context(), c.Value); id != "" {
			return id, nil
		}
	}
	return middleware.LinkedAccountFromContext(r.Context())
}

// accountPageUser is the account signed in on r for a page of its own: it
// answers the request itself, and reports false, when the store of links
// cannot say (its error page) or nobody is signed in (to the sign-in page).
func (a *app) accountPageUser(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, err := a.signedInAccount(r)
	if err != nil {
		a.auth.ServeError(w, r, err)
		return "", false
	}
	if id == "" {
		http.Redirect(w, r, "/account/login", http.StatusSeeOther)
		return "", false
	}
	return id, true
}

type accountData struct {
	AccountID  string
	LINEUserID string
	// LINE is the linked LINE user's profile as last seen, when known.
	LINE *lineProfile
	// HasPassword: the account can sign in without LINE.
	HasPassword bool
	Error       string
	Notice      string
	Demo        bool
	T           *texts // the page's language
}

func renderAccount(w http.ResponseWriter, status int, t *template.Template, data accountData) {
	setPageHeaders(w, data.T.Lang)
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}

// accountLoginPage is the password form.
func (a *app) accountLoginPage(w http.ResponseWriter, r *http.Request) {
	id, err := a.signedInAccount(r)
	if err != nil {
		a.auth.ServeError(w, r, err)
		return
	}
	if id != "" {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	renderAccount(w, http.StatusOK, accountLoginPage, accountData{Demo: a.demo, T: a.texts(r)})
}

// accountLogin signs in with the app's own password: 303 to /account, or
// 401 and the form again.
func (a *app) accountLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	id, password := r.PostFormValue("account_id"), r.PostFormValue("password")
	ok, err := a.accounts.login(r.Context(), id, password)
	if err != nil {
		http.Error(w, "accounts unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		t := a.texts(r)
		// The account ID stays in the form: only the password was wrong
		// (or the ID mistyped, which the user can then see).
		renderAccount(w, http.StatusUnauthorized, accountLoginPage, accountData{AccountID: id, Demo: a.demo, Error: t.WrongPassword, T: t})
		return
	}
	token, err := a.accounts.newSession(r.Context(), id)
	if err != nil {
		http.Error(w, "accounts unavailable", http.StatusServiceUnavailable)
		return
	}
	c := &http.Cookie{
		Name: a.appSessionCookie(), Value: token, Path: "/", MaxAge: int(appSessionLifetime.Seconds()),
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode,
	}
	if a.postedCallback {
		// A connect's callback must see which account is signed in; the
		// account's own POSTs still need the same-origin proof.
		c.SameSite, c.Secure = http.SameSiteNoneMode, true
	}
	http.SetCookie(w, c)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// accountLogout ends the app's own session and the LINE Login session.
func (a *app) accountLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(a.appSessionCookie()); err == nil {
		_ = a.accounts.endSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: a.appSessionCookie(), Path: "/", MaxAge: -1, HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
	a.auth.LogoutHandler().ServeHTTP(w, r)
}

// account shows the signed-in account and its LINE link, with "Connect
// LINE" or "Unlink".
func (a *app) account(w http.ResponseWriter, r *http.Request) {
	id, ok := a.accountPageUser(w, r)
	if !ok {
		return
	}
	notice := ""
	if r.URL.Query().Get("password") == "set" {
		notice = a.texts(r).PasswordSaved
	}
	a.renderAccountPage(w, r, id, http.StatusOK, "", notice)
}

// renderAccountPage shows account id: its LINE user by name and picture,
// and whether it has a password, with errText or notice above.
func (a *app) renderAccountPage(w http.ResponseWriter, r *http.Request, id string, status int, errText string, notice ...string) {
	ctx := r.Context()
	lineUser, err := a.lineUserOf(r, id)
	if err != nil && !errors.Is(err, link.ErrNotLinked) {
		http.Error(w, "accounts unavailable", http.StatusServiceUnavailable)
		return
	}
	data := accountData{AccountID: id, LINEUserID: lineUser, Error: errText, Demo: a.demo, T: a.texts(r)}
	if len(notice) > 0 {
		data.Notice = notice[0]
	}
	if lineUser != "" {
		if p, ok, err := a.accounts.profileOf(ctx, lineUser); err == nil && ok {
			data.LINE = &p
		} else if u, _ := middleware.UserFromContext(ctx); u != nil && u.ID == lineUser {
			data.LINE = &lineProfile{DisplayName: u.DisplayName, PictureURL: u.PictureURL}
		}
	}
	if data.HasPassword, err = a.accounts.hasPassword(ctx, id); err != nil {
		http.Error(w, "accounts unavailable", http.StatusServiceUnavailable)
		return
	}
	renderAccount(w, status, accountPage, data)
}

type accountJSON struct {
	AccountID  string `json:"accountId"`
	LINEUserID string `json:"lineUserId,omitempty"`
}

// apiAccount is the signed-in account as JSON; 401 without one.
func (a *app) apiAccount(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	id, err := a.signedInAccount(r)
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "unavailable"})
		return
	}
	if id == "" {
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "unauthorized"})
		return
	}
	lineUser, err := a.lineUserOf(r, id)
	if err != nil && !errors.Is(err, link.ErrNotLinked) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "temporarily_unavailable"})
		return
	}
	_ = json.NewEncoder(w).Encode(accountJSON{AccountID: id, LINEUserID: lineUser})
}

// accountRoutes mounts the account routes through handle, whatever the
// router. The app's own forms need the same-origin proof; connect and
// unlink check it themselves, and /api/link takes no cookie at all.
func (a *app) accountRoutes(handle func(method, path string, h http.Handler)) {
	same := a.auth.RequireSameOrigin
	handle(http.MethodGet, "/account/login", http.HandlerFunc(a.accountLoginPage))
	handle(http.MethodPost, "/account/login", same(http.HandlerFunc(a.accountLogin)))
	handle(http.MethodPost, "/account/logout", same(http.HandlerFunc(a.accountLogout)))
	handle(http.MethodPost, "/account/password", same(http.HandlerFunc(a.accountSetPassword)))
	handle(http.MethodGet, "/account", http.HandlerFunc(a.account))
	handle(http.MethodGet, "/api/account", http.HandlerFunc(a.apiAccount))
	handle(http.MethodPost, "/account/link", a.auth.Links().ConnectHandler())
	handle(http.MethodPost, "/account/unlink", a.auth.Links().UnlinkHandler())
	handle(http.MethodPost, "/api/link", a.auth.Links().APIHandler())
}

var accountLoginPage = template.Must(template.Must(template.New("layout").Parse(layout)).New("account-login").Parse(`{{template "head" .}}
<h1>{{.T.AccountSignInTitle}}</h1>
{{if .Error}}<p id="account-error" class="error">{{.Error}}</p>{{end}}
<form method="post" action="/account/login" id="account-login">
<p><label>{{.T.AccountIDLabel}}<br><input name="account_id" id="account_id" value="{{.AccountID}}" autocomplete="username" required></label></p>
<p><label>{{.T.PasswordLabel}}<br><input name="password" id="password" type="password" autocomplete="current-password" required{{if .AccountID}} autofocus{{end}}></label></p>
<button class="secondary" id="account-submit" type="submit">{{.T.SignIn}}</button>
</form>
{{if .Demo}}<p class="demo">{{.T.DemoAccountsNote}}</p>{{end}}
<nav style="margin-top:20px"><a href="/">{{.T.Home}}</a></nav>
{{template "foot"}}`))

var accountPage = template.Must(template.Must(template.New("layout").Parse(layout)).New("account").Parse(`{{template "head" .}}
<h1>{{.T.AccountTitle}}</h1>
{{if .Error}}<p id="account-error" class="error">{{.Error}}</p>{{end}}
{{if .Notice}}<p id="account-notice" class="notice">{{.Notice}}</p>{{end}}
<dl>
<dt>{{.T.AccountLabel}}</dt><dd id="account">{{.AccountID}}</dd>
<dt>LINE</dt><dd id="line-user">{{if .LINEUserID}}<span class="line-profile" id="line-profile" data-line-user-id="{{.LINEUserID}}">{{if .LINE}}{{template "avatar" .LINE}}<span id="line-name">{{.LINE.DisplayName}}</span>{{else}}<span id="line-name">{{.T.LINEConnected}}</span>{{end}}</span>{{else}}{{.T.NotConnected}}{{end}}</dd>
<dt>{{.T.PasswordLabel}}</dt><dd id="password-state">{{if .HasPassword}}{{.T.PasswordIsSet}}{{else}}{{.T.NoPassword}}{{end}}</dd>
</dl>
{{if .LINEUserID}}
{{if not .HasPassword}}<p class="hint" id="only-way-in">{{.T.OnlyWayInHint}}</p>{{end}}
<form method="post" action="/account/unlink"><button class="secondary" id="unlink" type="submit">{{.T.Unlink}}</button></form>
{{else}}
<form method="post" action="/account/link"><input type="hidden" name="return_to" value="/account">
<button class="line-btn" id="connect" type="submit">{{template "logo"}}{{.T.ConnectLINE}}</button></form>
{{end}}
{{if not .HasPassword}}
<h2 class="section">{{.T.SetPasswordTitle}}</h2>
<form method="post" action="/account/password" id="set-password">
<p><label>{{.T.NewPasswordLabel}}<br><input name="password" id="new-password" type="password" autocomplete="new-password" minlength="8" required></label></p>
<button class="secondary" id="set-password-submit" type="submit">{{.T.SavePassword}}</button>
</form>
{{end}}
<nav style="margin-top:24px"><a href="/">{{.T.Home}}</a><a href="/api/account">/api/account</a></nav>
<form method="post" action="/account/logout" style="margin-top:20px"><button class="secondary" id="account-logout" type="submit">{{.T.LogOut}}</button></form>
{{template "foot"}}`))

// lineUserOf returns the LINE user linked to account id on r's channel
// (links are per tenant with many channels).
func (a *app) lineUserOf(r *http.Request, id string) (string, error) {
	links, err := a.auth.Links().StoreFor(r)
	if err != nil {
		return "", err
	}
	return links.LINEUserOf(r.Context(), id)
}
