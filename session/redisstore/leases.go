package redisstore

import (
	"sync"
	"time"

	"github.com/redis/rueidis"

	"github.com/linelogin/linelogin/session"
)

// maxLeases bounds the lease table. Past it, expired leases are swept;
// if that is not enough, every lease is ended (callers read Redis again
// once), which is always safe.
const maxLeases = 100_000

// leaseTable holds the live lease of each session key this instance read
// through the client-side cache, and ends it when Redis invalidates the
// key or when a connection drops.
type leaseTable struct {
	mu     sync.Mutex
	gen    uint64 // counts invalidations of any kind
	leases map[string]*session.Lease
}

func (t *leaseTable) init() { t.leases = make(map[string]*session.Lease) }

// generation is read before a session is read from Redis and handed back
// to grant after: a change between the two means an invalidation (perhaps
// of that key) was processed meanwhile, and no lease is granted.
func (t *leaseTable) generation() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.gen
}

// grant returns a lease on key until until, or nil if an invalidation
// arrived since gen. Readers of one key share its lease while it lasts.
func (t *leaseTable) grant(key string, gen uint64, until time.Time) *session.Lease {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.gen != gen {
		return nil
	}
	if l := t.leases[key]; l != nil && !l.Ended() && !l.Until().Before(until) {
		return l
	} else if l != nil {
		// A shorter lease must not outlive its entry here: once out of the
		// table nothing would end it.
		l.End()
	}
	if len(t.leases) >= maxLeases {
		now := time.Now()
		for k, l := range t.leases {
			if !l.Held(now) {
				delete(t.leases, k)
			}
		}
		if len(t.leases) >= maxLeases {
			t.endAllLocked()
		}
	}
	l := session.NewLease(until)
	t.leases[key] = l
	// The lease ends by itself at until, on the real clock Redis's TTLs
	// run on, whatever clock the caller checks CacheUntil with.
	time.AfterFunc(time.Until(until), l.End)
	return l
}

// invalidate is the client's OnInvalidations callback, called on the
// connection's reading goroutine: keys Redis says changed, or nil when a
// connection's cache is flushed (the connection dropped, or Redis
// flushed its tracking table), in which case nothing this instance holds
// can be trusted.
func (t *leaseTable) invalidate(keys []rueidis.RedisMessage) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gen++
	if keys == nil {
		t.endAllLocked()
		return
	}
	for _, k := range keys {
		key, err := k.ToString()
		if err != nil {
			continue
		}
		if l := t.leases[key]; l != nil {
			l.End()
			delete(t.leases, key)
		}
	}
}

func (t *leaseTable) endAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gen++
	t.endAllLocked()
}

func (t *leaseTable) endAllLocked() {
	for _, l := range t.leases {
		l.End()
	}
	clear(t.leases)
}
