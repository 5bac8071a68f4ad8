package cookie

import (
	"fmt"
	"net/http"
	"time"

	"github.com/linelogin/linelogin/session"
)

// MaxBytes is the size browsers guarantee for one cookie (name, value and
// attributes together, RFC 6265 section 6.1). A larger cookie is dropped
// silently by the browser, which shows up as a login loop.
const MaxBytes = 4096

// Options are the attributes shared by the cookies this module sets. Every
// cookie is HttpOnly with Path=/ and no Domain, so that it is bound to the
// exact host that set it.
type Options struct {
	// Secure marks cookies Secure and gives their names the __Host- prefix,
	// which browsers only accept from https origins with Path=/ and no
	// Domain. Set it whenever the app is served over https.
	Secure bool
	// SameSite defaults to Lax: the cookie comes along on LINE's top-level
	// redirect back to the app but not on cross-site subrequests. None is
	// needed only where LINE posts the callback (response_mode=form_post),
	// and browsers accept it only together with Secure.
	SameSite http.SameSite
	// Now dates the Expires attribute; time.Now if nil.
	Now func() time.Time
}

// Name returns the cookie name to use for base: "__Host-"+base when Secure.
func (o Options) Name(base string) string {
	if o.Secure {
		return "__Host-" + base
	}
	return base
}

// New returns a cookie called name carrying value for maxAge (0 means a
// browser-session cookie). It fails with session.ErrCookieTooLarge rather
// than return a cookie the browser would drop.
func (o Options) New(name, value string, maxAge time.Duration) (*http.Cookie, error) {
	c := o.base(name)
	c.Value = value
	if maxAge > 0 {
		now := time.Now
		if o.Now != nil {
			now = o.Now
		}
		c.MaxAge = int(maxAge / time.Second)
		c.Expires = now().Add(maxAge).UTC()
	}
	// Serialising the cookie to measure it costs as much as setting it:
	// only a value near the limit is measured.
	if len(name)+len(value)+maxAttributes > MaxBytes {
		if n := len(c.String()); n > MaxBytes {
			return nil, fmt.Errorf("cookie %s has %d bytes: %w", name, n, session.ErrCookieTooLarge)
		}
	}
	return c, nil
}

// maxAttributes bounds what net/http's Cookie.String adds to a name and a
// value for the attributes set here: "=", quotes around the value, Path,
// Expires, Max-Age, HttpOnly, Secure, SameSite (about 120 bytes).
const maxAttributes = 256

// Expired returns a cookie that deletes the cookie called name: the same
// name, path and Secure flag, an empty value and Max-Age=0.
func (o Options) Expired(name string) *http.Cookie {
	c := o.base(name)
	c.MaxAge = -1
	c.Expires = time.Unix(0, 0).UTC()
	return c
}

func (o Options) base(name string) *http.Cookie {
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
