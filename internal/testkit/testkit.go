// Package testkit holds what the module's tests share: a clock they move
// instead of sleeping, a log buffer the server's goroutines may write to,
// and an HTTP client that shows redirects instead of following them.
package testkit

import (
	"bytes"
	"net/http"
	"sync"
	"time"
)

// Clock is a settable clock, safe for concurrent use. Give its Now to the
// code under test and move it with Advance.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock that reads start until it is moved.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Buffer is a bytes.Buffer safe for one writer and readers on other
// goroutines, for the logs of servers under test.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// NoRedirects makes c return redirects as responses, so that tests can
// assert their status and Location, and returns c.
func NoRedirects(c *http.Client) *http.Client {
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}
