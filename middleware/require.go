package middleware

import (
	"net/http"
	"net/url"
)

// RequireLINEUser lets a request through to next only with a logged-in
// LINE user. A browser without one is redirected to the login path with
// return_to set to the page it asked for; an API client (see DESIGN: a
// request with an Authorization or X-Line-ID-Token header, or not accepting
// text/html) gets 401 JSON with a WWW-Authenticate: Bearer challenge. When
// the session store is down, the answer is 503, not a logout.
//
// It works behind Handler, and on its own as well.
func (a *Auth) RequireLINEUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = a.withSession(w, r)
		st := stateFrom(r.Context())
		switch {
		case st.data != nil:
			next.ServeHTTP(w, r)
		case st.err != nil:
			a.serveUnavailable(w, r)
		case isAPIRequest(r):
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSONError(w, http.StatusUnauthorized, "unauthorized", "login required")
		default:
			target := a.cfg.LoginPath
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				target += "?return_to=" + url.QueryEscape(r.URL.RequestURI())
			}
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, target, http.StatusFound)
		}
	})
}

func (a *Auth) serveUnavailable(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "5")
	if isAPIRequest(r) {
		writeJSONError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "sessions are unavailable, try again shortly")
		return
	}
	a.renderError(w, http.StatusServiceUnavailable, errorPage{
		Title:   "Temporarily unavailable",
		Message: "We cannot check your login right now. Please try again in a moment.",
	})
}
