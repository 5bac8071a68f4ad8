// Package redisconn makes a Redis client on first use instead of at start:
// rueidis dials when its client is made, and an app must start (and answer
// 503 where it needs Redis) while Redis is down or hung. It also parses
// the URLs the module's Redis packages take, with one set of defaults.
package redisconn

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
	"golang.org/x/sync/singleflight"
)

// RedialInterval is how often, at most, a Lazy that has no client yet
// dials again: an outage costs each request a prompt error, not a dial
// timeout.
const RedialInterval = time.Second

// errClosed reports a call after Close.
var errClosed = errors.New("redis client closed")

// Lazy is a rueidis client made on first use.
type Lazy struct {
	opt    rueidis.ClientOption
	client atomic.Pointer[rueidis.Client]
	dials  singleflight.Group

	mu      sync.Mutex // guards the fields below; never held across I/O
	dialErr error
	dialAt  time.Time
	closed  bool
}

// New returns a Lazy that makes its client from opt.
func New(opt rueidis.ClientOption) *Lazy { return &Lazy{opt: opt} }

// ClientContext returns the client, making it first if need be. Callers
// without a client share one dial, which runs under no caller's context
// (the dialer's own timeouts bound it): each waits for it only until ctx
// is done, so that with Redis hung every request fails within its own
// deadline, together, instead of queueing behind each other's dials.
// After a failed dial, callers get its error until RedialInterval has
// passed.
func (l *Lazy) ClientContext(ctx context.Context) (rueidis.Client, error) {
	if c := l.client.Load(); c != nil {
		return *c, nil
	}
	l.mu.Lock()
	closed, dialErr, dialAt := l.closed, l.dialErr, l.dialAt
	l.mu.Unlock()
	if closed {
		return nil, errClosed
	}
	if dialErr != nil && time.Since(dialAt) < RedialInterval {
		return nil, dialErr
	}
	ch := l.dials.DoChan("", l.dial)
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("connecting to redis: %w", ctx.Err())
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(rueidis.Client), nil
	}
}

// dial makes the client, for every caller waiting in ClientContext.
func (l *Lazy) dial() (any, error) {
	if c := l.client.Load(); c != nil {
		return *c, nil
	}
	c, err := rueidis.NewClient(l.opt)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.dialErr, l.dialAt = err, time.Now()
		return nil, err
	}
	if l.closed {
		c.Close()
		return nil, errClosed
	}
	l.dialErr = nil
	l.client.Store(&c)
	return c, nil
}

// Close closes the client, if it was made; Client fails afterwards.
func (l *Lazy) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if c := l.client.Load(); c != nil {
		(*c).Close()
	}
}
