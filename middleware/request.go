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
