// Package redisstore keeps sessions server-side in Redis (a single node,
// Sentinel or a Redis Cluster), for apps that need a logout or a
// revocation to take effect on every instance at once, and lets users see
// and end their sessions.
//
// It is a package of its own so that an app on the cookie store links no
// Redis client.
//
// Reads use Redis's server-assisted client-side caching (RESP3 CLIENT
// TRACKING, through github.com/redis/rueidis): each instance keeps the
// sessions it read in memory, and Redis tells it when one of them
// changes, is deleted or expires, whoever did it. Every read returns a
// session.Lease that ends at that moment, or when the connection that
// carries the invalidations drops, so that the middleware can serve a
// session at the cost of a map lookup without ever serving one that has
// ended.
//
//	store, err := redisstore.NewURL("redis://redis:6379", redisstore.Options{})
//	...
//	defer store.Close()
//	auth, err := middleware.New(middleware.Config{Session: middleware.SessionConfig{Keys: keys, Store: store}, ...})
package redisstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/rueidis"

	"github.com/linelogin/linelogin/internal/redisconn"
	"github.com/linelogin/linelogin/session"
)

// DefaultPrefix starts every key a Store writes when Options.Prefix is
// empty.
const DefaultPrefix = "linelogin:"

// DefaultTimeout bounds each operation when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// DefaultMaxCacheAge is Options.MaxCacheAge when zero.
const DefaultMaxCacheAge = time.Minute

// DefaultTouchInterval is Options.TouchInterval when zero.
const DefaultTouchInterval = 5 * time.Minute

// refSize is the length in bytes of a session reference: 256 random bits,
// so that references can be neither guessed nor enumerated.
const refSize = 32

// revokeBatch is how many session IDs DeleteOwner pops per round trip.
const revokeBatch = 256

// Options configure a Store. Every zero value is a default.
type Options struct {
	// Prefix starts every key the store writes, so that several apps (or
	// tests) can share one Redis; DefaultPrefix if empty.
	Prefix string
	// Timeout bounds each operation (a few round trips) through its
	// context; DefaultTimeout if zero, none if negative.
	Timeout time.Duration
	// MaxCacheAge bounds how long a session read stays in this
	// instance's memory without a round trip to Redis, even if no
	// invalidation arrives: a second safety net behind invalidations and
	// the connection's health checks. DefaultMaxCacheAge if zero; a
	// negative value turns client-side caching off (every request reads
	// Redis).
	MaxCacheAge time.Duration
	// TouchInterval is how often, at most, a session's "last seen" is
	// written; DefaultTouchInterval if zero.
	TouchInterval time.Duration
}

// Store is a session.Store in Redis. It also implements
// session.LeasingStore, session.OwnerRevoker and session.Lister. Make it
// with New or NewURL; it is safe for concurrent use.
//
// The session cookie carries, encrypted under the session keys, only a
// reference of 32 random bytes. Redis holds, under the SHA-256 of that
// reference (so that a copy of the database yields no usable cookie, even
// together with the keys), the owner and the payload, with a TTL that
// ends at the session's expiry. Keys (with the default prefix):
//
//	linelogin:s:<hex sha256(ref)>   string: owner and payload, TTL until expiry
//	linelogin:u:<owner>             set of <hex sha256(ref)>, TTL until the last expiry
//	linelogin:m:<owner>             hash <hex sha256(ref)> → JSON {created, last seen, expiry, device}
//
// Every command and script touches keys of one slot, so the store works
// on a Redis Cluster: an owner's sessions live on whichever nodes their
// keys hash to.
type Store struct {
	lazy          *redisconn.Lazy
	prefix        string
	timeout       time.Duration
	maxCacheAge   time.Duration
	touchInterval time.Duration
	now           func() time.Time

	leases  leaseTable
	touches touchLog
}

