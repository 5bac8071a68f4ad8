package middleware

import (
	"container/list"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// tokenCache remembers what LINE said about a token: the user of a
// verified bearer token, so that a native app's burst of API calls costs one
// check with LINE, or the new token a refresh gave. It is keyed by a
// SHA-256 of the token (the tokens themselves are not kept), bounded in
// entries (least recently used out first), and an entry never outlives its
// token. Concurrent misses for one token wait for a single upstream call
// (singleflight: a check that panics releases its waiters, who panic too,
// and the next request checks again).
type tokenCache[V any] struct {
	ttl   time.Duration
	limit int
	now   func() time.Time

	mu      sync.Mutex
	entries map[tokenKey]*list.Element // of *cacheEntry
	lru     *list.List
	checks  singleflight.Group
}

type tokenKey [32]byte

type cacheEntry[V any] struct {
	key    tokenKey
	value  V
	expiry time.Time
}

func newTokenCache[V any](ttl time.Duration, limit int, now func() time.Time) *tokenCache[V] {
	return &tokenCache[V]{
		ttl:     ttl,
		limit:   limit,
		now:     now,
		entries: make(map[tokenKey]*list.Element),
		lru:     list.New(),
	}
}

// get returns the cached value for key, or runs check once for all callers
// waiting on key and caches a success until min(expiry, now+ttl).
func (c *tokenCache[V]) get(key tokenKey, check func() (V, time.Time, error)) (V, error) {
	if v, ok := c.lookup(key); ok {
		return v, nil
	}
	res, err, _ := c.checks.Do(string(key[:]), func() (any, error) {
		// A check that finished between the lookup above and this call
		// has left its answer in the cache: use it, not a second check.
		if v, ok := c.lookup(key); ok {
			return v, nil
		}
		v, expiry, err := check()
		if err != nil {
			return nil, err
		}
		c.put(key, v, expiry)
		return v, nil
	})
	if err != nil {
		var zero V
		return zero, err
	}
	return res.(V), nil
}

func (c *tokenCache[V]) lookup(key tokenKey) (V, bool) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*cacheEntry[V])
		if now.Before(e.expiry) {
			c.lru.MoveToFront(el)
			return e.value, true
		}
		c.lru.Remove(el)
		delete(c.entries, key)
	}
	var zero V
	return zero, false
}

func (c *tokenCache[V]) put(key tokenKey, v V, expiry time.Time) {
	if limit := c.now().Add(c.ttl); expiry.After(limit) {
		expiry = limit
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.lru.Remove(el)
	}
	c.entries[key] = c.lru.PushFront(&cacheEntry[V]{key: key, value: v, expiry: expiry})
	for c.lru.Len() > c.limit {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.entries, oldest.Value.(*cacheEntry[V]).key)
	}
}
