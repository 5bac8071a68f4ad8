package redisstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/session"
	"github.com/linelogin/linelogin/session/redisstore"
)

// The store satisfies the interfaces the session manager and the
// middleware look for.
var (
	_ session.Store        = (*redisstore.Store)(nil)
	_ session.LeasingStore = (*redisstore.Store)(nil)
	_ session.OwnerRevoker = (*redisstore.Store)(nil)
	_ session.Lister       = (*redisstore.Store)(nil)
)

// forEachTopology runs test against a single node and against a
// three-node Redis Cluster, each with a store of its own under a fresh
// prefix, and a plain client for looking at Redis from outside.
func forEachTopology(t *testing.T, test func(t *testing.T, store *redisstore.Store, raw rueidis.Client, prefix string)) {
	for _, topo := range redistest.Topologies() {
		t.Run(topo.Name, func(t *testing.T) {
			url := topo.URL(t)
			prefix := redistest.Prefix()
			store := newStore(t, url, redisstore.Options{Prefix: prefix})
			test(t, store, redistest.NewClient(t, url), prefix)
		})
	}
}

func newStore(t testing.TB, url string, opts redisstore.Options) *redisstore.Store {
	t.Helper()
	store, err := redisstore.NewURL(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	return store
}

func keyID(ref []byte) string {
	sum := sha256.Sum256(ref)
	return hex.EncodeToString(sum[:])
}

// eventually polls cond until it holds, failing t after deadline: for
// what happens asynchronously (an invalidation, an expiry in Redis).
func eventually(t *testing.T, deadline time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %v", what, deadline)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// leased reads ref with a lease. A read may be denied a lease when an
// invalidation was processed meanwhile (on a loaded machine, a connection
// the client judged dead and replaced flushes everything): it is asked
// again, as the next request would.
func leased(t *testing.T, store *redisstore.Store, ref []byte) *session.Lease {
	t.Helper()
	var lease *session.Lease
	eventually(t, 5*time.Second, "a lease", func() bool {
		var err error
		_, lease, err = store.LoadLeased(context.Background(), ref)
		if err != nil {
			t.Fatalf("LoadLeased: %v", err)
		}
		return lease.Held(time.Now())
	})
	return lease
}

func TestStore_SaveLoadDelete(t *testing.T) {
	forEachTopology(t, func(t *testing.T, store *redisstore.Store, raw rueidis.Client, prefix string) {
		ctx := context.Background()
		payload := bytes.Repeat([]byte("p"), 10_000) // far beyond a cookie
		ref, err := store.Save(ctx, "U1", payload, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(ref) != 32 {
			t.Errorf("reference has %d bytes, want 32", len(ref))
		}
		ref2, err := store.Save(ctx, "U1", payload, time.Now().Add(time.Hour))
		if err != nil || bytes.Equal(ref, ref2) {
			t.Fatalf("second Save: %x, %v: want a new reference", ref2, err)
		}
		got, err := store.Load(ctx, ref)
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("Load = %d bytes, %v", len(got), err)
		}
		sessionKey := prefix + "s:" + keyID(ref)
		if ttl, _ := raw.Do(ctx, raw.B().Pttl().Key(sessionKey).Build()).AsInt64(); ttl <= (59*time.Minute).Milliseconds() || ttl > time.Hour.Milliseconds() {
			t.Errorf("session TTL %dms, want about an hour", ttl)
		}
		// Redis holds neither the reference nor anything that maps back
		// to it: only its SHA-256 names the key.
		if n, _ := raw.Do(ctx, raw.B().Exists().Key(prefix+"s:"+hex.EncodeToString(ref)).Build()).AsInt64(); n != 0 {
			t.Error("the reference itself names a key")
		}
		if ok, _ := raw.Do(ctx, raw.B().Sismember().Key(prefix+"u:U1").Member(keyID(ref)).Build()).AsBool(); !ok {
			t.Error("session is not in its owner's index")
		}
		if err := store.Delete(ctx, ref); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Load(ctx, ref); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("Load after Delete: %v, want ErrNotFound", err)
		}
		if ok, _ := raw.Do(ctx, raw.B().Sismember().Key(prefix+"u:U1").Member(keyID(ref)).Build()).AsBool(); ok {
			t.Error("deleted session is still indexed")
		}
		if got, err := store.Load(ctx, ref2); err != nil || !bytes.Equal(got, payload) {
			t.Errorf("the other session after Delete: %d bytes, %v", len(got), err)
		}
		for name, bad := range map[string][]byte{"unknown": bytes.Repeat([]byte{7}, 32), "short": {1, 2, 3}, "empty": nil} {
			if err := store.Delete(ctx, bad); err != nil {
				t.Errorf("Delete(%s): %v", name, err)
			}
			if _, err := store.Load(ctx, bad); !errors.Is(err, session.ErrNotFound) {
				t.Errorf("Load(%s): %v, want ErrNotFound", name, err)
			}
		}
		if _, err := store.Save(ctx, "U1", payload, time.Now().Add(-time.Second)); err == nil {
			t.Error("Save with a past expiry succeeded")
		}
	})
}

func TestStore_ExpiresWithTheSession(t *testing.T) {
	forEachTopology(t, func(t *testing.T, store *redisstore.Store, raw rueidis.Client, prefix string) {
		ctx := context.Background()
		ref, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(300*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		lease := leased(t, store, ref)
		if d := time.Until(lease.Until()); d > 300*time.Millisecond {
			t.Errorf("the lease on a session expiring in 300ms lasts %v", d)
		}
		// Redis expires the key by itself: reads say so, and the owner's
		// index goes with its only session.
		eventually(t, 5*time.Second, "session expired in Redis", func() bool {
			_, err := store.Load(ctx, ref)
			return errors.Is(err, session.ErrNotFound)
		})
		if !lease.Ended() && lease.Held(time.Now()) {
			t.Error("the lease holds after the session expired")
		}
		eventually(t, 5*time.Second, "index expired", func() bool {
			n, _ := raw.Do(ctx, raw.B().Exists().Key(prefix+"u:U1").Build()).AsInt64()
			return n == 0
		})
	})
}

func TestStore_OwnerIndexLastsAsLongAsTheLongestSession(t *testing.T) {
	forEachTopology(t, func(t *testing.T, store *redisstore.Store, raw rueidis.Client, prefix string) {
		ctx := context.Background()
		for _, d := range []time.Duration{time.Hour, 2 * time.Hour, 10 * time.Minute} {
			if _, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(d)); err != nil {
				t.Fatal(err)
			}
		}
		for _, key := range []string{prefix + "u:U1", prefix + "m:U1"} {
			ttl, _ := raw.Do(ctx, raw.B().Pttl().Key(key).Build()).AsInt64()
			if ttl < (2*time.Hour-time.Minute).Milliseconds() || ttl > (2*time.Hour).Milliseconds() {
				t.Errorf("%s TTL %dms, want about 2h", key, ttl)
			}
		}
	})
}

func TestStore_DeleteOwnerAcrossSlots(t *testing.T) {
	forEachTopology(t, func(t *testing.T, store *redisstore.Store, raw rueidis.Client, prefix string) {
		ctx := context.Background()
		save := func(owner string) []byte {
			ref, err := store.Save(ctx, owner, []byte(owner), time.Now().Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			return ref
		}
		var alice [][]byte
		slots := map[int64]bool{}
		for range 600 { // more than one batch
			ref := save("alice")
			alice = append(alice, ref)
			// Read through the cache, so that revocation must also
			// reach this instance's memory.
			leased(t, store, ref)
			// CLUSTER KEYSLOT answers on a cluster only.
			if slot, err := raw.Do(ctx, raw.B().ClusterKeyslot().Key(prefix+"s:"+keyID(ref)).Build()).AsInt64(); err == nil {
				slots[slot] = true
			}
		}
		if t.Name() == "TestStore_DeleteOwnerAcrossSlots/cluster" && len(slots) < 100 {
			t.Fatalf("alice's 600 sessions hash to %d slots: the test does not spread them", len(slots))
		}
		bob := save("bob")
		if err := store.DeleteOwner(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		for i, ref := range alice {
			if _, err := store.Load(ctx, ref); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("alice's session %d after DeleteOwner: %v", i, err)
			}
		}
		if got, err := store.Load(ctx, bob); err != nil || string(got) != "bob" {
			t.Errorf("bob's session after DeleteOwner(alice): %q, %v", got, err)
		}
		for _, key := range []string{prefix + "u:alice", prefix + "m:alice"} {
			if n, _ := raw.Do(ctx, raw.B().Exists().Key(key).Build()).AsInt64(); n != 0 {
				t.Errorf("%s is still there", key)
			}
		}
		if err := store.DeleteOwner(ctx, "nobody"); err != nil {
			t.Errorf("DeleteOwner of an owner without sessions: %v", err)
		}
		// A new login after the revocation works and is indexed again.
		ref := save("alice")
		if err := store.DeleteOwner(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Load(ctx, ref); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("alice's new session after a second DeleteOwner: %v", err)
		}
	})
}

// A lease ends when anyone changes the session in Redis, and when the
// connection that would say so drops.
func TestStore_LeaseEndsOnAnyChange(t *testing.T) {
	forEachTopology(t, func(t *testing.T, store *redisstore.Store, raw rueidis.Client, prefix string) {
		ctx := context.Background()
		cached := func() ([]byte, *session.Lease) {
			t.Helper()
			ref, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			lease := leased(t, store, ref)
			// A second read is served from memory under the same lease.
			if _, again, _ := store.LoadLeased(ctx, ref); again != lease && !lease.Ended() {
				t.Error("a second read took a new lease")
			}
			return ref, lease
		}
		for name, change := range map[string]func(key string) rueidis.Completed{
			"DEL":     func(key string) rueidis.Completed { return raw.B().Del().Key(key).Build() },
			"SET":     func(key string) rueidis.Completed { return raw.B().Set().Key(key).Value("x").Build() },
			"PEXPIRE": func(key string) rueidis.Completed { return raw.B().Pexpire().Key(key).Milliseconds(1).Build() },
		} {
			ref, lease := cached()
			if err := raw.Do(ctx, change(prefix+"s:"+keyID(ref))).Error(); err != nil {
				t.Fatal(err)
			}
			eventually(t, time.Second, name+" from outside ends the lease", lease.Ended)
			eventually(t, time.Second, "Load after "+name+" finds no session", func() bool {
				_, err := store.Load(ctx, ref)
				return errors.Is(err, session.ErrNotFound)
			})
		}
		ref, lease := cached()
		if err := store.Delete(ctx, ref); err != nil {
			t.Fatal(err)
		}
		eventually(t, time.Second, "Delete ends the lease", lease.Ended)

		// The connection dropped (an operator's CLIENT KILL, a network
		// failure): invalidations sent meanwhile are lost, so every lease
		// ends and nothing read before is served again.
		ref, lease = cached()
		redistest.KillClients(t, raw)
		eventually(t, 2*time.Second, "a dropped connection ends the lease", lease.Ended)
		eventually(t, 2*time.Second, "DEL from outside", func() bool {
			return raw.Do(ctx, raw.B().Del().Key(prefix+"s:"+keyID(ref)).Build()).Error() == nil
		})
		eventually(t, 2*time.Second, "reconnected", func() bool { return store.Ping(ctx) == nil })
		if _, err := store.Load(ctx, ref); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("Load of a session deleted while disconnected: %v, want ErrNotFound", err)
		}
	})
}

func TestStore_ListTouchAndEnd(t *testing.T) {
	forEachTopology(t, func(t *testing.T, store *redisstore.Store, raw rueidis.Client, prefix string) {
		ctx := context.Background()
		start := time.Now().Truncate(time.Second)
		var refs [][]byte
		for range 3 {
			ref, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, ref)
		}
		other, err := store.Save(ctx, "U2", []byte("p"), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		seen := start.Add(10 * time.Minute)
		if err := store.Touch(ctx, "U1", refs[1], seen, "Chrome on Android"); err != nil {
			t.Fatal(err)
		}
		// A second touch within the interval writes nothing.
		if err := store.Touch(ctx, "U1", refs[1], seen.Add(time.Minute), "Safari on iPhone"); err != nil {
			t.Fatal(err)
		}
		list, err := store.List(ctx, "U1")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Fatalf("List = %d sessions, want 3", len(list))
		}
		first := list[0]
		if first.ID != store.ID(refs[1]) || !first.LastSeen.Equal(seen) || first.Device != "Chrome on Android" {
			t.Errorf("most recently seen = %+v, want session 1 seen at %v from Chrome on Android", first, seen)
		}
		for _, info := range list {
			if info.Created.Before(start) || info.Expires.Before(start.Add(59*time.Minute)) {
				t.Errorf("session %+v: created or expiry wrong", info)
			}
		}

		// Another owner's session cannot be ended by ID.
		if err := store.DeleteID(ctx, "U1", store.ID(other)); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Load(ctx, other); err != nil {
			t.Errorf("U2's session after U1 tried to end it: %v", err)
		}
		if err := store.DeleteID(ctx, "U1", store.ID(refs[0])); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Load(ctx, refs[0]); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("ended session: %v", err)
		}
		// A session deleted from outside (an operator) leaves the list.
		if err := raw.Do(ctx, raw.B().Del().Key(prefix+"s:"+keyID(refs[2])).Build()).Error(); err != nil {
			t.Fatal(err)
		}
		list, err = store.List(ctx, "U1")
		if err != nil || len(list) != 1 || list[0].ID != store.ID(refs[1]) {
			t.Errorf("List after ending two = %+v, %v; want session 1 alone", list, err)
		}
		for _, bad := range []string{"", "zz", strings.Repeat("0", 64)} {
			if err := store.DeleteID(ctx, "U1", bad); err != nil {
				t.Errorf("DeleteID(%q): %v", bad, err)
			}
		}
	})
}

