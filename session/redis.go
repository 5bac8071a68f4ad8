package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisPrefix starts every key a RedisStore writes when
// RedisOptions.Prefix is empty.
const DefaultRedisPrefix = "linelogin:"

// DefaultRedisTimeout bounds each RedisStore operation when
// RedisOptions.Timeout is zero.
const DefaultRedisTimeout = 2 * time.Second

// refSize is the length in bytes of a server-side session reference: 256
// random bits, so that references can be neither guessed nor enumerated.
const refSize = 32

// revokeBatch is how many session IDs DeleteOwner pops per round trip.
const revokeBatch = 256

// ErrRedis wraps every error a RedisStore gets from Redis (unreachable,
// timed out, refused the command): an outage, never "not logged in". The
// Manager passes it on, and the middleware answers 503.
var ErrRedis = errors.New("session: redis")

// RedisOptions configure a RedisStore. Every zero value is a default.
type RedisOptions struct {
	// Prefix starts every key the store writes, so that several apps (or
	// tests) can share one Redis database; DefaultRedisPrefix if empty.
	Prefix string
	// Timeout bounds each operation (one or two round trips) through its
	// context; DefaultRedisTimeout if zero, none if negative. The client
	// honours context deadlines on the socket only with
	// redis.Options.ContextTimeoutEnabled; its own DialTimeout,
	// ReadTimeout, WriteTimeout, PoolTimeout and MaxRetries apply as well.
	Timeout time.Duration
}

// RedisStore is a server-side Store in Redis, for deployments that need
// sessions to end everywhere at logout, operators to revoke users, payloads
// beyond a cookie's 4 KB, or several app instances behind a load balancer.
//
// The session cookie carries, encrypted under the session keys, only a
// reference of 32 random bytes. Redis holds, under the SHA-256 of that
// reference (so that a copy of the database yields no usable cookie, even
// together with the keys), the owner and the payload, with a TTL that ends
// at the session's expiry. A set per owner indexes the owner's sessions for
// DeleteOwner; it expires with the owner's last session.
//
// Keys (with the default prefix):
//
//	linelogin:s:<hex sha256(ref)>   string: owner and payload, TTL until expiry
//	linelogin:u:<owner>             set of <hex sha256(ref)>, TTL until the last expiry
//
// Every command touches a single key, so the store works with a Redis
// Cluster client as well.
type RedisStore struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
}

// NewRedisStore returns a Store over client, which may be a *redis.Client,
// a *redis.ClusterClient or any other redis.UniversalClient. The caller
// owns the client: it configures its timeouts and pool, and closes it.
func NewRedisStore(client redis.UniversalClient, opts RedisOptions) *RedisStore {
	if opts.Prefix == "" {
		opts.Prefix = DefaultRedisPrefix
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultRedisTimeout
	}
	return &RedisStore{client: client, prefix: opts.Prefix, timeout: opts.Timeout}
}

// indexScript adds ARGV[1] to the owner set KEYS[1] and extends the set's
// TTL to ARGV[2] milliseconds unless it already lasts longer. PTTL is -1
// for a new set, which has no TTL yet, and -2 for no key.
var indexScript = redis.NewScript(`
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
`)

