package middleware

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/linelogin/linelogin/callback"
)

// allZero reports a key that cannot be secret: all zeros is what an unset
// byte slice or a decoded "AAAA…" gives, and anyone could forge cookies
// under it.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// configHint says what to fix for a configuration error revealed by LINE,
// for the log line of the operator who must fix it.
func (a *Auth) configHint(err error) string {
	var ue *callback.UpstreamError
	if errors.As(err, &ue) {
		switch {
		case ue.Code == "invalid_client":
			return "LINE refused the channel ID or secret (invalid_client): compare LINE.ChannelID and LINE.ChannelSecret " +
				"(LINE_CHANNEL_ID, LINE_CHANNEL_SECRET) with the channel's Basic settings in the LINE Developers console"
		case ue.Code == "invalid_grant":
			return "LINE says the redirect_uri does not match (invalid_grant): register exactly " +
				a.cfg.LINE.RedirectURL + " as a callback URL of the channel in the LINE Developers console"
		case ue.Op == "deauthorize":
			return "LINE refused the channel access token: issue a new one for the LINE Login channel"
		}
	}
	return "fix the configuration; retrying will not help"
}

// flowCookieHint explains a callback that brought no flow cookie at all,
// when the likely cause is a host name: a browser keeps cookies per host,
// so a login started on localhost cannot finish on 127.0.0.1.
func (a *Auth) flowCookieHint(r *http.Request) string {
	if a.flows.Any(r) {
		return ""
	}
	callbackHost := a.callbackHost()
	if !strings.EqualFold(r.Host, callbackHost) {
		return fmt.Sprintf("the callback came to host %s but the callback URL is on %s: the browser keeps the login's cookie per host; "+
			"open the app at %s (and use the same host name in RedirectURL)", r.Host, callbackHost, a.origin)
	}
	return fmt.Sprintf("no login cookie came back: if the login started on another host name than %s (localhost instead of 127.0.0.1, "+
		"or the reverse), the browser kept the cookie there; open the app at %s", callbackHost, a.origin)
}

// loopbackMismatch reports a login started on one loopback name while the
// callback URL uses another (localhost and 127.0.0.1): the flow cookie
// stays with the first and the callback can never find it.
func (a *Auth) loopbackMismatch(r *http.Request) bool {
	callbackHost := a.callbackHost()
	if strings.EqualFold(r.Host, callbackHost) {
		return false
	}
	return isLoopback(hostOnly(r.Host)) && isLoopback(hostOnly(callbackHost))
}

// callbackHost is the host (and port) of the callback URL.
func (a *Auth) callbackHost() string {
	_, host, _ := strings.Cut(a.origin, "://")
	return host
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