func TestStore_ForeignValueReadsAsAbsent(t *testing.T) {
	forEachTopology(t, func(t *testing.T, store *redisstore.Store, raw rueidis.Client, prefix string) {
		ctx := context.Background()
		ref, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		// Someone else's value under our key: a length prefix past its end.
		if err := raw.Do(ctx, raw.B().Set().Key(prefix+"s:"+keyID(ref)).Value("\xff\x01").Build()).Error(); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Load(ctx, ref); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("Load of a foreign value: %v, want ErrNotFound", err)
		}
	})
}

// A node of the cluster restarts: the sessions it holds are an outage
// (never a logout) while it is down, leases on them end, and once it is
// back with its data they work again, and a user's sessions on every node
// can be revoked.
func TestStore_ClusterNodeRestart(t *testing.T) {
	cluster := redistest.StartCluster(t, true)
	prefix := redistest.Prefix()
	store := newStore(t, cluster.URL(), redisstore.Options{Prefix: prefix, Timeout: 500 * time.Millisecond})
	ctx := context.Background()
	var refs [][]byte
	onNode := map[*redistest.Server][][]byte{}
	leases := map[string]*session.Lease{}
	for range 30 {
		ref, err := store.Save(ctx, "alice", []byte("p"), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		lease := leased(t, store, ref)
		refs = append(refs, ref)
		n := cluster.NodeOf(prefix + "s:" + keyID(ref))
		onNode[n] = append(onNode[n], ref)
		leases[string(ref)] = lease
	}
	if len(onNode) < 2 {
		t.Fatalf("30 sessions on %d nodes", len(onNode))
	}
	down := cluster.Nodes[1]
	if len(onNode[down]) == 0 {
		t.Fatal("no session on the node to restart")
	}
	down.Stop()
	for _, ref := range onNode[down] {
		eventually(t, 3*time.Second, "lease on the stopped node ended", leases[string(ref)].Ended)
		_, err := store.Load(ctx, ref)
		if !errors.Is(err, session.ErrStoreUnavailable) || errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Load from a stopped node: %v, want ErrStoreUnavailable alone", err)
		}
	}
	down.Restart()
	cluster.WaitUp()
	for _, ref := range refs {
		eventually(t, 10*time.Second, "session readable after the restart", func() bool {
			_, err := store.Load(ctx, ref)
			return err == nil
		})
	}
	if err := store.DeleteOwner(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		if _, err := store.Load(ctx, ref); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("after DeleteOwner: %v", err)
		}
	}
}