// takeScript deletes KEYS[1] and returns the value it held, or nil; GETDEL
// would need Redis 6.2.
var takeScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then redis.call('DEL', KEYS[1]) end
return v
`)

// Save stores owner and payload under a new random reference until expiry
// and adds the session to owner's index.
func (s *RedisStore) Save(ctx context.Context, owner string, payload []byte, expiry time.Time) ([]byte, error) {
	ttl := time.Until(expiry).Milliseconds()
	if ttl <= 0 {
		return nil, errors.New("session: redis: expiry is not in the future")
	}
	ref := make([]byte, refSize)
	rand.Read(ref) // never fails since Go 1.24
	id := sessionID(ref)
	value := make([]byte, 0, binary.MaxVarintLen64+len(owner)+len(payload))
	value = binary.AppendUvarint(value, uint64(len(owner)))
	value = append(value, owner...)
	value = append(value, payload...)

	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	sessionKey := s.sessionKey(id)
	ok, err := s.client.SetNX(ctx, sessionKey, value, time.Duration(ttl)*time.Millisecond).Result()
	if err != nil {
		return nil, fmt.Errorf("%w: save session: %w", ErrRedis, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: save session: reference already in use", ErrRedis)
	}
	// The session is indexed after it exists, so that DeleteOwner, which
	// unindexes a session only after deleting it, cannot leave it alive
	// and unindexed.
	if err := indexScript.Run(ctx, s.client, []string{s.ownerKey(owner)}, id, ttl).Err(); err != nil {
		// Its cookie is never sent; delete it, or let it expire.
		_ = s.client.Del(ctx, sessionKey).Err()
		return nil, fmt.Errorf("%w: index session: %w", ErrRedis, err)
	}
	return ref, nil
}

// Load returns the payload saved under ref, or ErrNotFound once it was
// deleted, revoked or expired.
func (s *RedisStore) Load(ctx context.Context, ref []byte) ([]byte, error) {
	if len(ref) != refSize {
		return nil, ErrNotFound
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	value, err := s.client.Get(ctx, s.sessionKey(sessionID(ref))).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("%w: load session: %w", ErrRedis, err)
	}
	_, payload, ok := splitValue(value)
	if !ok {
		// Not written by this store: as good as absent.
		return nil, fmt.Errorf("%w: unreadable value", ErrNotFound)
	}
	return payload, nil
}

// Delete ends the session saved under ref and removes it from its owner's
// index. Deleting an unknown ref is not an error.
func (s *RedisStore) Delete(ctx context.Context, ref []byte) error {
	if len(ref) != refSize {
		return nil
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	id := sessionID(ref)
	value, err := takeScript.Run(ctx, s.client, []string{s.sessionKey(id)}).Text()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: delete session: %w", ErrRedis, err)
	}
	if owner, _, ok := splitValue([]byte(value)); ok {
		if err := s.client.SRem(ctx, s.ownerKey(owner), id).Err(); err != nil {
			return fmt.Errorf("%w: unindex session: %w", ErrRedis, err)
		}
	}
	return nil
}

// DeleteOwner ends every session saved for owner, on every app instance
// sharing the Redis database. An ID leaves the index only after its session
// is deleted, so a failed call can simply be retried.
func (s *RedisStore) DeleteOwner(ctx context.Context, owner string) error {
	key := s.ownerKey(owner)
	for {
		done, err := s.revokeBatch(ctx, key)
		if err != nil {
			return fmt.Errorf("%w: revoke sessions: %w", ErrRedis, err)
		}
		if done {
			return nil
		}
	}
}

// revokeBatch deletes up to revokeBatch sessions indexed in the owner set
// key, then unindexes them, within one timeout. It reports whether the set
// was empty.
func (s *RedisStore) revokeBatch(ctx context.Context, key string) (done bool, err error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	ids, err := s.client.SRandMemberN(ctx, key, revokeBatch).Result()
	if err != nil {
		return false, err
	}
	if len(ids) == 0 {
		return true, nil
	}
	// One DEL per key, pipelined: a multi-key DEL would fail across
	// cluster slots.
	members := make([]any, len(ids))
	_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			p.Del(ctx, s.sessionKey(id))
			members[i] = id
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return false, s.client.SRem(ctx, key, members...).Err()
}

// Ping checks that Redis answers, within the store's timeout: for a
// readiness probe or a warning at start-up.
func (s *RedisStore) Ping(ctx context.Context) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("%w: ping: %w", ErrRedis, err)
	}
	return nil
}

func (s *RedisStore) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout < 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

func (s *RedisStore) sessionKey(id string) string { return s.prefix + "s:" + id }

func (s *RedisStore) ownerKey(owner string) string { return s.prefix + "u:" + owner }

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
