package middleware

import "net/http"

// RequireSameOrigin refuses with 403 a request that may change something
// (any method but GET, HEAD and OPTIONS) unless it proves it comes from the
// app's own pages, as logout does: an Origin header equal to the app's
// origin, or Sec-Fetch-Site: same-origin. It is for the app's own forms,
// such as a password login or an account page, which another site must
// not be able to submit. The app's origin is that of LINE.RedirectURL
// (with Config.Tenants, that of the request's tenant's callback URL):
// without a web login, only Sec-Fetch-Site proves it.
func (a *Auth) RequireSameOrigin(next http.Handler) http.Handler {
	return a.perTenant(func(a *Auth) http.Handler { return a.requireSameOrigin(next) })
}

func (a *Auth) requireSameOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if !a.sameOrigin(r) {
				a.failLink(w, r, ErrCrossSiteRequest)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin reports whether r proves it comes from the app's own pages:
// an Origin header equal to the app's origin, or, from browsers that send
// no Origin, Sec-Fetch-Site: same-origin. A request with neither is
// refused.
func (a *Auth) sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		return o == a.origin
	}
	return r.Header.Get("Sec-Fetch-Site") == "same-origin"
}