// New returns a Store over the Redis that opt describes (see
// rueidis.ParseURL and NewURL). The Store makes and owns the client:
// close it with Close. Redis need not be up yet: until it answers, every
// operation fails with session.ErrStoreUnavailable (the middleware answers
// 503), and the store connects as soon as it can.
//
// The store sets opt.OnInvalidations. Client-side caching needs Redis 6
// or later (RESP3); it is off, and every read goes to Redis, when
// opts.MaxCacheAge is negative, or opt.DisableCache or opt.AlwaysRESP2 is
// set (the URL's client_cache=0 or protocol=2).
func New(opt rueidis.ClientOption, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxCacheAge == 0 {
		opts.MaxCacheAge = DefaultMaxCacheAge
	}
	if opts.TouchInterval <= 0 {
		opts.TouchInterval = DefaultTouchInterval
	}
	s := &Store{
		prefix:        opts.Prefix,
		timeout:       opts.Timeout,
		maxCacheAge:   opts.MaxCacheAge,
		touchInterval: opts.TouchInterval,
		now:           time.Now,
	}
	s.leases.init()
	if opts.MaxCacheAge < 0 || opt.DisableCache || opt.AlwaysRESP2 {
		// No client-side cache, hence no invalidations: no lease can be
		// promised, and every read goes to Redis.
		opt.DisableCache = true
		s.maxCacheAge = -1
	} else {
		opt.OnInvalidations = s.leases.invalidate
	}
	s.lazy = redisconn.New(opt)
	return s
}

// NewURL is New for a URL as the example's REDIS_URL takes it:
// redis://[user:password@]host:port[/db], rediss:// for TLS, and a Redis
// Cluster as redis://node1:port?addr=node2:port&addr=node3:port (any
// node will do: the client learns the others). dial_timeout and
// write_timeout in the query override the defaults set here: a second to
// dial, health checks (PING) after a second without traffic and two
// seconds for any reply, so that a dead connection, and with it the
// cache, is dropped within about three seconds.
//
// The error never shows the URL, which may hold a password.
func NewURL(rawURL string, opts Options) (*Store, error) {
	opt, err := redisconn.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: %w", err)
	}
	return New(opt, opts), nil
}

// Close closes the client. Operations after Close fail.
func (s *Store) Close() {
	s.lazy.Close()
	s.leases.endAll()
}

// conn returns the client, making it first if need be (redisconn), or
// an error once ctx is done.
func (s *Store) conn(ctx context.Context) (rueidis.Client, error) { return s.lazy.ClientContext(ctx) }

func (s *Store) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout < 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

// unavailable wraps an error from Redis: an outage, never "not logged in".
func unavailable(op string, err error) error {
	return fmt.Errorf("redisstore: %s: %w: %w", op, session.ErrStoreUnavailable, err)
}

