package link

import (
	"context"
	"sync"
	"time"
)

// MemoryReplay is a ReplayMemory of one process. Keys are forgotten once
// expired, so memory holds only the proofs that could still be replayed.
type MemoryReplay struct {
	now  func() time.Time
	mu   sync.Mutex
	used map[string]time.Time
	// sweepAt is the size at which expired keys are swept next: twice
	// what remained after the last sweep, so sweeping costs O(1) a call.
	sweepAt int
}

// NewMemoryReplay returns a MemoryReplay on clock now (time.Now if nil).
func NewMemoryReplay(now func() time.Time) *MemoryReplay {
	if now == nil {
		now = time.Now
	}
	return &MemoryReplay{now: now, used: map[string]time.Time{}}
}

// FirstUse records key until expiry and reports whether it was unused.
func (m *MemoryReplay) FirstUse(_ context.Context, key string, expiry time.Time) (bool, error) {
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
