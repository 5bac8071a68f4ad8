package session_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/session"
)

// Both stores satisfy the interfaces the Manager relies on.
var (
	_ session.Store        = (*session.RedisStore)(nil)
	_ session.OwnerRevoker = (*session.RedisStore)(nil)
)

func newTestRedisStore(t testing.TB) (*session.RedisStore, *redis.Client, string) {
	t.Helper()
	client := redistest.NewClient(t, redistest.Options(t))
	prefix := redistest.Prefix()
	return session.NewRedisStore(client, session.RedisOptions{Prefix: prefix}), client, prefix
}

func keyID(ref []byte) string {
	sum := sha256.Sum256(ref)
	return hex.EncodeToString(sum[:])
}

func TestRedisStore_SaveLoadDelete(t *testing.T) {
	store, client, prefix := newTestRedisStore(t)
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

	// Redis holds neither the reference nor anything that maps to it
	// without the hash: only its SHA-256 names the key.
	keys, err := client.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if strings.Contains(k, hex.EncodeToString(ref)) || strings.Contains(k, string(ref)) {
			t.Errorf("key %q reveals the reference", k)
		}
	}
	sessionKey := prefix + "s:" + keyID(ref)
	if ttl := client.PTTL(ctx, sessionKey).Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("session TTL %v, want about an hour", ttl)
	}
	if !client.SIsMember(ctx, prefix+"u:U1", keyID(ref)).Val() {
		t.Error("session is not in its owner's index")
	}

	if err := store.Delete(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(ctx, ref); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load after Delete: %v, want ErrNotFound", err)
	}
	if client.SIsMember(ctx, prefix+"u:U1", keyID(ref)).Val() {
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
}

func TestRedisStore_ExpiresWithTheSession(t *testing.T) {
	store, client, prefix := newTestRedisStore(t)
	ctx := context.Background()
	ref, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	if _, err := store.Load(ctx, ref); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load after expiry: %v, want ErrNotFound", err)
	}
	if n := client.Exists(ctx, prefix+"u:U1").Val(); n != 0 {
		t.Error("the owner index outlived its only session")
	}
}

