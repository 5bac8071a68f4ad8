package middleware

import (
	"context"
	"net/http"

	"github.com/linelogin/linelogin/callback"
)

// User is a LINE user the LINE Platform vouched for. UserFromContext hands
// each caller a copy of its own: changing it changes nothing for other
// requests.
type User = callback.User

// Source says how a request's user was authenticated.
type Source uint8

// The sources of a user.
const (
	// SourceNone: no user.
	SourceNone Source = iota
	// SourceSession: a browser session cookie from a web login.
	SourceSession
	// SourceAccessToken: an Authorization: Bearer access token from a
	// native or LIFF app, verified with LINE.
	SourceAccessToken
	// SourceIDToken: an ID token in the X-Line-ID-Token header, from
	// liff.getIDToken() or a native SDK.
	SourceIDToken
)

// String names the source: "session", "access token", "ID token" or
// "none".
func (s Source) String() string {
	switch s {
	case SourceSession:
		return "session"
	case SourceAccessToken:
		return "access token"
	case SourceIDToken:
		return "ID token"
	}
	return "none"
}

type stateKey struct{}

// requestState is what the middleware learned about a request's
// credentials. One value per request keeps the context to a single
// allocation.
type requestState struct {
	user   *User
	source Source
	// session is the decoded session of a SourceSession user, with the
	// account ID and the tokens; nil otherwise (a bearer token is never
	// kept).
	session *sessionData
	// unavailable is set when the session store or LINE could not be
	// reached: the request is neither in nor out, and gets 503.
	unavailable error
	// refused is set when a bearer credential was malformed or invalid.
	refused error
}

func withState(ctx context.Context, st *requestState) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

// stateFrom returns the request's state, or nil when the middleware has
// not looked at the request or found no credentials at all.
func stateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(stateKey{}).(*requestState)
	return st
}

// state returns the state of r as withSession leaves it, bearer
// credentials checked: anonymous when it found no credentials.
func (a *Auth) state(w http.ResponseWriter, r *http.Request) (*http.Request, *requestState) {
	r = a.withSession(w, r, true)
	if st := stateFrom(r.Context()); st != nil {
		return r, st
	}
	return r, anonymous
}

// UserFromContext returns the authenticated LINE user of the request whose
// context is ctx, and whether there is one. The user is a copy, AMR and
// FriendshipStatusChanged included, made for this call: the middleware
// shares one verified user between the requests of a session or a token,
// and a handler that changes its copy must not change theirs.
func UserFromContext(ctx context.Context) (*User, bool) {
	if st := stateFrom(ctx); st != nil && st.user != nil {
		return copyUser(st.user), true
	}
	return nil, false
}

// userCopy is a User with room for what its pointer and slice fields point
// to, so that a copy of a usual user is a single allocation.
type userCopy struct {
	user   User
	amr    [4]string // LINE names one or two methods
	friend bool
}

// copyUser returns a copy of u that shares nothing mutable with it.
func copyUser(u *User) *User {
	c := &userCopy{user: *u}
	if n := len(u.AMR); n > 0 {
		if n <= len(c.amr) {
			c.user.AMR = c.amr[:n:n]
		} else {
			c.user.AMR = make([]string, n)
		}
		copy(c.user.AMR, u.AMR)
	}
	if u.FriendshipStatusChanged != nil {
		c.friend = *u.FriendshipStatusChanged
		c.user.FriendshipStatusChanged = &c.friend
	}
	return &c.user
}

// SourceFromContext returns how the request's user was authenticated.
func SourceFromContext(ctx context.Context) Source {
	if st := stateFrom(ctx); st != nil {
		return st.source
	}
	return SourceNone
}
