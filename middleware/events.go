package middleware

import (
	"context"
	"time"
)

// EventKind says what happened, for an audit log.
type EventKind string

// The kinds of Event.
const (
	// EventLogin: a user logged in on the web (a new session).
	EventLogin EventKind = "login"
	// EventLogout: a user ended their session with a logout POST.
	EventLogout EventKind = "logout"
	// EventLink: a LINE user was linked to an account of the app.
	EventLink EventKind = "link"
	// EventUnlink: a LINE user was unlinked from an account of the app.
	EventUnlink EventKind = "unlink"
	// EventRevoke: a user's sessions were ended for them (UserSessions.RevokeUser), or
	// the app was deauthorized at LINE (UserSessions.Unregister).
	EventRevoke EventKind = "revoke"
	// EventFailure: a login, callback or logout failed; Reason and Err say
	// why.
	EventFailure EventKind = "failure"
)

// Event is one thing worth an audit log line. It never holds a token, a
// code, a secret or a cookie value.
type Event struct {
	Kind EventKind
	// Time is when it happened, by Config.Now.
	Time time.Time
	// ChannelID is the LINE channel it happened on: the tenant's with
	// Config.Tenants, Config.LINE's otherwise.
	ChannelID string
	// UserID is the LINE user ID, when known.
	UserID string
	// AccountID is the app's own account ID (from OnLogin or a link), when
	// known.
	AccountID string
	// Reason and Err say why an EventFailure failed; Err matches the
	// module's sentinel errors with errors.Is.
	Reason Reason
	Err    error
}

// emit hands e to Config.OnEvent, if set. Linking and other parts of the
// middleware call it for their own kinds.
func (a *Auth) emit(ctx context.Context, e Event) {
	if a.cfg.OnEvent == nil {
		return
	}
	e.Time = a.cfg.Now()
	e.ChannelID = a.cfg.LINE.ChannelID // a tenant's view has its own
	a.cfg.OnEvent(ctx, e)
}
