// Package linkmemory holds the in-process defaults of a linking's
// replay memory and attempt limit, for an app of one instance; apps of
// several share link/redislink's instead.
package linkmemory

import (
	"context"
	"sync"
	"time"
)

// Replay is a link.ReplayMemory of one process. Keys are forgotten once
// expired, so memory holds only the proofs that could still be replayed.
type Replay struct {
	now  func() time.Time
	mu   sync.Mutex
	used map[string]time.Time
	// sweepAt is the size at which expired keys are swept next: twice
	// what remained after the last sweep, so sweeping costs O(1) a call.
	sweepAt int
}

// NewReplay returns a Replay on clock now (time.Now if nil).
func NewReplay(now func() time.Time) *Replay {
	if now == nil {
		now = time.Now
	}
	return &Replay{now: now, used: map[string]time.Time{}}
}

// FirstUse records key until expiry and reports whether it was unused.
func (m *Replay) FirstUse(_ context.Context, key string, expiry time.Time) (bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if until, ok := m.used[key]; ok && now.Before(until) {
		return false, nil
	}
	if len(m.used) >= m.sweepAt {
		for k, until := range m.used {
			if !now.Before(until) {
				delete(m.used, k)
			}
		}
		m.sweepAt = max(2*len(m.used), 1024)
	}
	m.used[key] = expiry
	return true, nil
}
