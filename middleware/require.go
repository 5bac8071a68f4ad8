package middleware

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
)

// RequireLINEUser lets a request through to next only with an
// authenticated LINE user: a browser session, a bearer access token, or an
// ID token. Otherwise:
//
//   - a browser is redirected to the login path with return_to set to the
//     page it asked for (without a web login, it gets the API client's
//     401: there is no login to send it to);
//   - an API client (a request with an Authorization or X-Line-ID-Token
//     header, or not accepting text/html) gets 401 JSON with a
//     WWW-Authenticate: Bearer challenge, error="invalid_token" for a token
//     LINE refused, or 400 for a malformed header;
//   - when the session store or LINE cannot be reached, 503: never a
//     logout, never fail-open.
//
// It works behind Handler, and on its own as well.
func (a *Auth) RequireLINEUser(next http.Handler) http.Handler {
	return a.RequireLINEUserFrom(SourceSession, SourceAccessToken, SourceIDToken)(next)
}

// RequireLINEUserFrom is RequireLINEUser accepting users from the given
// sources only; for example RequireLINEUserFrom(SourceSession) keeps
// bearer tokens out of a browser-only route.
func (a *Auth) RequireLINEUserFrom(sources ...Source) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return a.perTenant(func(a *Auth) http.Handler { return a.requireFrom(sources, next) })
	}
}

func (a *Auth) requireFrom(sources []Source, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, st := a.state(w, r)
		switch {
		case st.user != nil && slices.Contains(sources, st.source):
			next.ServeHTTP(w, r)
		case st.user != nil:
			challenge(w, http.StatusUnauthorized, "invalid_token", "this kind of credential is not accepted here")
		case st.unavailable != nil:
			a.serveUnavailable(w, r, st.unavailable)
		case errors.Is(st.refused, ErrMalformedCredential):
			challenge(w, http.StatusBadRequest, "invalid_request", "malformed credential header")
		case st.refused != nil:
			challenge(w, http.StatusUnauthorized, "invalid_token", "the token is invalid or expired")
		case isAPIRequest(r) || a.sessions == nil:
			// Without a web login there is no login page to send a
			// browser to either.
			// No credentials at all: a bare challenge, no error code
			// (RFC 6750 section 3.1).
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSONError(w, http.StatusUnauthorized, "unauthorized", "login required")
		default:
			target := a.cfg.Routes.Login
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				target += "?return_to=" + url.QueryEscape(r.URL.RequestURI())
			}
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, target, http.StatusFound)
		}
	})
}

// challenge answers with an RFC 6750 error.
func challenge(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="`+code+`", error_description="`+description+`"`)
	writeJSONError(w, status, code, description)
}

func (a *Auth) serveUnavailable(w http.ResponseWriter, r *http.Request, err error) {
	var limited *limitError
	if errors.As(err, &limited) {
		// Only bearer requests are limited, and they are API requests.
		w.Header().Set("Retry-After", retryAfterSeconds(limited.retryAfter))
		if limited.status == http.StatusTooManyRequests {
			writeJSONError(w, limited.status, "too_many_requests", "too many token checks from this address, try again later")
			return
		}
		writeJSONError(w, limited.status, "temporarily_unavailable", "cannot verify credentials right now, try again shortly")
		return
	}
	w.Header().Set("Retry-After", "5")
	if isAPIRequest(r) {
		writeJSONError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "cannot verify credentials right now, try again shortly")
		return
	}
	msgs, _ := a.languages.forRequest(r)
	a.renderError(w, r, http.StatusServiceUnavailable, errorPage{Text: msgs.Unavailable})
}

// OptionalLINEUser puts the request's LINE user, if any, in the context
// for next, as RequireLINEUser does, but lets every request through: one
// without credentials, or whose credentials LINE refused or could not
// check, reaches next without a user. Use it on a route that serves
// everybody but greets a LINE user: behind Handler alone, a bearer access
// token or ID token is not checked (see Handler), so UserFromContext finds
// no user for it.
func (a *Auth) OptionalLINEUser(next http.Handler) http.Handler {
	return a.perTenant(func(a *Auth) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r, _ = a.state(w, r)
			next.ServeHTTP(w, r)
		})
	})
}
