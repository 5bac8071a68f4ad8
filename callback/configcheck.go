package callback

import (
	"errors"
	"fmt"
	"net/url"
)

// knownScopes are the scopes LINE Login v2.1 documents. LINE answers an
// unknown one with INVALID_SCOPE at the callback, after the user has gone
// through LINE: New refuses a typo before anyone meets it.
var knownScopes = []string{"openid", "profile", "email"}

// callbackPath checks that the callback URL has a path of its own. At "/"
// (or with no path) the middleware would take every visit to the home page
// for LINE's answer and show an error page there instead.
func callbackPath(redirectURL string) error {
	u, err := url.Parse(redirectURL)
	if err != nil {
		return errors.New("does not parse")
	}
	if u.Path == "" || u.Path == "/" {
		return fmt.Errorf("%q has no path: give the callback a path of its own, such as %s/callback, and register that URL for the channel",
			redirectURL, u.Scheme+"://"+u.Host)
	}
	return nil
}
