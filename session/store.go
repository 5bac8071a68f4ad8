package session

import (
	"context"
	"time"
)

// Store keeps session payloads. The session cookie carries, encrypted, the
// reference that Save returns; Load maps it back to the payload.
//
// Without a Store, the default keeps the payload in the cookie itself. A
// server-side store returns a random ID instead, which lets a logout end
// the session on every app instance.
type Store interface {
	// Save keeps payload until expiry and returns the reference the cookie
	// will carry. A new reference is returned on every call. owner names
	// whose session it is (the LINE user ID), so that a store implementing
	// OwnerRevoker can end all of an owner's sessions.
	Save(ctx context.Context, owner string, payload []byte, expiry time.Time) (ref []byte, err error)
	// Load returns the payload for ref, or ErrNotFound.
	Load(ctx context.Context, ref []byte) (payload []byte, err error)
	// Delete forgets ref. Deleting an unknown ref is not an error.
	Delete(ctx context.Context, ref []byte) error
}

// OwnerRevoker is implemented by stores that index sessions by owner.
type OwnerRevoker interface {
	// DeleteOwner ends every session saved for owner.
	DeleteOwner(ctx context.Context, owner string) error
}

// Replacer is implemented by stores that can swap a session's payload
// atomically, only while the session exists, so that a renewal racing a
// logout never brings the ended session back (a Save of a new session
// followed by a Delete of the old would). Stores that are not Replacers
// get that Save and Delete, after a Load that finds the session.
type Replacer interface {
	// Replace swaps the payload of owner's session ref for payload,
	// keeping its expiry, and returns the reference the cookie carries
	// from now on (ref itself for a store that swaps in place). It saves
	// nothing and fails with ErrNotFound when the session has ended or is
	// not owner's.
	Replace(ctx context.Context, ref []byte, owner string, payload []byte) (newRef []byte, err error)
}