// Save stores owner and payload under a new random reference until expiry
// and adds the session to owner's index.
func (s *Store) Save(ctx context.Context, owner string, payload []byte, expiry time.Time) ([]byte, error) {
	now := s.now()
	ttl := expiry.Sub(now).Milliseconds()
	if ttl <= 0 {
		return nil, unavailable("save session", errors.New("expiry is not in the future"))
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := s.conn(ctx)
	if err != nil {
		return nil, unavailable("save session", err)
	}
	ref := make([]byte, refSize)
	rand.Read(ref) // never fails since Go 1.24
	id := sessionID(ref)
	value := make([]byte, 0, binary.MaxVarintLen64+len(owner)+len(payload))
	value = binary.AppendUvarint(value, uint64(len(owner)))
	value = append(value, owner...)
	value = append(value, payload...)

	key := s.sessionKey(id)
	err = c.Do(ctx, c.B().Set().Key(key).Value(rueidis.BinaryString(value)).Nx().PxMilliseconds(ttl).Build()).Error()
	if rueidis.IsRedisNil(err) {
		err = errors.New("reference already in use")
	}
	if err != nil {
		return nil, unavailable("save session", err)
	}
	// The session is indexed after it exists, so that DeleteOwner, which
	// unindexes a session only after deleting it, cannot leave it alive
	// and unindexed.
	meta := encodeMeta(meta{Created: now.Unix(), Expires: expiry.Unix()})
	for _, r := range []rueidis.RedisResult{
		indexScript.Exec(ctx, c, []string{s.ownerKey(owner)}, []string{id, fmt.Sprint(ttl)}),
		metaScript.Exec(ctx, c, []string{s.metaKey(owner)}, []string{id, fmt.Sprint(ttl), meta}),
	} {
		if err := r.Error(); err != nil {
			// Its cookie is never sent; delete it, or let it expire.
			_ = c.Do(ctx, c.B().Del().Key(key).Build()).Error()
			return nil, unavailable("index session", err)
		}
	}
	return ref, nil
}

// Replace swaps the payload of owner's session ref in place, keeping its
// expiry, in one script that does nothing when the session has ended
// (session.ErrNotFound): a renewal that races a logout, a revocation or
// an expiry never brings the session back. The reference stays the same,
// so the session stays the one in owner's list, and every instance's
// cached copy is invalidated by Redis.
func (s *Store) Replace(ctx context.Context, ref []byte, owner string, payload []byte) ([]byte, error) {
	if len(ref) != refSize {
		return nil, session.ErrNotFound
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := s.conn(ctx)
	if err != nil {
		return nil, unavailable("replace session", err)
	}
	prefix := binary.AppendUvarint(nil, uint64(len(owner)))
	prefix = append(prefix, owner...)
	value := append(prefix[:len(prefix):len(prefix)], payload...)
	n, err := replaceScript.Exec(ctx, c, []string{s.sessionKey(sessionID(ref))},
		[]string{rueidis.BinaryString(value), rueidis.BinaryString(prefix)}).AsInt64()
	if err != nil {
		return nil, unavailable("replace session", err)
	}
	if n == 0 {
		return nil, session.ErrNotFound
	}
	return ref, nil
}

// Load returns the payload saved under ref, or session.ErrNotFound once it
// was deleted, revoked or expired.
func (s *Store) Load(ctx context.Context, ref []byte) ([]byte, error) {
	payload, _, err := s.LoadLeased(ctx, ref)
	return payload, err
}

// LoadLeased is Load with a lease that ends when the session changes, is
// deleted or expires, when the connection that would tell of it drops,
// or after Options.MaxCacheAge, whichever comes first. The read is served
// from this instance's client-side cache when it holds the session.
func (s *Store) LoadLeased(ctx context.Context, ref []byte) ([]byte, *session.Lease, error) {
	if len(ref) != refSize {
		return nil, nil, session.ErrNotFound
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := s.conn(ctx)
	if err != nil {
		return nil, nil, unavailable("load session", err)
	}
	key := s.sessionKey(sessionID(ref))
	// Taken before the read, so that an invalidation that races with it
	// denies the lease rather than being missed.
	gen := s.leases.generation()
	var resp rueidis.RedisResult
	if s.maxCacheAge > 0 {
		resp = c.DoCache(ctx, c.B().Get().Key(key).Cache(), s.maxCacheAge)
	} else {
		resp = c.Do(ctx, c.B().Get().Key(key).Build())
	}
	value, err := resp.AsBytes()
	if rueidis.IsRedisNil(err) {
		return nil, nil, session.ErrNotFound
	}
	if err != nil {
		return nil, nil, unavailable("load session", err)
	}
	_, payload, ok := splitValue(value)
	if !ok {
		// Not written by this store: as good as absent.
		return nil, nil, fmt.Errorf("%w: unreadable value", session.ErrNotFound)
	}
	if s.maxCacheAge <= 0 {
		return payload, nil, nil
	}
	// The client-side cache keeps the entry until the key's own expiry
	// or MaxCacheAge after it was read, whichever is sooner: the lease
	// ends then too.
	until := s.now().Add(s.maxCacheAge)
	if pxat := resp.CachePXAT(); pxat > 0 {
		until = time.UnixMilli(pxat)
	}
	return payload, s.leases.grant(key, gen, until), nil
}

// Delete ends the session saved under ref and removes it from its owner's
// index. Deleting an unknown ref is not an error. Where the session's node
// has replicas, Delete returns only once one of them has the deletion
// (WAIT), so that a failover right after cannot bring the session back; it
// fails (session.ErrStoreUnavailable) when none confirms it in time.
// DeleteOwner and DeleteID do the same.
func (s *Store) Delete(ctx context.Context, ref []byte) error {
	if len(ref) != refSize {
		return nil
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := s.conn(ctx)
	if err != nil {
		return unavailable("delete session", err)
	}
	id := sessionID(ref)
	key := s.sessionKey(id)
	reply, err := s.deleteDurably(ctx, c, func(dc rueidis.DedicatedClient) rueidis.Completed {
		return dc.B().Eval().Script(takeScript).Numkeys(1).Key(key).Build()
	})
	if err != nil {
		return unavailable("delete session", err)
	}
	value, err := reply.AsBytes()
	if rueidis.IsRedisNil(err) {
		return nil
	}
	if err != nil {
		return unavailable("delete session", err)
	}
	if owner, _, ok := splitValue(value); ok {
		return s.unindex(ctx, c, owner, id)
	}
	return nil
}

// unindex removes the session id from owner's index and metadata.
func (s *Store) unindex(ctx context.Context, c rueidis.Client, owner string, ids ...string) error {
	for _, r := range c.DoMulti(ctx,
		c.B().Srem().Key(s.ownerKey(owner)).Member(ids...).Build(),
		c.B().Hdel().Key(s.metaKey(owner)).Field(ids...).Build(),
	) {
		if err := r.Error(); err != nil {
			return unavailable("unindex session", err)
		}
	}
	return nil
}

// DeleteOwner ends every session saved for owner, on every app instance
// sharing the Redis. An ID leaves the index only after its session is
// deleted, so a failed call can simply be retried.
func (s *Store) DeleteOwner(ctx context.Context, owner string) error {
	dialCtx, cancel := s.withTimeout(ctx)
	c, err := s.conn(dialCtx)
	cancel()
	if err != nil {
		return unavailable("revoke sessions", err)
	}
	for {
		done, err := s.revokeBatch(ctx, c, owner)
		if err != nil {
			return unavailable("revoke sessions", err)
		}
		if done {
			return nil
		}
	}
}

// revokeBatch deletes up to revokeBatch of owner's sessions, then
// unindexes them, within one timeout. It reports whether none were left.
func (s *Store) revokeBatch(ctx context.Context, c rueidis.Client, owner string) (done bool, err error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	ids, err := c.Do(ctx, c.B().Srandmember().Key(s.ownerKey(owner)).Count(revokeBatch).Build()).AsStrSlice()
	if err != nil {
		return false, err
	}
	if len(ids) == 0 {
		return true, c.Do(ctx, c.B().Del().Key(s.metaKey(owner)).Build()).Error()
	}
	// One DEL per key, each confirmed by a replica where the node has
	// one: a multi-key DEL would fail across cluster slots, and WAIT
	// answers for one connection's writes.
	for _, id := range ids {
		key := s.sessionKey(id)
		if _, err := s.deleteDurably(ctx, c, func(dc rueidis.DedicatedClient) rueidis.Completed {
			return dc.B().Del().Key(key).Build()
		}); err != nil {
			return false, err
		}
	}
	return false, s.unindex(ctx, c, owner, ids...)
}

// Ping checks that Redis answers, within the store's timeout: for a
// readiness probe or a warning at start-up.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := s.conn(ctx)
	if err != nil {
		return unavailable("ping", err)
	}
	if err := c.Do(ctx, c.B().Ping().Build()).Error(); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

func (s *Store) sessionKey(id string) string  { return s.prefix + "s:" + id }
func (s *Store) ownerKey(owner string) string { return s.prefix + "u:" + owner }
func (s *Store) metaKey(owner string) string  { return s.prefix + "m:" + owner }

// sessionID names a session in Redis: the hex SHA-256 of its reference.
func sessionID(ref []byte) string {
	sum := sha256.Sum256(ref)
	return hex.EncodeToString(sum[:])
}

// splitValue parses a stored value: the owner, length-prefixed, then the
// payload.
func splitValue(v []byte) (owner string, payload []byte, ok bool) {
	n, k := binary.Uvarint(v)
	if k <= 0 || n > uint64(len(v)-k) {
		return "", nil, false
	}
	return string(v[k : k+int(n)]), v[k+int(n):], true
}

// indexScript adds ARGV[1] to the owner set KEYS[1] and extends the set's
// TTL to ARGV[2] milliseconds unless it already lasts longer. PTTL is -1
// for a new set, which has no TTL yet.
var indexScript = rueidis.NewLuaScript(`
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
`)

// metaScript sets field ARGV[1] of the hash KEYS[1] to ARGV[3] and
// extends its TTL as indexScript does.
var metaScript = rueidis.NewLuaScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
`)

// replaceScript sets KEYS[1] to ARGV[1], keeping its TTL, if it exists and
// its value starts with ARGV[2] (the owner, as stored); it returns 1 if it
// did, else 0. SET's KEEPTTL would need Redis 6.
var replaceScript = rueidis.NewLuaScript(`
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, #ARGV[2]) ~= ARGV[2] then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
return 1
`)

// takeScript deletes KEYS[1] and returns the value it held, or nil; GETDEL
// would need Redis 6.2. It is sent with EVAL on a dedicated connection
// (see deleteDurably).
const takeScript = `
local v = redis.call('GET', KEYS[1])
if v then redis.call('DEL', KEYS[1]) end
return v
`
