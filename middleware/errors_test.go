package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// sentinels are every error category a caller of this module can match.
var sentinels = map[string]error{
	"callback.ErrConfig (= middleware.ErrConfig)": callback.ErrConfig,
	"callback.ErrUpstream":                        callback.ErrUpstream,
	"callback.ErrState":                           callback.ErrState,
	"callback.ErrResponseRejected":                callback.ErrResponseRejected,
	"callback.ErrAuthorization":                   callback.ErrAuthorization,
	"callback.ErrCodeRejected":                    callback.ErrCodeRejected,
	"callback.ErrInvalidToken":                    callback.ErrInvalidToken,
	"callback.ErrRefreshRejected":                 callback.ErrRefreshRejected,
	"middleware.ErrLoginRequired":                 middleware.ErrLoginRequired,
	"middleware.ErrMalformedCredential":           middleware.ErrMalformedCredential,
	"middleware.ErrLoginRejected":                 middleware.ErrLoginRejected,
	"session.ErrBadKey":                           session.ErrBadKey,
	"session.ErrNotFound":                         session.ErrNotFound,
	"session.ErrStoreUnavailable":                 session.ErrStoreUnavailable,
	"session.ErrCookieTooLarge":                   session.ErrCookieTooLarge,
	"session.ErrRevocationUnsupported":            session.ErrRevocationUnsupported,
	"session.ErrListingUnsupported":               session.ErrListingUnsupported,
	"middleware.ErrCrossSiteRequest":              middleware.ErrCrossSiteRequest,
	"middleware.ErrNotSignedIn":                   middleware.ErrNotSignedIn,
	"middleware.ErrConnectSessionChanged":         middleware.ErrConnectSessionChanged,
	"middleware.ErrUnlinkRefused":                 middleware.ErrUnlinkRefused,
	"middleware.ErrUnknownTenant":                 middleware.ErrUnknownTenant,
	"link.ErrAlreadyLinked":                       link.ErrAlreadyLinked,
	"link.ErrNotLinked":                           link.ErrNotLinked,
	"link.ErrInvalidID":                           link.ErrInvalidID,
	"link.ErrUnavailable":                         link.ErrUnavailable,
	"link.ErrProofRefused":                        link.ErrProofRefused,
	"middleware.ErrRateLimited":                   middleware.ErrRateLimited,
}

// TestErrors_EachMatchesExactlyOneCategory checks every kind of error the
// module returns against every sentinel: exactly one matches, so what a
// caller (and the 401-or-503 choice of bearer mode) sees never depends on
// the order of its errors.Is checks.
func TestErrors_EachMatchesExactlyOneCategory(t *testing.T) {
	upstream := func(op string, status int, code string) error {
		return fmt.Errorf("wrapped: %w", &callback.UpstreamError{Op: op, Status: status, Code: code})
	}
	_, configErr := middleware.New(middleware.Config{})
	_, keyErr := session.ParseKeys("not base64")
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"New with an empty Config", configErr, callback.ErrConfig},
		{"ParseKeys of a bad key", keyErr, session.ErrBadKey},
		{"no answer from LINE", upstream("token", 0, ""), callback.ErrUpstream},
		{"LINE's 500", upstream("token", http.StatusInternalServerError, "server_error"), callback.ErrUpstream},
		{"LINE's 429", upstream("verify", http.StatusTooManyRequests, ""), callback.ErrUpstream},
		{"an unusable 200", upstream("profile", http.StatusOK, ""), callback.ErrUpstream},
		{"an unexpected 404", upstream("friendship", http.StatusNotFound, ""), callback.ErrUpstream},
		{"invalid_client at login", upstream("token", http.StatusUnauthorized, "invalid_client"), callback.ErrConfig},
		{"invalid_client at refresh", upstream("refresh", http.StatusBadRequest, "invalid_client"), callback.ErrConfig},
		{"a refused channel access token", upstream("deauthorize", http.StatusUnauthorized, ""), callback.ErrConfig},
		{"invalid_grant at login", upstream("token", http.StatusBadRequest, "invalid_grant"), callback.ErrCodeRejected},
		{"invalid_grant at refresh", upstream("refresh", http.StatusBadRequest, "invalid_grant"), callback.ErrRefreshRejected},
		{"a refused access token at profile", upstream("profile", http.StatusUnauthorized, ""), callback.ErrInvalidToken},
		{"a refused ID token at verify", upstream("verify", http.StatusBadRequest, "invalid_request"), callback.ErrInvalidToken},
		{"a refused user token at deauthorize", upstream("deauthorize", http.StatusBadRequest, ""), callback.ErrInvalidToken},
		{"a token without the profile scope", upstream("profile", http.StatusForbidden, ""), callback.ErrInvalidToken},
		{"a refused access token", &callback.TokenError{Kind: "access token", Reason: "expired"}, callback.ErrInvalidToken},
		{"a refused ID token", &callback.TokenError{Kind: "ID token", Reason: "nonce", Err: context.DeadlineExceeded}, callback.ErrInvalidToken},
		{"LINE's error at the callback", &callback.AuthError{Code: "ACCESS_DENIED"}, callback.ErrAuthorization},
		{"a bad state", callback.ErrState, callback.ErrState},
		{"a forged JARM response", fmt.Errorf("%w: bad signature", callback.ErrResponseRejected), callback.ErrResponseRejected},
		{"a hook's refusal", fmt.Errorf("%w: %w", middleware.ErrLoginRejected, errors.New("banned")), middleware.ErrLoginRejected},
		{"a malformed header", middleware.ErrMalformedCredential, middleware.ErrMalformedCredential},
		{"no session", middleware.ErrLoginRequired, middleware.ErrLoginRequired},
		{"a cross-site logout", middleware.ErrCrossSiteRequest, middleware.ErrCrossSiteRequest},
		{"a store outage", fmt.Errorf("%w: load: %w", session.ErrStoreUnavailable, errors.New("i/o timeout")), session.ErrStoreUnavailable},
		{"a session too big", fmt.Errorf("cookie: %w", session.ErrCookieTooLarge), session.ErrCookieTooLarge},
		{"no revocation", session.ErrRevocationUnsupported, session.ErrRevocationUnsupported},
		{"no listing", session.ErrListingUnsupported, session.ErrListingUnsupported},
		{"a bearer check over the limits", fmt.Errorf("%w: retry in 1s", middleware.ErrRateLimited), middleware.ErrRateLimited},
		{"a store's not found", session.ErrNotFound, session.ErrNotFound},
	}
	for _, tc := range cases {
		checkOneCategory(t, tc.name, tc.err, tc.want)
	}
}

// checkOneCategory fails t unless err matches want and no other sentinel,
// and at most one row of the error table (see errortable.go).
func checkOneCategory(t *testing.T, name string, err, want error) {
	t.Helper()
	var matched []string
	for n, s := range sentinels {
		if errors.Is(err, s) {
			matched = append(matched, n)
		}
	}
	if len(matched) != 1 || !errors.Is(err, want) {
		t.Errorf("%s (%v) matches %v; want exactly %v", name, err, matched, want)
	}
	rows := 0
	for _, s := range middleware.ErrorTableSentinels() {
		if errors.Is(err, s) {
			rows++
		}
	}
	if rows > 1 {
		t.Errorf("%s (%v) matches %d rows of the error table; want at most 1", name, err, rows)
	}
}
