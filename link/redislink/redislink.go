// Package redislink keeps what account linking must share between app
// instances in Redis: the in-house ID tokens already used (a token used on
// one instance is refused on all) and the attempts at proofs (guesses
// spread over instances add up, and instances racing for one key cannot
// pass its limit together). It uses rueidis, the client of
// session/redisstore, and works on a single node and on a Redis Cluster
// (every command touches one key). Apps without it link no Redis client.
package redislink

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/linelogin/linelogin/internal/redisconn"
	"github.com/linelogin/linelogin/link"
)

// Client is the connection to Redis that Replay and Attempts share. It is
// made on first use, so that an app starts while Redis is down (their
// calls fail with link.ErrUnavailable until it answers).
type Client struct {
	lazy *redisconn.Lazy
}

// New returns a Client of the Redis opt describes; client-side caching is
// turned off, since nothing here is read twice.
func New(opt rueidis.ClientOption) *Client {
	opt.DisableCache = true
	return &Client{lazy: redisconn.New(opt)}
}

// NewURL is New for a URL as session/redisstore's NewURL takes it (the
// same parser and defaults: a second to dial, health checks after a
// second without traffic, two seconds for any reply):
// redis://[user:password@]host:port[/db], rediss:// for TLS, or a Redis
// Cluster as redis://node1:port?addr=node2:port&addr=node3:port. The
// error never shows the URL, which may hold a password.
func NewURL(rawURL string) (*Client, error) {
	opt, err := redisconn.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redislink: %w", err)
	}
	return New(opt), nil
}

// Close closes the connection.
func (c *Client) Close() { c.lazy.Close() }

// Replay is a link.ReplayMemory in Redis. Each key is set with NX and
// expires with the proof.
type Replay struct {
	client *Client
	prefix string
}

var (
	_ link.ReplayMemory = (*Replay)(nil)
	_ link.Attempts     = (*Attempts)(nil)
)

// NewReplay returns a Replay whose keys start with prefix (for example
// "myapp:inhouse-used:").
func NewReplay(client *Client, prefix string) *Replay {
	return &Replay{client: client, prefix: prefix}
}

// FirstUse sets key if it is not set yet and reports whether it did.
func (m *Replay) FirstUse(ctx context.Context, key string, expiry time.Time) (bool, error) {
	c, err := m.client.lazy.ClientContext(ctx)
	if err == nil {
		err = c.Do(ctx, c.B().Set().Key(m.prefix+key).Value("1").Nx().Pxat(expiry).Build()).Error()
	}
	switch {
	case rueidis.IsRedisNil(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%w: replay memory: %w", link.ErrUnavailable, err)
	}
	return true, nil
}

// Attempts is link.Attempts in Redis. Each key is a sorted set of
// reservations by time, that expires with the window; a Lua script tests
// the limit and reserves in one step, so that instances racing for one
// key cannot pass the limit together.
type Attempts struct {
	client *Client
	prefix string
	max    int
	window time.Duration
}

// NewAttempts checks at most limit (at least 1) proofs per key within
// window; its Redis keys start with prefix.
func NewAttempts(client *Client, prefix string, limit int, window time.Duration) *Attempts {
	return &Attempts{client: client, prefix: prefix, max: max(limit, 1), window: window}
}

// releaseTimeout bounds the release of the keys a refused Reserve took
// before the locked one.
const releaseTimeout = 5 * time.Second

// reserveScript reserves ARGV[4] at time ARGV[1] (milliseconds) in
// KEYS[1], unless it holds ARGV[3] reservations younger than ARGV[2]
// milliseconds already: then it answers the time of the oldest of those
// that matter (the ARGV[3]-th newest), and reserves nothing.
var reserveScript = rueidis.NewLuaScript(`
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
	local oldest = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
	return {0, tonumber(oldest[2])}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
`)

// Reserve takes one attempt for each of keys, in order, each in one
// script run. A Redis Cluster keeps keys in different slots, so several
// keys cannot share one run: when a later key is locked, the reservations
// of the earlier ones are given back. A check needs a reservation of
// every key, so no key ever has more than the limit checked; the middleware
// names the LINE user first, so that a locked LINE user never holds a
// membership number's place, even for a moment.
func (a *Attempts) Reserve(ctx context.Context, keys []string, now time.Time) (string, time.Duration, error) {
	c, err := a.client.lazy.ClientContext(ctx)
	if err != nil {
		return "", 0, fmt.Errorf("%w: attempts: %w", link.ErrUnavailable, err)
	}
	ms := now.UnixMilli()
	id := strconv.FormatInt(ms, 10) + ":" + rand.Text()
	args := []string{strconv.FormatInt(ms, 10), strconv.FormatInt(a.window.Milliseconds(), 10), strconv.Itoa(a.max), id}
	for i, k := range keys {
		vals, err := reserveScript.Exec(ctx, c, []string{a.prefix + k}, args).ToArray()
		var ok, oldest int64
		if err == nil && len(vals) != 2 {
			err = errors.New("unexpected answer of the reserve script")
		}
		if err == nil {
			ok, err = vals[0].AsInt64()
		}
		if err == nil && ok == 0 {
			oldest, err = vals[1].AsInt64()
		}
		if err != nil || ok == 0 {
			// Give back what the earlier keys took, even if the caller
			// has gone, within a bound of its own.
			relCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
			if relErr := a.Release(relCtx, keys[:i], id); relErr != nil && err == nil {
				err = relErr
			}
			cancel()
		}
		if err != nil {
			return "", 0, fmt.Errorf("%w: attempts: %w", link.ErrUnavailable, err)
		}
		if ok == 0 {
			return "", max(time.UnixMilli(oldest).Add(a.window).Sub(now), time.Millisecond), nil
		}
	}
	return id, 0, nil
}

// Release gives back reservation id of keys.
func (a *Attempts) Release(ctx context.Context, keys []string, id string) error {
	if len(keys) == 0 {
		return nil
	}
	c, err := a.client.lazy.ClientContext(ctx)
	if err != nil {
		return fmt.Errorf("%w: attempts: %w", link.ErrUnavailable, err)
	}
	cmds := make(rueidis.Commands, len(keys))
	for i, k := range keys {
		cmds[i] = c.B().Zrem().Key(a.prefix + k).Member(id).Build()
	}
	for _, r := range c.DoMulti(ctx, cmds...) {
		if err := r.Error(); err != nil {
			return fmt.Errorf("%w: attempts: %w", link.ErrUnavailable, err)
		}
	}
	return nil
}
