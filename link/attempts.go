package link

import (
	"context"
	"sync"
	"time"
)

// Attempts counts refused proofs by key (a LINE user, a membership
// number), so that guessing stops after a few: a key with Max refusals
// within Window is locked until the oldest of them leaves the window.
// Times come from the caller, so that one injected clock rules.
type Attempts interface {
	// Refused counts a refused proof against each of keys at now.
	Refused(ctx context.Context, keys []string, now time.Time) error
	// Locked returns how long the most locked of keys stays locked after
	// now; zero when none is.
	Locked(ctx context.Context, keys []string, now time.Time) (time.Duration, error)
}

// MemoryAttempts is Attempts in one process.
type MemoryAttempts struct {
	max    int
	window time.Duration

	mu       sync.Mutex
	refusals map[string][]time.Time // the last max, oldest first
	sweepAt  int
}

// NewMemoryAttempts locks a key after max refusals (at least 1) within
// window.
func NewMemoryAttempts(max int, window time.Duration) *MemoryAttempts {
	max = clampMax(max)
	return &MemoryAttempts{max: max, window: window, refusals: map[string][]time.Time{}, sweepAt: 1024}
}

// Refused counts a refusal against each of keys.
func (m *MemoryAttempts) Refused(_ context.Context, keys []string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.refusals) >= m.sweepAt {
		// Forget keys whose refusals all left the window, so that a flood
		// of made-up membership numbers cannot grow the map for good.
		for k, times := range m.refusals {
			if now.Sub(times[len(times)-1]) >= m.window {
				delete(m.refusals, k)
			}
		}
		m.sweepAt = max(2*len(m.refusals), 1024)
	}
	for _, k := range keys {
		times := append(m.refusals[k], now)
		if len(times) > m.max {
			times = append(times[:0:0], times[len(times)-m.max:]...)
		}
		m.refusals[k] = times
	}
	return nil
}

// Locked returns how long the most locked of keys stays locked.
func (m *MemoryAttempts) Locked(_ context.Context, keys []string, now time.Time) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var longest time.Duration
	for _, k := range keys {
		if times := m.refusals[k]; len(times) >= m.max {
			longest = max(longest, times[len(times)-m.max].Add(m.window).Sub(now))
		}
	}
	return longest, nil
}

// clampMax keeps a lock reachable: zero refusals allowed would lock every
// key before its first try.
func clampMax(max int) int {
	if max < 1 {
		return 1
	}
	return max
}
