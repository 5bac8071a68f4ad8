package flow

import (
	"net/http"
	"strings"
)

// Any reports whether r carries a flow cookie of this store at all, live
// or not: a callback without one points at the browser (or the host name)
// rather than at the flow.
func (s *Store) Any(r *http.Request) bool {
	for _, c := range r.Cookies() {
		if strings.HasPrefix(c.Name, s.prefix) {
			return true
		}
	}
	return false
}
