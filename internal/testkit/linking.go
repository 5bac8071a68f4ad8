package testkit

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/linelogin/linelogin/link"
)

// CheckAttempts runs the lockout scenario every link.Attempts must pass,
// on a fresh a that locks after 3 refusals within 10 minutes.
func CheckAttempts(t *testing.T, a link.Attempts) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	locked := func(keys ...string) time.Duration {
		t.Helper()
		d, err := a.Locked(ctx, keys, now)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for i := range 3 {
		if d := locked("u1"); d != 0 {
			t.Fatalf("locked after %d refusals: %s", i, d)
		}
		keys := []string{"u1", "m1"}
		if i == 2 {
			keys = []string{"u1"} // m1 stays at two
		}
		if err := a.Refused(ctx, keys, now); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	// Refusals at 12:00, 12:01, 12:02; now 12:03: locked until 12:10.
	if d := locked("u1"); d != 7*time.Minute {
		t.Errorf("u1 locked for %s, want 7m", d)
	}
	if d := locked("m1", "other"); d != 0 {
		t.Errorf("m1 locked after two refusals: %s", d)
	}
	if d := locked("other", "u1"); d != 7*time.Minute {
		t.Errorf("the most locked key of several: %s", d)
	}
	// A fourth refusal moves the lock by the oldest one left.
	if err := a.Refused(ctx, []string{"u1"}, now); err != nil {
		t.Fatal(err)
	}
	if d := locked("u1"); d != 8*time.Minute {
		t.Errorf("after a fourth refusal: locked for %s, want 8m (until 12:11)", d)
	}
	now = now.Add(8 * time.Minute)
	if d := locked("u1"); d != 0 {
		t.Errorf("still locked when the oldest refusal left the window: %s", d)
	}
}

// CheckReplayShared checks that two link.ReplayMemory values sharing one
// backend, used by racing instances, let exactly one first use of a token
// through.
func CheckReplayShared(t *testing.T, a, b link.ReplayMemory) {
	t.Helper()
	ctx := context.Background()
	until := time.Now().Add(time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := 0
	for i := range 20 {
		m := a
		if i%2 == 1 {
			m = b
		}
		wg.Go(func() {
			first, err := m.FirstUse(ctx, "token", until)
			if err != nil {
				t.Error(err)
			}
			if first {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firsts != 1 {
		t.Errorf("%d first uses, want 1", firsts)
	}
	if first, err := b.FirstUse(ctx, "other", until); !first || err != nil {
		t.Errorf("another token: %v %v", first, err)
	}
}
