package linetest

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// AddCallbackURL registers u as a callback URL, as adding a line in the
// LINE Developers console does. Tests whose app address is known only
// after the platform started (an httptest server) register it here.
func (p *Platform) AddCallbackURL(u string) error {
	if err := checkRedirectURI(u); err != nil {
		return fmt.Errorf("%w: callback URL %q: %v", ErrInvalidConfig, u, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, cb := range p.callbackURLs {
		if cb == u {
			return nil
		}
	}
	p.callbackURLs = append(p.callbackURLs, u)
	return nil
}

// redirectURIAllowed reports whether LINE would send a user to u: a
// registered callback URL to which the app may have added query
// parameters ("任意のクエリパラメータを付与できます", the v2.1 guide says of
// redirect_uri), or, with AnyCallbackURL, any acceptable absolute URL.
func (p *Platform) redirectURIAllowed(u string) bool {
	if u == "" || checkRedirectURI(u) != nil {
		return false
	}
	p.mu.Lock()
	registered, any := p.callbackURLs, p.anyCallback
	p.mu.Unlock()
	if any {
		return true
	}
	for _, cb := range registered {
		if callbackMatches(cb, u) {
			return true
		}
	}
	return false
}

// callbackMatches reports whether redirect is the registered URL cb, with
// perhaps more query parameters: the same scheme, host and path, and every
// parameter of cb's own query with the same values.
func callbackMatches(cb, redirect string) bool {
	if cb == redirect {
		return true
	}
	c, err1 := url.Parse(cb)
	r, err2 := url.Parse(redirect)
	if err1 != nil || err2 != nil {
		return false
	}
	if c.Scheme != r.Scheme || c.Host != r.Host || c.EscapedPath() != r.EscapedPath() {
		return false
	}
	want, got := c.Query(), r.Query()
	for k, vs := range want {
		if strings.Join(got[k], "\x00") != strings.Join(vs, "\x00") {
			return false
		}
	}
	return true
}

// checkRedirectURI reports whether u can be a callback URL: an absolute
// http or https URL with a host and no fragment.
func checkRedirectURI(u string) error {
	parsed, err := url.Parse(u)
	switch {
	case err != nil:
		return errors.New("not a URL")
	case parsed.Scheme != "http" && parsed.Scheme != "https":
		return errors.New("scheme is not http or https")
	case parsed.Host == "":
		return errors.New("no host")
	case parsed.Fragment != "" || strings.Contains(u, "#"):
		return errors.New("has a fragment")
	case parsed.User != nil:
		return errors.New("has user info")
	}
	return nil
}
