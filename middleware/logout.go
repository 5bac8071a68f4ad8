package middleware

import (
	"context"
	"net/http"
)

// serveLogout ends the session. It accepts only a POST from the app's own
// origin, so that another site cannot log users out (login CSRF's twin).
// The access token is revoked at LINE; if LINE cannot be reached the user
// is still logged out here. If the session store cannot end the session
// (Redis down, or a deletion no replica confirmed), the cookie is still
// cleared but the answer is 503 and a page saying the logout did not
// finish: the session may live on in a copy of the cookie.
func (a *Auth) serveLogout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !a.sameOrigin(r) {
		a.fail(w, r, ErrCrossSiteRequest, nil)
		return
	}
	st := a.identifySession(w, r)
	a.sessionCache.forget(a.sessions.Value(r))
	if st.session != nil && st.session.accessToken != "" {
		// The revoke outlives a client that hangs up, but not the
		// configured timeout.
		ctx := context.WithoutCancel(r.Context())
		if err := a.client.Revoke(ctx, st.session.accessToken); err != nil {
			a.log.Warn("linelogin: revoke at logout failed", "error", err)
		}
	}
	if err := a.sessions.Destroy(w, r); err != nil {
		// The cookie is gone from this browser, but the session may still
		// work with a copy of it (or on a replica Redis promotes): the
		// user must not be told they are logged out.
		a.logoutUnfinished(w, r, err)
		return
	}
	a.log.Info("linelogin: logout")
	if st.user != nil {
		a.emit(r.Context(), Event{Kind: EventLogout, UserID: st.user.ID, AccountID: st.session.accountID})
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, a.cfg.Routes.AfterLogout, http.StatusSeeOther)
}

// logoutUnfinished answers a logout whose session the store could not end
// with 503 and a page that says so (or the app's OnError), never with the
// redirect of a logout that worked.
func (a *Auth) logoutUnfinished(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Retry-After", "5")
	if a.cfg.Pages.OnError != nil {
		a.fail(w, r, err, nil)
		return
	}
	a.log.Error("linelogin: logout could not end the session", "path", r.URL.Path, "error", err.Error())
	a.emit(r.Context(), Event{Kind: EventFailure, Reason: failureReason(err), Err: err})
	msgs, _ := a.languages.forRequest(r)
	a.renderError(w, r, http.StatusServiceUnavailable, errorPage{Text: msgs.LogoutUnfinished})
}
