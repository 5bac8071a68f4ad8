package middleware

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/flow"
)

// maxCallbackForm bounds a form_post callback's body.
const maxCallbackForm = 64 << 10

// serveCallback finishes a login: LINE redirects (or, with form_post,
// posts) the browser here with a code and state, or an error.
func (a *Auth) serveCallback(w http.ResponseWriter, r *http.Request) {
	var params url.Values
	switch {
	case r.Method == http.MethodGet:
		params = r.URL.Query()
	case r.Method == http.MethodPost && a.formPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxCallbackForm)
		if err := r.ParseForm(); err != nil {
			a.fail(w, r, callback.ErrState, nil)
			return
		}
		params = r.PostForm
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	resp, err := a.client.ReadResponse(params)
	if err != nil {
		a.fail(w, r, err, nil)
		return
	}
	f, err := a.flows.Take(w, r, resp.State)
	if resp.Err != nil && err == nil {
		// LINE's error for a login in progress: a declined login must say
		// so (the flow is spent either way).
		a.fail(w, r, resp.Err, f)
		return
	}
	if err != nil {
		if resp.Err != nil {
			// An error for no login in progress is anybody's URL, whatever
			// it says: the "try again" page, and LINE's text only in the log.
			a.log.Warn("linelogin: LINE error for no login in progress",
				append([]any{"path", r.URL.Path, "error", resp.Err.Error()}, lineErrorAttrs(resp.Err)...)...)
		}
		a.fail(w, r, err, nil)
		return
	}
	login, err := a.client.Exchange(r.Context(), f.Attempt(), resp)
	if err != nil {
		a.fail(w, r, err, f)
		return
	}
	data := &sessionData{user: *login.User, accessToken: login.Token.AccessToken, tokenExpiry: login.Token.Expiry,
		granted: strings.Join(login.Scopes, " "), asked: strings.Join(a.flowScopes(f), " ")}
	if a.cfg.Session.KeepRefreshToken {
		data.refreshToken = login.Token.RefreshToken
	}
	if a.cfg.OnLogin != nil {
		if err := a.cfg.OnLogin(r.Context(), login); err != nil {
			a.fail(w, r, fmt.Errorf("%w: %w", ErrLoginRejected, err), f)
			return
		}
	}
	switch {
	case f.LinkAccount != "":
		if !a.finishConnect(w, r, f, login) {
			return
		}
		data.accountID = f.LinkAccount
	case a.linking != nil:
		if data.accountID, err = a.linking.accountForLogin(r.Context(), login); err != nil {
			a.fail(w, r, err, f)
			return
		}
	}
	if err := a.sessions.Issue(w, r, login.User.ID, data.encode()); err != nil {
		a.fail(w, r, err, f)
		return
	}
	a.log.Info("linelogin: login", "amr", login.User.AMR)
	a.metrics.loginSucceeded(r.Context())
	a.emit(r.Context(), Event{Kind: EventLogin, UserID: login.User.ID, AccountID: data.accountID})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, f.ReturnTo, http.StatusSeeOther)
}

// flowScopes are the scopes the flow f asked for: its own, else the
// Config's.
func (a *Auth) flowScopes(f *flow.Flow) []string {
	if f.Scopes != nil {
		return f.Scopes
	}
	return a.configScopes()
}
