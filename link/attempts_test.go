package link_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/link"
)

func TestAttempts_LockAfterMaxWithinWindow(t *testing.T) {
	opts := redistest.Options(t)
	for name, newAttempts := range map[string]func() link.Attempts{
		"memory": func() link.Attempts { return link.NewMemoryAttempts(3, 10*time.Minute) },
		"redis": func() link.Attempts {
			return link.NewRedisAttempts(redistest.NewClient(t, opts), redistest.Prefix(), 3, 10*time.Minute)
		},
	} {
		t.Run(name, func(t *testing.T) {
			a := newAttempts()
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
		})
	}
	down := link.NewRedisAttempts(redistest.NewClient(t, &redis.Options{Addr: "127.0.0.1:1"}), "x:", 3, time.Minute)
	if _, err := down.Locked(context.Background(), []string{"u"}, time.Now()); !errors.Is(err, link.ErrUnavailable) {
		t.Errorf("Redis down: %v, want ErrUnavailable", err)
	}
}
