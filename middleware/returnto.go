package middleware

import (
	"net/url"
	"strings"
)

// maxReturnTo bounds a return_to path.
const maxReturnTo = 1024

// safeReturnTo returns s if it is a path on this site, such as
// "/orders?id=7", and "/" otherwise. Absolute and scheme-relative URLs
// ("//evil.example"), backslashes (which browsers read as slashes), encoded
// slashes and backslashes, control characters, non-ASCII look-alikes and
// over-long values all fall back to "/": after login, the browser must
// never be sent off-site (an open redirector).
func safeReturnTo(s string) string {
	if s == "" || len(s) > maxReturnTo || s[0] != '/' {
		return "/"
	}
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return "/"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c >= 0x7f || c == '\\' {
			return "/"
		}
	}
	lower := strings.ToLower(s)
	for _, bad := range []string{"%2f", "%5c", "%00", "%09", "%0a", "%0d"} {
		if strings.Contains(lower, bad) {
			return "/"
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return s
}
