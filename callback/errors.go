package callback

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The error categories of this package. Every error it returns matches
// exactly one of them with errors.Is, so a caller's answer never depends on
// the order of its checks:
//
//   - ErrConfig: a configuration mistake, found by New or revealed by LINE
//     refusing the channel's own credentials (invalid_client) or its
//     callback URL (invalid_grant naming the redirect_uri);
//   - ErrUpstream: an outage: LINE unreachable, too slow, busy (429), broken
//     (5xx), or answering something unusable;
//   - ErrState: a callback that answers no login in progress;
//   - ErrResponseRejected: a JARM response LINE did not sign for this
//     channel, or plain parameters where a JARM response was due;
//   - ErrAuthorization: LINE's error at the callback (*AuthError), such as
//     the user declining;
//   - ErrCodeRejected: the token endpoint refused the authorization code;
//   - ErrInvalidToken: an access token or ID token LINE does not vouch for
//     (*TokenError);
//   - ErrRefreshRejected: LINE no longer accepts the refresh token.
var (
	// ErrConfig reports a configuration mistake: a Config that New
	// refuses, or LINE refusing the channel ID and secret. Nothing but a
	// change of configuration fixes it.
	ErrConfig = errors.New("linelogin: invalid config")
	// ErrUpstream reports that the LINE Platform could not be reached,
	// timed out, was busy or broken, or answered with something unusable.
	// Trying again later may work.
	ErrUpstream = errors.New("callback: LINE Platform unavailable")
	// ErrState reports a callback whose state is missing, malformed, or
	// matches no live login: a forged callback, a replay, or a login that
	// finished in another browser (LINE's auto-login can open one). The
	// remedy is to start again.
	ErrState = errors.New("callback: state does not match a login in progress")
	// ErrResponseRejected reports, in a JARM response mode, a callback
	// whose response JWT fails verification (signature, alg, iss, aud,
	// exp, claim types) or that carries plain parameters instead: a
	// forged, replayed or downgraded response. The token endpoint is never
	// called for it.
	ErrResponseRejected = errors.New("callback: authorization response rejected")
	// ErrAuthorization is matched by *AuthError: LINE sent an error instead
	// of a code, for example because the user declined.
	ErrAuthorization = errors.New("callback: LINE returned an authorization error")
	// ErrCodeRejected reports a code the token endpoint refused
	// (invalid_grant), or a callback without one: expired, used, or issued
	// for another login.
	ErrCodeRejected = errors.New("callback: authorization code rejected")
	// ErrInvalidToken is matched by *TokenError: an access token or ID
	// token that LINE does not vouch for: unknown, expired, revoked, issued
	// to another channel, or failing verification. Bearer-mode callers
	// answer it with 401.
	ErrInvalidToken = errors.New("callback: invalid token")
	// ErrRefreshRejected reports a refresh token LINE no longer accepts
	// (expired, revoked, or the user deauthorized the app): the user must
	// log in again.
	ErrRefreshRejected = errors.New("callback: refresh token rejected")
)

// AuthError is LINE's error response at the callback, in either the v2.1
// shape (error, error_description) or the v2.0 one (errorCode,
// errorMessage).
type AuthError struct {
	Code        string // e.g. "ACCESS_DENIED"; v2.0 sends "access_denied"
	Description string // error_description, if any
	// V2Code and V2Message are LINE Login v2.0's errorCode (e.g. "417")
	// and errorMessage (e.g. "DISALLOWED").
	V2Code    string
	V2Message string
}

// Error names LINE's error code only, and only when it looks like one:
// anyone can craft a callback URL, so its text must not reach the logs.
func (e *AuthError) Error() string {
	code := safeCode(e.Code)
	if code == "" {
		code = "(not a LINE error code)"
	}
	return "callback: LINE returned error " + code
}

// Is makes errors.Is(err, ErrAuthorization) true.
func (e *AuthError) Is(target error) bool { return target == ErrAuthorization }

// Denied reports whether the user declined to log in.
func (e *AuthError) Denied() bool {
	return e.Code == "ACCESS_DENIED" || e.Code == "access_denied" || e.V2Message == "DISALLOWED"
}

// TokenError says why an access token or ID token was refused, whether a
// client sent it (bearer mode) or the token endpoint returned it (the
// login's ID token).
type TokenError struct {
	// Kind names the token: "access token" or "ID token".
	Kind string
	// Reason says what was wrong with it, e.g. "nonce does not match".
	Reason string
	// Err is the underlying error, such as *oidc.TokenExpiredError. When
	// LINE refused the token, Reason names the endpoint, status and code
	// instead: wrapping the *UpstreamError would put the refusal in two
	// categories.
	Err error
}

