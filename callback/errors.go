package callback

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Sentinel errors. Every error this package returns from a login wraps one
// of them, so callers choose a response with errors.Is.
var (
	// ErrState reports a callback whose state is missing, malformed, or
	// matches no live flow: a forged callback, a replay, or a login that
	// finished in another browser (LINE's auto-login can open one). The
	// remedy is to start again.
	ErrState = errors.New("callback: state does not match a login in progress")
	// ErrAuthorization is wrapped by *AuthError: LINE sent an error
	// instead of a code, for example because the user declined.
	ErrAuthorization = errors.New("callback: LINE returned an authorization error")
	// ErrCodeRejected reports a code the token endpoint refused
	// (invalid_grant): expired, used, or issued for another flow.
	ErrCodeRejected = errors.New("callback: authorization code rejected")
	// ErrIDToken is wrapped by *IDTokenError: the ID token failed
	// verification.
	ErrIDToken = errors.New("callback: ID token rejected")
	// ErrRefreshRejected reports a refresh token LINE no longer accepts
	// (expired, revoked, or the user deauthorized the app): the user must
	// log in again.
	ErrRefreshRejected = errors.New("callback: refresh token rejected")
	// ErrUpstream is wrapped by *UpstreamError: the LINE Platform could not
	// be reached, timed out, or answered with something unusable.
	ErrUpstream = errors.New("callback: LINE Platform unavailable")
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

// IDTokenError says why an ID token was rejected.
type IDTokenError struct {
	Reason string
	Err    error // the underlying error, such as *oidc.TokenExpiredError
}

// Error says why the ID token was rejected.
func (e *IDTokenError) Error() string {
	if e.Err != nil {
		return "callback: ID token rejected: " + e.Reason + ": " + e.Err.Error()
	}
	return "callback: ID token rejected: " + e.Reason
}

// Is makes errors.Is(err, ErrIDToken) and errors.Is(err, ErrInvalidToken)
// true.
func (e *IDTokenError) Is(target error) bool {
	return target == ErrIDToken || target == ErrInvalidToken
}

// Unwrap returns the underlying error.
func (e *IDTokenError) Unwrap() error { return e.Err }

// UpstreamError reports a failed back-channel call to the LINE Platform. It
// never carries a token, code, secret or URL: LINE's error is kept as its
// code only.
type UpstreamError struct {
	Op     string // the endpoint: "token", "refresh", "verify", "profile", "revoke", "certs", "friendship", "deauthorize"
	Status int    // the HTTP status, 0 when no response came
	Code   string // LINE's error code ({"error": ...}), if it sent one
	// Message is LINE's error_description or message. It is for the app
	// to inspect and is never part of Error(): it may echo what was sent.
	Message string
	// RequestID is LINE's x-line-request-id, to quote to LINE's support.
	RequestID string
	Err       error // the cause, with any URL removed
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

// Is makes errors.Is(err, ErrUpstream) true, errors.Is(err,
// ErrCodeRejected) true for the token endpoint's invalid_grant at login,
// and errors.Is(err, ErrRefreshRejected) true for it at refresh.
func (e *UpstreamError) Is(target error) bool {
	switch target {
	case ErrCodeRejected:
		return e.Op == "token" && e.Code == "invalid_grant"
	case ErrRefreshRejected:
		return e.Op == "refresh" && (e.Code == "invalid_grant" || e.Status == http.StatusBadRequest || e.Status == http.StatusUnauthorized)
	}
	return target == ErrUpstream
}

// Unwrap returns the cause.
func (e *UpstreamError) Unwrap() error { return e.Err }

// upstream wraps a transport error, dropping the URL that *url.Error would
// print: LINE's verify endpoint takes the access token in its query.
func upstream(op string, status int, err error) *UpstreamError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &UpstreamError{Op: op, Status: status, Err: err}
}
