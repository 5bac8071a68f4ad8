package middleware

import (
	"sync"
	"time"

	"github.com/linelogin/linelogin/session"
)

// sessionCacheSize bounds the decoded sessions kept in memory.
const sessionCacheSize = 10000

// sessionCache maps session cookie values that were verified and decoded
// to their request state, so that an authenticated request costs a map
// lookup instead of an HMAC, a decryption, two base64 decodings and the
// allocations of decoding (securecookie and a decode take several
// microseconds; a hit takes well under one).
//
// It holds only what the session Manager allowed (Opened.CacheUntil):
// sessions of the stateless cookie store, under the current key, until
// their expiry, which every hit checks again; and sessions of a
// session.LeasingStore (Redis) while the store's lease holds, which every
// hit checks too (an atomic load): the store ends the lease when the
// session changes anywhere or when it can no longer hear of changes, so a
// logout or a revocation elsewhere takes effect as soon as Redis's
// invalidation reaches this instance. Other server-side sessions are never
// cached. A hit requires the exact cookie value that passed
// verification, so the cache is as strict as the codec. The cached state is
// shared by requests and never modified.
type sessionCache struct {
	now     func() time.Time
	mu      sync.RWMutex
	entries map[string]sessionCacheEntry
}

type sessionCacheEntry struct {
	state  *requestState
	expiry time.Time
	lease  *session.Lease // nil for the cookie store
	touch  *sessionTouch  // nil unless the store lists sessions
}

func newSessionCache(now func() time.Time) *sessionCache {
	return &sessionCache{now: now, entries: make(map[string]sessionCacheEntry)}
}

func (c *sessionCache) get(value string) (*requestState, *sessionTouch) {
	c.mu.RLock()
	e, ok := c.entries[value]
	c.mu.RUnlock()
	if !ok || !c.now().Before(e.expiry) || (e.lease != nil && e.lease.Ended()) {
		return nil, nil
	}
	return e.state, e.touch
}

func (c *sessionCache) put(value string, e sessionCacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	makeRoom(c.entries, sessionCacheSize) // an evicted session costs one full decode
	c.entries[value] = e
}

func (c *sessionCache) forget(value string) {
	c.mu.Lock()
	delete(c.entries, value)
	c.mu.Unlock()
}
