package middleware

import (
	"context"
	"net/http"
)

// serveLogout ends the session. It accepts only a POST from the app's own
// origin, so that another site cannot log users out (login CSRF's twin).
// The access token is revoked at LINE; if LINE cannot be reached the user
// is still logged out here.
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
		a.log.Warn("linelogin: ending session failed", "error", err)
	}
	a.log.Info("linelogin: logout")
	if st.user != nil {
		a.emit(r.Context(), Event{Kind: EventLogout, UserID: st.user.ID, AccountID: st.session.accountID})
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, a.cfg.AfterLogout, http.StatusSeeOther)
}
