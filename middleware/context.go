package middleware

import (
	"context"

	"github.com/linelogin/linelogin/callback"
)

// User is a LINE user the LINE Platform vouched for.
type User = callback.User

type stateKey struct{}

// requestState is what the middleware learned about a request's session.
// One value per request keeps the context to a single allocation.
type requestState struct {
	data *sessionData // nil when not logged in
	err  error        // the session store failed: neither in nor out
}

func withState(ctx context.Context, st *requestState) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

func stateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(stateKey{}).(*requestState)
	return st
}

// UserFromContext returns the logged-in LINE user of the request whose
// context is ctx, and whether there is one.
func UserFromContext(ctx context.Context) (*User, bool) {
	if st := stateFrom(ctx); st != nil && st.data != nil {
		return &st.data.user, true
	}
	return nil, false
}

// AccountIDFromContext returns the app's own account ID that the OnLogin
// hook linked to the logged-in user, or "" if there is none.
func AccountIDFromContext(ctx context.Context) string {
	if st := stateFrom(ctx); st != nil && st.data != nil {
		return st.data.accountID
	}
	return ""
}
