package middleware

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/linelogin/linelogin/link"
)

// linkRecheckInterval is how long an instance answers
// LinkedAccountFromContext for a LINE user from what it last read in
// Linking.Store: a link or unlink made by another instance (or straight
// in the store) is seen by this one within it. One made through this
// instance's handlers is seen by it at once.
const linkRecheckInterval = time.Second

// linkCacheSize bounds the LINE users whose account an instance keeps.
const linkCacheSize = 100000

// linkReadTimeout bounds a read of the store shared by the requests
// waiting for it, which runs under none of their contexts.
const linkReadTimeout = 5 * time.Second

// linkCache keeps the account linked to each LINE user as last read from
// the store (or written through this instance), so that the requests of a
// linked user make no store round trip but one per linkRecheckInterval.
// Concurrent misses for one user wait for a single read (singleflight),
// which runs under no caller's context. Every answer carries a sequence
// number taken before its read (or after its write): an older one never
// replaces a newer one, so a read that started before this instance's
// unlink cannot bring the link back.
type linkCache struct {
	store link.Store
	now   func() time.Time

	seq   atomic.Uint64
	mu    sync.RWMutex
	users map[string]linkCacheEntry // by LINE user ID
	reads singleflight.Group
}

type linkCacheEntry struct {
	account string    // "" when unlinked
	checked time.Time // when it was read; zero: read again
	seq     uint64
}

func newLinkCache(store link.Store, now func() time.Time) *linkCache {
	return &linkCache{store: store, now: now, users: make(map[string]linkCacheEntry)}
}

// fresh returns the account of lineUserID if it was checked within
// linkRecheckInterval.
func (c *linkCache) fresh(lineUserID string) (string, bool) {
	c.mu.RLock()
	e, ok := c.users[lineUserID]
	c.mu.RUnlock()
	if !ok || e.checked.IsZero() {
		return "", false
	}
	now := c.now()
	if now.Before(e.checked) || !now.Before(e.checked.Add(linkRecheckInterval)) {
		return "", false
	}
	return e.account, true
}

// account returns the account linked to lineUserID ("" when none): from
// memory when checked within linkRecheckInterval, else from the store,
// one read for all the requests that ask at once. An error means the
// store could not answer (or ctx ended first), never "unlinked".
func (c *linkCache) account(ctx context.Context, lineUserID string) (string, error) {
	if acct, ok := c.fresh(lineUserID); ok {
		return acct, nil
	}
	ch := c.reads.DoChan(lineUserID, func() (any, error) { return c.readShared(lineUserID) })
	select {
	case res := <-ch:
		if res.Err != nil {
			return "", res.Err
		}
		return res.Val.(string), nil
	case <-ctx.Done():
		return "", fmt.Errorf("%w: reading the linked account: %w", link.ErrUnavailable, context.Cause(ctx))
	}
}

// readShared is the read that account's callers share.
func (c *linkCache) readShared(lineUserID string) (acct string, err error) {
	defer func() {
		// A panic would otherwise end the process (DoChan panics in a
		// goroutine of its own): the waiters get an error instead.
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: the link store panicked: %v", link.ErrUnavailable, p)
		}
	}()
	// A read that finished between the caller's look and this one has
	// left its answer: use it, not a second read.
	if acct, ok := c.fresh(lineUserID); ok {
		return acct, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), linkReadTimeout)
	defer cancel()
	return c.read(ctx, lineUserID)
}

// read reads the account of lineUserID from the store now and keeps it.
func (c *linkCache) read(ctx context.Context, lineUserID string) (string, error) {
	seq, checked := c.seq.Add(1), c.now()
	acct, err := c.store.AccountOf(ctx, lineUserID)
	switch {
	case errors.Is(err, link.ErrNotLinked):
		acct = ""
	case err != nil:
		return "", err
	}
	c.put(lineUserID, linkCacheEntry{account: acct, checked: checked, seq: seq})
	return acct, nil
}

// wrote records a link (account set) or unlink (account "") this instance
// just made in the store: its requests see it at once.
func (c *linkCache) wrote(lineUserID, account string) {
	c.put(lineUserID, linkCacheEntry{account: account, checked: c.now(), seq: c.seq.Add(1)})
	c.reads.Forget(lineUserID)
}

// unsure records that a write for lineUserID may or may not have been
// made (the store failed midway): the next request reads the store.
func (c *linkCache) unsure(lineUserID string) {
	c.put(lineUserID, linkCacheEntry{seq: c.seq.Add(1)})
	c.reads.Forget(lineUserID)
}

func (c *linkCache) put(lineUserID string, e linkCacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.users[lineUserID]; ok && old.seq > e.seq {
		return // a newer answer is already here
	}
	makeRoom(c.users, linkCacheSize) // an evicted user costs one store read
	c.users[lineUserID] = e
}