// Error says which token was refused and why.
func (e *TokenError) Error() string {
	msg := "callback: invalid " + e.Kind + ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is makes errors.Is(err, ErrInvalidToken) true.
func (e *TokenError) Is(target error) bool { return target == ErrInvalidToken }

// Unwrap returns the underlying error.
func (e *TokenError) Unwrap() error { return e.Err }

// Token kinds for TokenError.Kind.
const (
	kindAccessToken = "access token"
	kindIDToken     = "ID token"
)

// UpstreamError reports a failed back-channel call to the LINE Platform.
// Which category it is in depends on LINE's answer (see Is): no answer, a
// 5xx or a 429 is an outage, invalid_client (or invalid_grant naming the
// redirect_uri) a configuration mistake, a
// refused code, token or refresh token its own category. It never carries
// a token, code, secret or URL: LINE's error is kept as its code only.
type UpstreamError struct {
	Op     string // the endpoint: "token", "refresh", "verify", "profile", "revoke", "certs", "friendship", "deauthorize"
	Status int    // the HTTP status, 0 when no response came
	Code   string // LINE's error code ({"error": ...}), if it sent one
	// Message is LINE's error_description or message. It is for the app
	// to inspect and is never part of Error(): it may echo what was sent.
	Message string
	// RequestID is LINE's x-line-request-id, to quote to LINE's support.
	RequestID string
	// RetryAfter is how long LINE asked callers to wait (its Retry-After
	// header, with a 429 or a 503); zero when it did not say.
	RetryAfter time.Duration
	Err        error // the cause, with any URL removed
}

// Error names the endpoint, the status and LINE's error code; never
// LINE's message, a token or a URL.
func (e *UpstreamError) Error() string {
	msg := "callback: LINE " + e.Op + " endpoint"
	if e.Status != 0 {
		msg += fmt.Sprintf(": status %d", e.Status)
	}
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is matches the one category of e, from LINE's answer.
func (e *UpstreamError) Is(target error) bool { return target == e.category() }

// category sorts LINE's answer into exactly one of the package's
// categories.
func (e *UpstreamError) category() error {
	switch {
	case e.Status == 0, e.Status >= 500, e.Status == http.StatusTooManyRequests, e.Status/100 == 2:
		// No answer, LINE broken or busy, or a success we cannot use.
		return ErrUpstream
	case e.Code == "invalid_client", e.redirectMismatch():
		// LINE refuses the channel ID or secret, or the callback URL is
		// not the one registered: no retry will help.
		return ErrConfig
	case e.Op == "token" && e.Code == "invalid_grant":
		return ErrCodeRejected
	case e.Op == "refresh" && (e.Code == "invalid_grant" || e.Status == http.StatusBadRequest || e.Status == http.StatusUnauthorized):
		return ErrRefreshRejected
	case e.Op == "deauthorize" && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden):
		// The channel access token is the app's own credential.
		return ErrConfig
	case e.Status == http.StatusUnauthorized, e.Op == "verify" && e.Status == http.StatusBadRequest,
		e.Op == "deauthorize" && e.Status == http.StatusBadRequest,
		e.Op == "profile" && e.Status == http.StatusForbidden:
		// The user's access token or ID token is refused: unknown,
		// expired or revoked (401, or 400 from verify and deauthorize), or
		// without the scope the call needs (403 from profile). Retrying
		// cannot help.
		return ErrInvalidToken
	}
	return ErrUpstream
}

// Unwrap returns the cause.
func (e *UpstreamError) Unwrap() error { return e.Err }

// redirectMismatch reports LINE's token endpoint refusing the code because
// the redirect_uri differs from the one the code was issued for, or from
// the callback URL registered for the channel: invalid_grant, like an
// expired code, but a configuration mistake that every login will repeat.
func (e *UpstreamError) redirectMismatch() bool {
	return e.Op == "token" && e.Code == "invalid_grant" && strings.Contains(e.Message, "redirect_uri")
}

// refusal describes LINE refusing a token, for a TokenError's Reason. The
// TokenError does not wrap e: that would put the refusal in two
// categories.
func (e *UpstreamError) refusal() string {
	s := fmt.Sprintf("LINE's %s endpoint refused it (status %d", e.Op, e.Status)
	if e.Code != "" {
		s += ", " + e.Code
	}
	return s + ")"
}

// upstream wraps a transport error, dropping the URL that *url.Error would
// print: LINE's verify endpoint takes the access token in its query.
func upstream(op string, status int, err error) *UpstreamError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &UpstreamError{Op: op, Status: status, Err: err}
}
