package session

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// maxCookieBytes is the size browsers guarantee for one cookie (name,
// value and attributes together, RFC 6265 section 6.1). A larger cookie is
// dropped silently by the browser, which shows up as a login loop.
const maxCookieBytes = 4096

// ErrCookieTooLarge reports a cookie that would pass 4096 bytes. It is
// never sent; store less in the session or use a server-side Store.
var ErrCookieTooLarge = errors.New("session: cookie would exceed 4096 bytes")

// CookieOptions are the attributes shared by the cookies this module sets.
// Every cookie is HttpOnly with Path=/ and no Domain, so that it is bound to
// the exact host that set it.
type CookieOptions struct {
	// Secure marks cookies Secure and gives their names the __Host- prefix,
	// which browsers only accept from https origins with Path=/ and no
	// Domain. Set it whenever the app is served over https.
	Secure bool
	// SameSite defaults to Lax: the cookie comes along on LINE's top-level
	// redirect back to the app but not on cross-site subrequests. None is
	// needed only where LINE posts the callback (response_mode=form_post),
	// and browsers accept it only together with Secure.
	SameSite http.SameSite
}

// Name returns the cookie name to use for base: "__Host-"+base when Secure.
func (o CookieOptions) Name(base string) string {
	if o.Secure {
		return "__Host-" + base
	}
	return base
}

// New returns a cookie called name carrying value for maxAge (0 means a
// browser-session cookie). It fails with ErrCookieTooLarge rather than
// return a cookie the browser would drop.
func (o CookieOptions) New(name, value string, maxAge time.Duration) (*http.Cookie, error) {
	c := o.base(name)
	c.Value = value
	if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
		c.Expires = time.Now().Add(maxAge).UTC()
	}
	if n := len(c.String()); n > maxCookieBytes {
		return nil, fmt.Errorf("session: cookie %s has %d bytes: %w", name, n, ErrCookieTooLarge)
	}
	return c, nil
}

// Expired returns a cookie that deletes the cookie called name: the same
// name, path and Secure flag, an empty value and Max-Age=0.
func (o CookieOptions) Expired(name string) *http.Cookie {
	c := o.base(name)
	c.MaxAge = -1
	c.Expires = time.Unix(0, 0).UTC()
	return c
}

func (o CookieOptions) base(name string) *http.Cookie {
	sameSite := o.SameSite
	if sameSite == 0 || sameSite == http.SameSiteDefaultMode {
		sameSite = http.SameSiteLaxMode
	}
	return &http.Cookie{
		Name:     name,
		Path:     "/",
		HttpOnly: true,
		Secure:   o.Secure || sameSite == http.SameSiteNoneMode,
		SameSite: sameSite,
	}
}
