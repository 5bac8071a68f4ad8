package redislink_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/link/redislink"
)

func TestAttempts_LockAfterMaxWithinWindow(t *testing.T) {
	for _, topo := range redistest.Topologies() {
		t.Run(topo.Name, func(t *testing.T) {
			testkit.CheckAttempts(t, redislink.NewAttempts(newClient(t, topo.URL(t)), redistest.Prefix(), 3, 10*time.Minute))
		})
	}
}

// TestAttempts_ParallelReservationsAcrossInstances: instances racing for
// one key never reserve more than the limit together.
func TestAttempts_ParallelReservationsAcrossInstances(t *testing.T) {
	for _, topo := range redistest.Topologies() {
		t.Run(topo.Name, func(t *testing.T) {
			url, prefix := topo.URL(t), redistest.Prefix()
			testkit.CheckAttemptsParallel(t,
				redislink.NewAttempts(newClient(t, url), prefix, 3, 10*time.Minute),
				redislink.NewAttempts(newClient(t, url), prefix, 3, 10*time.Minute))
		})
	}
}

func TestReplay_SharedAcrossInstances(t *testing.T) {
	for _, topo := range redistest.Topologies() {
		t.Run(topo.Name, func(t *testing.T) {
			url, prefix := topo.URL(t), redistest.Prefix()
			a := redislink.NewReplay(newClient(t, url), prefix)
			b := redislink.NewReplay(newClient(t, url), prefix)
			testkit.CheckReplayShared(t, a, b)
		})
	}
}

func newClient(t *testing.T, url string) *redislink.Client {
	t.Helper()
	c, err := redislink.NewURL(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestRedisDown_IsUnavailable: with Redis gone, both answer
// link.ErrUnavailable (an outage, 503), never "first use" or "not locked";
// once Redis is back, they work without a restart.
func TestRedisDown_IsUnavailable(t *testing.T) {
	srv := redistest.Start(t, false)
	srv.Stop()
	client := newClient(t, srv.URL()) // made while Redis is down
	replay := redislink.NewReplay(client, "x:")
	attempts := redislink.NewAttempts(client, "x:", 3, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // a hang detector
	defer cancel()
	if first, err := replay.FirstUse(ctx, "token", time.Now().Add(time.Minute)); !errors.Is(err, link.ErrUnavailable) || first {
		t.Errorf("replay with Redis down: %v, %v; want ErrUnavailable", first, err)
	}
	if id, _, err := attempts.Reserve(ctx, []string{"u"}, time.Now()); !errors.Is(err, link.ErrUnavailable) || id != "" {
		t.Errorf("attempts with Redis down: %q, %v; want ErrUnavailable", id, err)
	}
	if err := attempts.Release(ctx, []string{"u"}, "id"); !errors.Is(err, link.ErrUnavailable) {
		t.Errorf("release with Redis down: %v, want ErrUnavailable", err)
	}
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second) // redials once a second
	for {
		first, err := replay.FirstUse(context.Background(), "token", time.Now().Add(time.Minute))
		if err == nil && first {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis is back, the replay memory is not: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // polling Redis's recovery, not waiting for time
	}
}
