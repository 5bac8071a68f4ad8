package testkit

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linelogin/linelogin/link"
)

// CheckAttempts runs the lockout scenario every link.Attempts must pass,
// on a fresh a that checks at most 3 attempts per key within 10 minutes.
func CheckAttempts(t *testing.T, a link.Attempts) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	reserve := func(keys ...string) (string, time.Duration) {
		t.Helper()
		id, wait, err := a.Reserve(ctx, keys, now)
		if err != nil {
			t.Fatal(err)
		}
		if (id == "") == (wait == 0) {
			t.Fatalf("Reserve(%v) = %q, %s: want an ID or a wait", keys, id, wait)
		}
		return id, wait
	}
	// Three refused proofs (kept reservations): 12:00 and 12:01 for u1
	// and m1, 12:02 for u1 alone.
	for i := range 3 {
		keys := []string{"u1", "m1"}
		if i == 2 {
			keys = []string{"u1"} // m1 stays at two
		}
		if _, wait := reserve(keys...); wait != 0 {
			t.Fatalf("locked after %d attempts: %s", i, wait)
		}
		now = now.Add(time.Minute)
	}
	// Now 12:03: u1 is locked until 12:10.
	if _, wait := reserve("u1"); wait != 7*time.Minute {
		t.Errorf("u1 locked for %s, want 7m", wait)
	}
	if _, wait := reserve("other", "u1"); wait != 7*time.Minute {
		t.Errorf("the most locked key of several: %s", wait)
	}
	// A locked key takes nothing from the keys reserved with it: m1 and
	// "other" keep their places.
	if _, wait := reserve("m1", "u1"); wait != 7*time.Minute {
		t.Errorf("m1 and u1: %s, want 7m", wait)
	}
	id, _ := reserve("m1", "other")
	if _, wait := reserve("m1"); wait != 10*time.Minute-3*time.Minute {
		t.Errorf("m1 after its third attempt: wait %s, want 7m", wait)
	}
	// A released reservation (a success, an outage) gives its place back.
	if err := a.Release(ctx, []string{"m1", "other"}, id); err != nil {
		t.Fatal(err)
	}
	if _, wait := reserve("m1"); wait != 0 {
		t.Errorf("m1 after a release: locked for %s", wait)
	}
	for range 2 {
		if _, wait := reserve("other"); wait != 0 {
			t.Errorf("other locked for %s after one attempt released", wait)
		}
	}
	// 12:10: u1's oldest attempt left the window; one more try.
	now = now.Add(7 * time.Minute)
	if _, wait := reserve("u1"); wait != 0 {
		t.Errorf("still locked when the oldest attempt left the window: %s", wait)
	}
	if _, wait := reserve("u1"); wait != time.Minute {
		t.Errorf("after a fourth attempt: locked for %s, want 1m (until 12:11)", wait)
	}
}

// CheckAttemptsParallel reserves one key (and a key shared by all, like a
// membership number guessed from several LINE users) from many goroutines
// at once, spread over instances sharing one backend: at most 3 of them
// get a reservation, on fresh instances that allow 3 per key.
func CheckAttemptsParallel(t *testing.T, instances ...link.Attempts) {
	t.Helper()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	const n = 200
	var wg sync.WaitGroup
	var reserved atomic.Int32
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			user := i % 4
			id, wait, err := instances[i%len(instances)].Reserve(context.Background(),
				[]string{fmt.Sprintf("user%d", user), "member"}, now)
			switch {
			case err != nil:
				t.Error(err)
			case id != "":
				reserved.Add(1)
			case wait <= 0:
				t.Errorf("no reservation and no wait")
			}
		})
	}
	close(start)
	wg.Wait()
	if got := reserved.Load(); got != 3 {
		t.Errorf("%d of %d simultaneous attempts reserved, want 3", got, n)
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
