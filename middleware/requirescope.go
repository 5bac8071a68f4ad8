package middleware

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/linelogin/linelogin/callback"
)

// RequireScope lets a request through to next only with a LINE user whose
// session's login asked for scope, for example "email" on the one page
// that shows the address. It is RequireLINEUser with a condition on the
// scopes the session recorded at login:
//
//   - a browser whose session lacks the scope goes through LINE again
//     asking for it (with the scopes the session has), and lands back on
//     the page in a new session; when its login had already asked for the
//     scope and the user declined it, the request goes through to next
//     instead of asking again in a loop: check ScopeGranted there, and
//     offer a button that calls Login with the scope (LINE then shows its
//     consent screen again: prompt=consent);
//   - an API request with a session lacking the scope, or a bearer
//     credential (whose scopes the middleware does not keep), gets 403
//     with WWW-Authenticate: Bearer error="insufficient_scope",
//     scope="<scope>" (RFC 6750 section 3.1);
//   - a request with no user at all is answered as RequireLINEUser
//     answers it, except that a browser's login asks for the scope at once.
//
// LINE never lists email among the scopes a token response grants: a
// session has the email scope when LINE's ID token carried an address.
func (a *Auth) RequireScope(scope string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return a.perTenant(func(a *Auth) http.Handler { return a.requireScope(scope, next) })
	}
}

func (a *Auth) requireScope(scope string, next http.Handler) http.Handler {
	{
		granted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st := stateFrom(r.Context())
			if st.session != nil && (hasWord(a.sessionGranted(st.session), scope) || st.session.declined(scope)) {
				next.ServeHTTP(w, r)
				return
			}
			if st.session != nil && !isAPIRequest(r) {
				a.startLogin(w, r, LoginOptions{ReturnTo: returnToOf(r), LINE: callback.LoginOptions{Scopes: withScope(a.keptScopes(st.session), scope)}})
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="`+scope+`"`)
			writeJSONError(w, http.StatusForbidden, "insufficient_scope", "the login did not grant the scope this needs")
		})
		required := a.RequireLINEUser(granted)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r, st := a.state(w, r)
			if st.user == nil && st.unavailable == nil && st.refused == nil && !isAPIRequest(r) {
				a.startLogin(w, r, LoginOptions{ReturnTo: returnToOf(r), LINE: callback.LoginOptions{Scopes: withScope(a.configScopes(), scope)}})
				return
			}
			required.ServeHTTP(w, r)
		})
	}
}

// ScopeGranted reports whether the request's session had scope granted at
// login (see RequireScope). It is false without a session: a bearer
// credential's scopes are not kept.
func ScopeGranted(ctx context.Context, scope string) bool {
	st := stateFrom(ctx)
	return st != nil && st.session != nil && hasWord(st.session.granted, scope)
}

// sessionGranted are the scopes d's login was granted. A session from
// before scopes were recorded counts as granted what the Config asks for
// (and email when it has an address).
func (a *Auth) sessionGranted(d *sessionData) string {
	if d.asked != "" {
		return d.granted
	}
	granted := strings.Join(a.configScopes(), " ")
	if d.user.Email != "" {
		granted += " email"
	}
	return granted
}

// keptScopes are the scopes a new login of the session d asks for, so that
// the new session keeps what the old one had: the Config's, and those d was
// granted.
func (a *Auth) keptScopes(d *sessionData) []string {
	scopes := slices.Clone(a.configScopes())
	if d == nil {
		return scopes
	}
	for s := range strings.FieldsSeq(a.sessionGranted(d)) {
		scopes = withScope(scopes, s)
	}
	return scopes
}

// withScope returns scopes with s added, and openid with email (LINE
// gives email only in the ID token).
func withScope(scopes []string, s string) []string {
	scopes = slices.Clip(scopes) // never append into the Config's array
	if s == "email" && !slices.Contains(scopes, "openid") {
		scopes = append(scopes, "openid")
	}
	if !slices.Contains(scopes, s) {
		scopes = append(scopes, s)
	}
	return scopes
}
