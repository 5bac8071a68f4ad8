package middleware

import (
	"net/http"
	"strconv"
	"time"

	"github.com/linelogin/linelogin/callback"
)

// RequireRecentLogin lets a request through to next only with a LINE user
// who authenticated at LINE within maxAge (step-up authentication), for
// example before showing a saved card. It is RequireLINEUser with a
// condition on the user's auth_time, which LINE reports only to a login
// that sent max_age:
//
//   - a browser whose session's authentication is older, or unknown, goes
//     through LINE again with max_age (maxAge in whole seconds, rounded
//     up) and lands back on the page it asked for, in a new session. An ID
//     token whose auth_time is missing or older than max_age is refused
//     there, as any invalid ID token is;
//   - an API request (see RequireLINEUser), or a bearer credential, gets
//     401 with WWW-Authenticate: Bearer
//     error="insufficient_user_authentication", max_age=<seconds>, as RFC
//     9470 says, and a JSON body. A bearer access token carries no
//     auth_time, so it never passes; an ID token passes when its auth_time
//     is recent enough;
//   - a request with no user at all is answered as RequireLINEUser
//     answers it, except that a browser's login sends max_age at once.
//
// A maxAge under a second is taken as one second.
func (a *Auth) RequireRecentLogin(maxAge time.Duration) func(http.Handler) http.Handler {
	maxAge = max(maxAge, time.Second)
	seconds := int64((maxAge + time.Second - 1) / time.Second)
	maxAge = time.Duration(seconds) * time.Second
	return func(next http.Handler) http.Handler {
		return a.perTenant(func(a *Auth) http.Handler { return a.requireRecentLogin(maxAge, seconds, next) })
	}
}

func (a *Auth) requireRecentLogin(maxAge time.Duration, seconds int64, next http.Handler) http.Handler {
	{
		recent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st := stateFrom(r.Context())
			if t := st.user.AuthTime; !t.IsZero() && a.cfg.Now().Sub(t) <= maxAge {
				next.ServeHTTP(w, r)
				return
			}
			if st.source == SourceSession && !isAPIRequest(r) {
				a.startLogin(w, r, LoginOptions{ReturnTo: returnToOf(r), LINE: callback.LoginOptions{MaxAge: maxAge, Scopes: a.keptScopes(st.session)}})
				return
			}
			insufficientAuthentication(w, seconds)
		})
		required := a.RequireLINEUser(recent)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r, st := a.state(w, r)
			if st.user == nil && st.unavailable == nil && st.refused == nil && !isAPIRequest(r) {
				// One trip through LINE, not a login and then a step-up.
				a.startLogin(w, r, LoginOptions{ReturnTo: returnToOf(r), LINE: callback.LoginOptions{MaxAge: maxAge}})
				return
			}
			required.ServeHTTP(w, r)
		})
	}
}

// insufficientAuthentication answers an API request whose authentication
// is older than maxAge seconds, as RFC 9470 section 3 says.
func insufficientAuthentication(w http.ResponseWriter, maxAge int64) {
	const code, description = "insufficient_user_authentication", "a more recent authentication is required"
	w.Header().Set("WWW-Authenticate", `Bearer error="`+code+`", error_description="`+description+`", max_age=`+strconv.FormatInt(maxAge, 10))
	writeJSONError(w, http.StatusUnauthorized, code, description)
}

// returnToOf is where a login started for r lands: the page itself for a
// GET or HEAD, the home page for anything else (a form's body cannot be
// replayed after the trip to LINE).
func returnToOf(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	return "/"
}
