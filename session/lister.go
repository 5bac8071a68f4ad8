package session

import (
	"context"
	"time"
)

// Info describes one of an owner's sessions, as a "your devices" page
// shows it. It holds nothing that can be turned back into a cookie.
type Info struct {
	// ID names the session for Lister.DeleteID: an opaque string, safe
	// to put in a page, that cannot be used as a session cookie.
	ID string
	// Created is when the session started (the login).
	Created time.Time
	// LastSeen is when the session was last used, as recorded by Touch:
	// at most every few minutes, not on every request, so it lags by up
	// to that much.
	LastSeen time.Time
	// Expires is when the session ends unless it is ended earlier.
	Expires time.Time
	// Device is a coarse hint of the browser and system the session was
	// last used from ("Chrome on Android"), or "" if unknown.
	Device string
}

// Lister is implemented by server-side stores that can show an owner the
// sessions they have and end one of them.
type Lister interface {
	// ID returns the Info.ID of the session ref names.
	ID(ref []byte) string
	// List returns owner's live sessions, most recently seen first.
	List(ctx context.Context, owner string) ([]Info, error)
	// DeleteID ends owner's session id. An id that is not one of owner's
	// sessions (ended already, or another owner's) is not an error and
	// ends nothing.
	DeleteID(ctx context.Context, owner, id string) error
	// Touch records that the session ref, of owner, was used at seen from
	// device.
	Touch(ctx context.Context, owner string, ref []byte, seen time.Time, device string) error
}
