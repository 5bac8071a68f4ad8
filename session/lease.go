package session

import (
	"context"
	"sync/atomic"
	"time"
)

// A Lease is a server-side store's promise that a session it loaded stays
// exactly as loaded until Until, or until the store ends the lease first:
// when the session is changed or deleted (by this app or anyone else), or
// when the store can no longer learn of such changes (its invalidation
// connection dropped). While a lease holds, a caller may keep the session
// in memory instead of asking the store again; that is how the middleware
// serves a server-side session at the cost of a map lookup.
//
// Checking a lease is one atomic load; it is safe for concurrent use.
type Lease struct {
	until time.Time
	ended atomic.Bool
}

// NewLease returns a lease that holds until until unless ended first.
func NewLease(until time.Time) *Lease { return &Lease{until: until} }

// Until is the latest time the lease can hold.
func (l *Lease) Until() time.Time { return l.until }

// End ends the lease: from now on Held reports false. Ending an ended
// lease does nothing.
func (l *Lease) End() { l.ended.Store(true) }

// Held reports whether the lease still holds at now: not ended, and now
// before Until. A nil lease never holds.
func (l *Lease) Held(now time.Time) bool {
	return l != nil && !l.ended.Load() && now.Before(l.until)
}

// Ended reports whether the store ended the lease, whatever the time.
func (l *Lease) Ended() bool { return l == nil || l.ended.Load() }

// LeasingStore is implemented by server-side stores that learn when a
// session changes (Redis's server-assisted client-side caching), so that
// callers may keep a session in memory until the store says otherwise.
type LeasingStore interface {
	Store
	// LoadLeased is Load that also returns a lease on the payload. The
	// lease is taken before the payload is read, so a change that races
	// with the read ends it; it is nil when the store cannot promise
	// anything right now.
	LoadLeased(ctx context.Context, ref []byte) (payload []byte, lease *Lease, err error)
}
