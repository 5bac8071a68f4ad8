package linkmemory_test

import (
	"context"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/linkmemory"
	"github.com/linelogin/linelogin/internal/testkit"
)

func TestReplay_OnceUntilExpiry(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m := linkmemory.NewReplay(clock.Now)
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

func TestReplay_SharedWithinAProcess(t *testing.T) {
	m := linkmemory.NewReplay(nil)
	testkit.CheckReplayShared(t, m, m)
}
