package linkmemory

import (
	"context"
	"crypto/rand"
	"sync"
	"time"

	"github.com/linelogin/linelogin/link"
)

// Attempts is link.Attempts in one process: one lock makes each Reserve
// atomic over all its keys.
type Attempts struct {
	max    int
	window time.Duration

	mu       sync.Mutex
	attempts map[string][]attempt // at most max each, oldest first
	sweepAt  int
}

// attempt is one reservation of a key.
type attempt struct {
	at time.Time
	id string
}

var _ link.Attempts = (*Attempts)(nil)

// NewAttempts checks at most max (at least 1) proofs per key within
// window.
func NewAttempts(max int, window time.Duration) *Attempts {
	return &Attempts{max: clampMax(max), window: window, attempts: map[string][]attempt{}, sweepAt: 1024}
}

// Reserve takes one attempt for each of keys, or none when one is locked.
func (m *Attempts) Reserve(_ context.Context, keys []string, now time.Time) (string, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	var wait time.Duration
	for _, k := range keys {
		held := m.live(k, now)
		if len(held) >= m.max {
			wait = max(wait, held[len(held)-m.max].at.Add(m.window).Sub(now))
		}
	}
	if wait > 0 {
		return "", wait, nil
	}
	id := rand.Text()
	for _, k := range keys {
		m.attempts[k] = append(m.attempts[k], attempt{at: now, id: id})
	}
	return id, 0, nil
}

// Release gives back reservation id of keys.
func (m *Attempts) Release(_ context.Context, keys []string, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		held := m.attempts[k]
		for i, a := range held {
			if a.id == id {
				held = append(held[:i:i], held[i+1:]...)
				break
			}
		}
		if len(held) == 0 {
			delete(m.attempts, k)
		} else {
			m.attempts[k] = held
		}
	}
	return nil
}

// live drops k's attempts that left the window and returns the rest.
func (m *Attempts) live(k string, now time.Time) []attempt {
	held := m.attempts[k]
	i := 0
	for i < len(held) && now.Sub(held[i].at) >= m.window {
		i++
	}
	switch {
	case i == len(held):
		delete(m.attempts, k)
		return nil
	case i > 0:
		held = append(held[:0:0], held[i:]...)
		m.attempts[k] = held
	}
	return held
}

// sweep forgets keys whose attempts all left the window, so that a flood
// of made-up membership numbers cannot grow the map for good; it runs when
// the map has doubled since the last sweep, O(1) a call.
func (m *Attempts) sweep(now time.Time) {
	if len(m.attempts) < m.sweepAt {
		return
	}
	for k, held := range m.attempts {
		if now.Sub(held[len(held)-1].at) >= m.window {
			delete(m.attempts, k)
		}
	}
	m.sweepAt = max(2*len(m.attempts), 1024)
}

// clampMax keeps a lock reachable: zero attempts allowed would lock every
// key before its first try.
func clampMax(max int) int {
	if max < 1 {
		return 1
	}
	return max
}
