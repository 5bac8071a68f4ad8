package middleware

import (
	"sync"
	"time"
)

// Guessing limits of LinkAPIHandler: after MaxRefusedProofs refused proofs
// within RefusedProofWindow for one LINE user, or for one membership
// number from any LINE users, further tries are answered 429 without
// being checked, right or not, until the oldest of those refusals leaves
// the window.
const (
	MaxRefusedProofs   = 5
	RefusedProofWindow = 15 * time.Minute
)

// attemptLimiter counts refused proofs by key ("line:" + a LINE user ID,
// "member:" + a membership number) in one process.
type attemptLimiter struct {
	now      func() time.Time
	mu       sync.Mutex
	refusals map[string][]time.Time // the last MaxRefusedProofs, oldest first
	sweepAt  int
}

func newAttemptLimiter(now func() time.Time) *attemptLimiter {
	return &attemptLimiter{now: now, refusals: map[string][]time.Time{}, sweepAt: 1024}
}

// wait returns how long the most locked of keys stays locked; zero when
// none is.
func (l *attemptLimiter) wait(keys ...string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	var longest time.Duration
	for _, k := range keys {
		times := l.refusals[k]
		if len(times) < MaxRefusedProofs {
			continue
		}
		if w := times[len(times)-MaxRefusedProofs].Add(RefusedProofWindow).Sub(now); w > longest {
			longest = w
		}
	}
	return longest
}

// refuse counts a refused proof against each of keys.
func (l *attemptLimiter) refuse(keys ...string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.refusals) >= l.sweepAt {
		// Forget keys whose refusals all left the window, so that a flood
		// of made-up membership numbers cannot grow the map for good.
		for k, times := range l.refusals {
			if now.Sub(times[len(times)-1]) >= RefusedProofWindow {
				delete(l.refusals, k)
			}
		}
		l.sweepAt = max(2*len(l.refusals), 1024)
	}
	for _, k := range keys {
		times := append(l.refusals[k], now)
		if len(times) > MaxRefusedProofs {
			times = append(times[:0:0], times[len(times)-MaxRefusedProofs:]...)
		}
		l.refusals[k] = times
	}
}