func TestRedisStore_OwnerIndexLastsAsLongAsTheLongestSession(t *testing.T) {
	store, client, prefix := newTestRedisStore(t)
	ctx := context.Background()
	for _, d := range []time.Duration{time.Hour, 2 * time.Hour, 10 * time.Minute} {
		if _, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	if ttl := client.PTTL(ctx, prefix+"u:U1").Val(); ttl < 2*time.Hour-time.Minute || ttl > 2*time.Hour {
		t.Errorf("owner index TTL %v, want about 2h", ttl)
	}
}

func TestRedisStore_DeleteOwner(t *testing.T) {
	store, client, prefix := newTestRedisStore(t)
	ctx := context.Background()
	save := func(owner string) []byte {
		ref, err := store.Save(ctx, owner, []byte(owner), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	var alice [][]byte
	for range 600 { // more than one batch
		alice = append(alice, save("alice"))
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
	if n := client.Exists(ctx, prefix+"u:alice").Val(); n != 0 {
		t.Error("alice's index is still there")
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
}

func TestRedisStore_WithManager(t *testing.T) {
	store, _, _ := newTestRedisStore(t)
	c := testkit.NewClock(time.Now())
	oldKey, newKey := session.GenerateKey(), session.GenerateKey()
	m := testkit.NewManager(t, c, store, oldKey)

	// A payload far beyond 4096 bytes: the cookie carries only the ID.
	big := bytes.Repeat([]byte("big"), 3000)
	r, cookie := testkit.Issue(t, m, big)
	if len(cookie.String()) > 300 {
		t.Errorf("server-side session cookie has %d bytes", len(cookie.String()))
	}
	if got, err := m.Load(httptest.NewRecorder(), r); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("Load: %d bytes, %v", len(got), err)
	}

	// Rotation: the old key still decodes, and the cookie is re-issued
	// under the new one for the same session.
	rotated := testkit.NewManager(t, c, store, newKey, oldKey)
	rec := httptest.NewRecorder()
	if _, err := rotated.Load(rec, r); err != nil {
		t.Fatalf("Load under the old key: %v", err)
	}
	re := rec.Result().Cookies()
	if len(re) != 1 {
		t.Fatalf("cookie under the old key re-issued %d times", len(re))
	}
	r2 := httptest.NewRequest(http.MethodGet, "/", nil)
	r2.AddCookie(re[0])
	onlyNew := testkit.NewManager(t, c, store, newKey)
	if _, err := onlyNew.Load(httptest.NewRecorder(), r2); err != nil {
		t.Errorf("re-issued cookie under the new key alone: %v", err)
	}
	if _, err := onlyNew.Load(httptest.NewRecorder(), r); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("cookie under a removed key: %v, want ErrNoSession", err)
	}

	// Revocation ends both cookies of the session.
	if err := onlyNew.RevokeOwner(context.Background(), "owner"); err != nil {
		t.Fatal(err)
	}
	if _, err := onlyNew.Load(httptest.NewRecorder(), r2); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("after RevokeOwner: %v, want ErrNoSession", err)
	}

	// Logout ends it in Redis: a copy of the cookie is worthless.
	r3, _ := testkit.Issue(t, onlyNew, []byte("p"))
	if err := onlyNew.Destroy(httptest.NewRecorder(), r3); err != nil {
		t.Fatal(err)
	}
	if _, err := onlyNew.Load(httptest.NewRecorder(), r3); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("copied cookie after Destroy: %v, want ErrNoSession", err)
	}
}

func TestRedisStore_CookieStoreCannotRevoke(t *testing.T) {
	m := testkit.NewManager(t, testkit.NewClock(time.Now()), nil, session.GenerateKey())
	if err := m.RevokeOwner(context.Background(), "owner"); !errors.Is(err, session.ErrRevocationUnsupported) {
		t.Errorf("RevokeOwner with the cookie store: %v, want ErrRevocationUnsupported", err)
	}
}

func TestRedisStore_OutageIsAnErrorNotALogout(t *testing.T) {
	srv := redistest.Start(t, false)
	client := redistest.NewClient(t, &redis.Options{Addr: srv.Addr()})
	store := session.NewRedisStore(client, session.RedisOptions{Prefix: redistest.Prefix()})
	m := testkit.NewManager(t, testkit.NewClock(time.Now()), store, session.GenerateKey())
	r, _ := testkit.Issue(t, m, []byte("p"))

	srv.Stop()
	start := time.Now()
	_, err := m.Load(httptest.NewRecorder(), r)
	if err == nil || errors.Is(err, sessioncookie.ErrNoSession) || !errors.Is(err, session.ErrRedis) {
		t.Errorf("Load with Redis down: %v, want an ErrRedis outage, not ErrNoSession", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Load with Redis down took %v", d)
	}
	if err := store.Ping(context.Background()); !errors.Is(err, session.ErrRedis) {
		t.Errorf("Ping with Redis down: %v", err)
	}
	if err := store.DeleteOwner(context.Background(), "owner"); !errors.Is(err, session.ErrRedis) {
		t.Errorf("DeleteOwner with Redis down: %v", err)
	}
	rec := httptest.NewRecorder()
	if err := m.Issue(rec, httptest.NewRequest(http.MethodGet, "/", nil), "owner", []byte("p")); !errors.Is(err, session.ErrRedis) {
		t.Errorf("Issue with Redis down: %v", err)
	}
	if len(rec.Result().Cookies()) != 0 {
		t.Error("Issue with Redis down set a cookie")
	}

	// Recovery needs no new client: the pool reconnects by itself. The
	// data is gone (this server does not persist), so the old session
	// reads as logged out, and a new one works.
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := store.Ping(context.Background())
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("store still down after restart: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := m.Load(httptest.NewRecorder(), r); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("session lost with the restart: %v, want ErrNoSession", err)
	}
	r2, _ := testkit.Issue(t, m, []byte("again"))
	if got, err := m.Load(httptest.NewRecorder(), r2); err != nil || string(got) != "again" {
		t.Errorf("new session after restart: %q, %v", got, err)
	}
}

func TestRedisStore_TimeoutIsConfigurable(t *testing.T) {
	// A server that accepts connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 16)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- conn
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for conn := range accepted {
			conn.Close()
		}
	})
	client := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	store := session.NewRedisStore(client, session.RedisOptions{Timeout: 150 * time.Millisecond})
	start := time.Now()
	_, err = store.Load(context.Background(), bytes.Repeat([]byte{1}, 32))
	if !errors.Is(err, session.ErrRedis) || errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load from a silent server: %v, want ErrRedis", err)
	}
	var netErr net.Error
	if !errors.Is(err, context.DeadlineExceeded) && !(errors.As(err, &netErr) && netErr.Timeout()) {
		t.Errorf("Load from a silent server: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second { // a hang detector
		t.Errorf("Load from a silent server took %v with a 150ms timeout", d)
	}
}

func TestRedisStore_ForeignValueReadsAsAbsent(t *testing.T) {
	store, client, prefix := newTestRedisStore(t)
	ctx := context.Background()
	ref, err := store.Save(ctx, "U1", []byte("p"), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Someone else's value under our key: a length prefix past its end.
	if err := client.Set(ctx, prefix+"s:"+keyID(ref), []byte{0xff, 0x01}, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(ctx, ref); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load of a foreign value: %v, want ErrNotFound", err)
	}
}
