package middleware_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/linelogin/linelogin/linetest"
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
		if got := middleware.StatusOf(tc.err); tc.status != 0 && got != tc.status {
			t.Errorf("StatusOf(%s) = %d, want %d", tc.name, got, tc.status)
		}
	}
}

// TestLinkAPI_ConflictsAreNoGuesses: a right proof for an account linked to
// another LINE user is answered 409 however often it is sent: a conflict
// gives its attempt back, where a refused proof keeps it (see
// TestLinkAPI_LockoutPerLINEUser).
func TestLinkAPI_ConflictsAreNoGuesses(t *testing.T) {
	la := newLinkApp(t)
	users := linetest.DefaultUsers()
	rightFacts := `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`
	if resp, got := la.postLink(linkCall{la.bearer(users[0].ID), rightFacts}); resp.StatusCode != http.StatusOK {
		t.Fatalf("first link: %d %s", resp.StatusCode, got)
	}
	for i := range middleware.MaxRefusedProofs + 1 {
		resp, got := la.postLink(linkCall{la.bearer(users[1].ID), rightFacts})
		if resp.StatusCode != http.StatusConflict || got != answerConflict {
			t.Fatalf("conflict %d: %d %s", i, resp.StatusCode, got)
		}
	}
}
