package link_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/link"
)

func TestMemoryReplay_OnceUntilExpiry(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m := link.NewMemoryReplay(clock.Now)
	ctx := context.Background()
	until := clock.Now().Add(10 * time.Minute)
	for i, want := range []bool{true, false, false} {
		if first, err := m.FirstUse(ctx, "t1", until); first != want || err != nil {
			t.Errorf("use %d: %v %v, want %v", i, first, err, want)
		}
	}
	if first, _ := m.FirstUse(ctx, "t2", until); !first {
		t.Error("another key counted as used")
	}
	clock.Advance(10 * time.Minute)
	if first, _ := m.FirstUse(ctx, "t1", until.Add(time.Minute)); !first {
		t.Error("a key is remembered past its expiry")
	}
}

func TestRedisReplay_SharedAcrossInstances(t *testing.T) {
	opts := redistest.Options(t)
	prefix := redistest.Prefix()
	a := link.NewRedisReplay(redistest.NewClient(t, opts), prefix)
	b := link.NewRedisReplay(redistest.NewClient(t, opts), prefix)
	ctx := context.Background()
	until := time.Now().Add(time.Minute)

	// Many instances racing on one token: exactly one is first.
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

	down := link.NewRedisReplay(redistest.NewClient(t, &redis.Options{Addr: "127.0.0.1:1"}), prefix)
	if _, err := down.FirstUse(ctx, "token", until); !errors.Is(err, link.ErrUnavailable) {
		t.Errorf("Redis down: %v, want ErrUnavailable", err)
	}
}
