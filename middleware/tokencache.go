package middleware

import (
	"container/list"
	"sync"
	"time"
)

// tokenCache remembers what LINE said about a token: the user of a
// verified bearer token, so that a native app's burst of API calls costs one
// check with LINE, or the new token a refresh gave. It is keyed by a
// SHA-256 of the token (the tokens themselves are not kept), bounded in
// entries (least recently used out first), and an entry never outlives its
// token. Concurrent misses for one token wait for a single upstream call.
type tokenCache[V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu       sync.Mutex
	entries  map[tokenKey]*list.Element // of *cacheEntry
	lru      *list.List
	inflight map[tokenKey]*inflightCheck[V]
}

type tokenKey [32]byte

type cacheEntry[V any] struct {
	key    tokenKey
	value  V
	expiry time.Time
}

type inflightCheck[V any] struct {
	done  chan struct{}
	value V
	err   error
}

func newTokenCache[V any](ttl time.Duration, max int) *tokenCache[V] {
	return &tokenCache[V]{
		ttl:      ttl,
		max:      max,
		now:      time.Now,
		entries:  make(map[tokenKey]*list.Element),
		lru:      list.New(),
		inflight: make(map[tokenKey]*inflightCheck[V]),
	}
}

// get returns the cached value for key, or runs check once for all callers
// waiting on key and caches a success until min(expiry, now+ttl).
func (c *tokenCache[V]) get(key tokenKey, check func() (V, time.Time, error)) (V, error) {
	now := c.now()
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*cacheEntry[V])
		if now.Before(e.expiry) {
			c.lru.MoveToFront(el)
			c.mu.Unlock()
			return e.value, nil
		}
		c.lru.Remove(el)
		delete(c.entries, key)
	}
	if call, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		<-call.done
		return call.value, call.err
	}
	call := &inflightCheck[V]{done: make(chan struct{})}
	c.inflight[key] = call
	c.mu.Unlock()

	value, expiry, err := check()
	call.value, call.err = value, err

	c.mu.Lock()
	delete(c.inflight, key)
	if err == nil {
		if limit := c.now().Add(c.ttl); expiry.After(limit) {
			expiry = limit
		}
		c.entries[key] = c.lru.PushFront(&cacheEntry[V]{key: key, value: value, expiry: expiry})
		for c.lru.Len() > c.max {
			oldest := c.lru.Back()
			c.lru.Remove(oldest)
			delete(c.entries, oldest.Value.(*cacheEntry[V]).key)
		}
	}
	c.mu.Unlock()
	close(call.done)
	return value, err
}
