package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/session"
	"github.com/linelogin/linelogin/session/redisstore"
)

// TestStore_DeletionSurvivesAFailover: on a cluster whose replicas lag
// (300 ms, as under load), a session deleted (a logout) just before its
// master crashes stays deleted once the replica is promoted: the deletion
// returns only after a replica has it (WAIT), or fails when none
// confirms it in time. A session nobody deleted survives the failover.
func TestStore_DeletionSurvivesAFailover(t *testing.T) {
	testkit.LongOnly(t, "starts a six-node cluster and waits for a failover")
	c := redistest.StartReplicatedCluster(t)
	opt, err := rueidis.ParseURL(c.URL())
	if err != nil {
		t.Fatal(err)
	}
	opt.DialCtxFn = c.Dial // the store talks to the nodes directly, not through the lagging links
	prefix := redistest.Prefix()
	store := redisstore.New(opt, redisstore.Options{Prefix: prefix, Timeout: 5 * time.Second})
	t.Cleanup(store.Close)
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	ended, err := store.Save(ctx, "U-ended", []byte("ended"), expiry)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := store.Save(ctx, "U-kept", []byte("kept"), expiry)
	if err != nil {
		t.Fatal(err)
	}
	master := c.NodeOf(prefix + "s:" + store.ID(ended))

	// With the replica's link hung, no replica can confirm a deletion: it
	// fails (the logout says it could not finish) within the timeout.
	hurried := redisstore.New(opt, redisstore.Options{Prefix: prefix, Timeout: time.Second})
	t.Cleanup(hurried.Close)
	c.Link(master).Set(testkit.ProxyHang, 0)
	begin := time.Now()
	if err := hurried.Delete(ctx, ended); !errors.Is(err, session.ErrStoreUnavailable) {
		t.Errorf("Delete with no replica answering: %v, want ErrStoreUnavailable", err)
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("Delete with no replica answering took %v, with a 1s timeout", d)
	}
	// Saved again, as a session that the next logout ends.
	c.Link(master).Set(testkit.ProxyPass, 0)
	if ended, err = store.Save(ctx, "U-ended", []byte("ended"), expiry); err != nil {
		t.Fatal(err)
	}
	master = c.NodeOf(prefix + "s:" + store.ID(ended))
	c.WaitReplicated() // only the deletion may be lost, not the session

	c.Link(master).Set(testkit.ProxySlow, 300*time.Millisecond)
	if err := store.Delete(ctx, ended); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	c.Crash(master)

	// Until a replica is promoted, the slot has no master: unavailable.
	var got []byte
	eventually(t, 30*time.Second, "the replica promoted", func() bool {
		got, err = store.Load(ctx, ended)
		return !errors.Is(err, session.ErrStoreUnavailable)
	})
	if err == nil {
		t.Fatalf("after the failover, the deleted session is back: %q", got)
	}
	if !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("after the failover: %v, want ErrNotFound", err)
	}
	eventually(t, 30*time.Second, "the kept session served", func() bool {
		p, err := store.Load(ctx, kept)
		return err == nil && string(p) == "kept"
	})
}
