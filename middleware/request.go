package middleware

import (
	"net/http"
	"strings"
)

// isAPIRequest tells API clients from browsers: a request with credentials
// in a header, or one that does not accept HTML, gets JSON and a 401
// instead of a redirect to the login page.
func isAPIRequest(r *http.Request) bool {
	if r.Header["Authorization"] != nil || r.Header[headerIDTokenKey] != nil {
		return true
	}
	return !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// hasBearer reports whether r's Authorization header is of the Bearer
// scheme (in any case), the only one that carries a LINE credential. Other
// schemes (Basic, an app's own "Token ...") are not LINE's business.
func hasBearer(r *http.Request) bool {
	v := r.Header["Authorization"]
	if len(v) == 0 {
		return false
	}
	const scheme = "Bearer"
	h := v[0]
	return len(h) >= len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) &&
		(len(h) == len(scheme) || h[len(scheme)] == ' ')
}
