package middleware_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
)

// The categories of linking join those of TestErrors_EachMatchesExactlyOneCategory.
func init() {
	for name, err := range map[string]error{
		"middleware.ErrCrossSiteRequest":      middleware.ErrCrossSiteRequest,
		"middleware.ErrNotSignedIn":           middleware.ErrNotSignedIn,
		"middleware.ErrConnectSessionChanged": middleware.ErrConnectSessionChanged,
		"link.ErrAlreadyLinked":               link.ErrAlreadyLinked,
		"link.ErrNotLinked":                   link.ErrNotLinked,
		"link.ErrInvalidID":                   link.ErrInvalidID,
		"link.ErrUnavailable":                 link.ErrUnavailable,
		"link.ErrProofRefused":                link.ErrProofRefused,
	} {
		sentinels[name] = err
	}
}

func TestErrors_LinkingMatchesExactlyOneCategory(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		want   error
		status int
	}{
		{"a LINE user linked elsewhere", &link.ConflictError{LINEUser: true}, link.ErrAlreadyLinked, 409},
		{"an account linked elsewhere", fmt.Errorf("connect: %w", &link.ConflictError{Account: true}), link.ErrAlreadyLinked, 409},
		{"a database outage", fmt.Errorf("%w: %w", link.ErrUnavailable, errors.New("database is locked")), link.ErrUnavailable, 503},
		{"a refused proof", fmt.Errorf("%w: in-house ID token: expired", link.ErrProofRefused), link.ErrProofRefused, 0}, // JSON from LinkAPIHandler, never a page
		{"a cross-site connect", middleware.ErrCrossSiteRequest, middleware.ErrCrossSiteRequest, 403},
		{"a connect signed out", middleware.ErrNotSignedIn, middleware.ErrNotSignedIn, 403},
		{"a session changed during a connect", middleware.ErrConnectSessionChanged, middleware.ErrConnectSessionChanged, 403},
	} {
		var matched []string
		for name, s := range sentinels {
			if errors.Is(tc.err, s) {
				matched = append(matched, name)
			}
		}
		if len(matched) != 1 || !errors.Is(tc.err, tc.want) {
			t.Errorf("%s (%v) matches %v; want exactly %v", tc.name, tc.err, matched, tc.want)
		}
		if got := middleware.ErrorStatus(tc.err); tc.status != 0 && got != tc.status {
			t.Errorf("ErrorStatus(%s) = %d, want %d", tc.name, got, tc.status)
		}
	}
}
