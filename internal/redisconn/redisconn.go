// Package redisconn makes a Redis client on first use instead of at start:
// rueidis dials when its client is made, and an app must start (and answer
// 503 where it needs Redis) while Redis is down.
package redisconn

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// RedialInterval is how often, at most, a Lazy that has no client yet
// dials again: an outage costs each request a prompt error, not a dial
// timeout.
const RedialInterval = time.Second

// Lazy is a rueidis client made on first use.
type Lazy struct {
	opt    rueidis.ClientOption
	client atomic.Pointer[rueidis.Client]

	mu      sync.Mutex
	dialErr error
	dialAt  time.Time
	closed  bool
}

// New returns a Lazy that makes its client from opt.
func New(opt rueidis.ClientOption) *Lazy { return &Lazy{opt: opt} }

// Client returns the client, making it first if need be.
func (l *Lazy) Client() (rueidis.Client, error) {
	if c := l.client.Load(); c != nil {
		return *c, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.client.Load(); c != nil {
		return *c, nil
	}
	if l.closed {
		return nil, errors.New("redis client closed")
	}
	if time.Since(l.dialAt) < RedialInterval && l.dialErr != nil {
		return nil, l.dialErr
	}
	l.dialAt = time.Now()
	c, err := rueidis.NewClient(l.opt)
	if err != nil {
		l.dialErr = err
		return nil, err
	}
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
