package middleware_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
)

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
		{"an unlink the app refused", fmt.Errorf("%w: only way in", middleware.ErrUnlinkRefused), middleware.ErrUnlinkRefused, 409},
	} {
		checkOneCategory(t, tc.name, tc.err, tc.want)
		if got := middleware.ErrorStatus(tc.err); tc.status != 0 && got != tc.status {
			t.Errorf("ErrorStatus(%s) = %d, want %d", tc.name, got, tc.status)
		}
	}
}
