// Package redislink keeps what account linking must share between app
// instances in Redis: the in-house ID tokens already used (a token used on
// one instance is refused on all) and the count of refused proofs (guesses
// spread over instances add up). It uses rueidis, the client of
// session/redisstore, and works on a single node and on a Redis Cluster
// (every command touches one key). Apps without it link no Redis client.
package redislink

import (
	"context"
	"crypto/rand"
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

// Attempts is link.Attempts in Redis. Each key is a sorted set of refusal
// times that expires with the window.
type Attempts struct {
	client *Client
	prefix string
	max    int
	window time.Duration
}

// NewAttempts locks a key after limit refusals (at least 1) within window;
// its Redis keys start with prefix.
func NewAttempts(client *Client, prefix string, limit int, window time.Duration) *Attempts {
	return &Attempts{client: client, prefix: prefix, max: max(limit, 1), window: window}
}

// Refused counts a refusal against each of keys.
func (a *Attempts) Refused(ctx context.Context, keys []string, now time.Time) error {
	c, err := a.client.lazy.Client()
	if err != nil {
		return fmt.Errorf("%w: attempts: %w", link.ErrUnavailable, err)
	}
	ms := now.UnixMilli()
	b := c.B()
	cmds := make(rueidis.Commands, 0, 4*len(keys))
	for _, k := range keys {
		key := a.prefix + k
		// A random member: two refusals in one millisecond both count.
		member := strconv.FormatInt(ms, 10) + ":" + rand.Text()
		cmds = append(cmds,
			b.Zadd().Key(key).ScoreMember().ScoreMember(float64(ms), member).Build(),
			b.Zremrangebyscore().Key(key).Min("-inf").Max("("+strconv.FormatInt(ms-a.window.Milliseconds(), 10)).Build(),
			b.Zremrangebyrank().Key(key).Start(0).Stop(int64(-a.max-1)).Build(),
			b.Pexpire().Key(key).Milliseconds(a.window.Milliseconds()).Build(),
		)
	}
	for _, r := range c.DoMulti(ctx, cmds...) {
		if err := r.Error(); err != nil {
			return fmt.Errorf("%w: attempts: %w", link.ErrUnavailable, err)
		}
	}
	return nil
}

// Locked returns how long the most locked of keys stays locked.
func (a *Attempts) Locked(ctx context.Context, keys []string, now time.Time) (time.Duration, error) {
	c, err := a.client.lazy.Client()
	if err != nil {
		return 0, fmt.Errorf("%w: attempts: %w", link.ErrUnavailable, err)
	}
	b := c.B()
	cmds := make(rueidis.Commands, len(keys))
	for i, k := range keys {
		// The max-th newest refusal: the lock lasts until it is window old.
		cmds[i] = b.Zrange().Key(a.prefix + k).Min(strconv.Itoa(a.max - 1)).Max(strconv.Itoa(a.max - 1)).Rev().Withscores().Build()
	}
	var longest time.Duration
	for _, r := range c.DoMulti(ctx, cmds...) {
		z, err := r.AsZScores()
		if err != nil {
			return 0, fmt.Errorf("%w: attempts: %w", link.ErrUnavailable, err)
		}
		if len(z) == 1 {
			longest = max(longest, time.UnixMilli(int64(z[0].Score)).Add(a.window).Sub(now))
		}
	}
	return longest, nil
}
