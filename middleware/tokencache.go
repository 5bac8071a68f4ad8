package middleware

import (
	"container/list"
	"sync"
	"time"
)

// tokenCache remembers the users of verified bearer tokens, so that a
// native app's burst of API calls costs one check with LINE. It is keyed by
// a SHA-256 of the token (the tokens themselves are not kept), bounded in
// entries (least recently used out first), and an entry never outlives its
// token. Concurrent misses for one token wait for a single upstream check.
type tokenCache struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu       sync.Mutex
	entries  map[tokenKey]*list.Element // of *cacheEntry
	lru      *list.List
	inflight map[tokenKey]*inflightCheck
}

type tokenKey [32]byte

type cacheEntry struct {
	key    tokenKey
	user   *User
	expiry time.Time
}

type inflightCheck struct {
	done chan struct{}
	user *User
	err  error
}

func newTokenCache(ttl time.Duration, max int) *tokenCache {
	return &tokenCache{
		ttl:      ttl,
		max:      max,
		now:      time.Now,
		entries:  make(map[tokenKey]*list.Element),
		lru:      list.New(),
		inflight: make(map[tokenKey]*inflightCheck),
	}
}

// get returns the cached user for key, or runs check once for all callers
// waiting on key and caches a success until min(expiry, now+ttl).
func (c *tokenCache) get(key tokenKey, check func() (*User, time.Time, error)) (*User, error) {
	now := c.now()
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*cacheEntry)
		if now.Before(e.expiry) {
			c.lru.MoveToFront(el)
			c.mu.Unlock()
			return e.user, nil
		}
		c.lru.Remove(el)
		delete(c.entries, key)
	}
	if call, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		<-call.done
		return call.user, call.err
	}
	call := &inflightCheck{done: make(chan struct{})}
	c.inflight[key] = call
	c.mu.Unlock()

	user, expiry, err := check()
	call.user, call.err = user, err

	c.mu.Lock()
	delete(c.inflight, key)
	if err == nil {
		if limit := c.now().Add(c.ttl); expiry.After(limit) {
			expiry = limit
		}
		c.entries[key] = c.lru.PushFront(&cacheEntry{key: key, user: user, expiry: expiry})
		for c.lru.Len() > c.max {
			oldest := c.lru.Back()
			c.lru.Remove(oldest)
			delete(c.entries, oldest.Value.(*cacheEntry).key)
		}
	}
	c.mu.Unlock()
	close(call.done)
	return user, err
}