// Redis down at start: the store is made anyway, operations are an
// outage, and it connects once Redis answers.
func TestStore_StartsWithRedisDown(t *testing.T) {
	srv := redistest.Start(t, false)
	srv.Stop()
	store := newStore(t, srv.URL(), redisstore.Options{Prefix: redistest.Prefix()})
	ctx := context.Background()
	if _, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(time.Hour)); !errors.Is(err, session.ErrStoreUnavailable) {
		t.Errorf("Save with Redis down: %v", err)
	}
	if _, err := store.Load(ctx, bytes.Repeat([]byte{1}, 32)); !errors.Is(err, session.ErrStoreUnavailable) || errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load with Redis down: %v, want ErrStoreUnavailable alone", err)
	}
	srv.Restart()
	eventually(t, 5*time.Second, "connected", func() bool { return store.Ping(ctx) == nil })
	ref, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := store.Load(ctx, ref); err != nil || string(got) != "p" {
		t.Errorf("Load = %q, %v", got, err)
	}
}

// With client-side caching off, no lease is promised: every read goes to
// Redis, as before issue 14.
func TestStore_WithoutClientSideCacheNoLease(t *testing.T) {
	url := redistest.URL(t)
	for name, store := range map[string]*redisstore.Store{
		"MaxCacheAge < 0": newStore(t, url, redisstore.Options{Prefix: redistest.Prefix(), MaxCacheAge: -1}),
		"client_cache=0":  newStore(t, url+"?client_cache=0", redisstore.Options{Prefix: redistest.Prefix()}),
	} {
		ctx := context.Background()
		ref, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		payload, lease, err := store.LoadLeased(ctx, ref)
		if err != nil || string(payload) != "p" || lease != nil {
			t.Errorf("%s: LoadLeased = %q, %v, %v; want the payload and no lease", name, payload, lease, err)
		}
	}
}

// FLUSHALL (on a Redis of the test's own: it would wipe other tests' keys)
// invalidates everything: every lease ends.
func TestStore_FlushallEndsEveryLease(t *testing.T) {
	srv := redistest.Start(t, false)
	store := newStore(t, srv.URL(), redisstore.Options{Prefix: redistest.Prefix()})
	ctx := context.Background()
	var leases []*session.Lease
	for range 3 {
		ref, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		leases = append(leases, leased(t, store, ref))
	}
	if _, err := srv.Do("FLUSHALL"); err != nil {
		t.Fatal(err)
	}
	for i, l := range leases {
		eventually(t, 2*time.Second, fmt.Sprintf("lease %d ended by FLUSHALL", i), l.Ended)
	}
}
