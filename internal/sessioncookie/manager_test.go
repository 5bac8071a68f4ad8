package sessioncookie_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/cookie"
	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/session"
)

func TestManager_IssueLoadExpire(t *testing.T) {
	c := testkit.NewClock(time.Unix(1_800_000_000, 0))
	key := session.GenerateKey()
	m := testkit.NewManager(t, c, nil, key)
	r, cookie := testkit.Issue(t, m, []byte("payload"))
	if cookie.Name != sessioncookie.DefaultCookieName || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.MaxAge != 3600 {
		t.Errorf("cookie attributes: %+v", cookie)
	}
	got, err := m.Load(httptest.NewRecorder(), r)
	if err != nil || string(got) != "payload" {
		t.Fatalf("Load = %q, %v", got, err)
	}
	c.Advance(time.Hour + time.Second)
	if _, err := m.Load(httptest.NewRecorder(), r); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("Load after expiry: %v, want ErrNoSession", err)
	}
}

func TestManager_RotationReissuesUnderNewKeyKeepingExpiry(t *testing.T) {
	c := testkit.NewClock(time.Unix(1_800_000_000, 0))
	oldKey, newKey := session.GenerateKey(), session.GenerateKey()
	r, _ := testkit.Issue(t, testkit.NewManager(t, c, nil, oldKey), []byte("p"))
	c.Advance(30 * time.Minute)
	rotated := testkit.NewManager(t, c, nil, newKey, oldKey)
	rec := httptest.NewRecorder()
	if got, err := rotated.Load(rec, r); err != nil || string(got) != "p" {
		t.Fatalf("Load under old key: %q, %v", got, err)
	}
	re := rec.Result().Cookies()
	if len(re) != 1 || re[0].MaxAge > 1800 || re[0].MaxAge < 1790 {
		t.Fatalf("re-issued cookie %+v: want one, expiring with the original session", re)
	}
	r2 := httptest.NewRequest(http.MethodGet, "/", nil)
	r2.AddCookie(re[0])
	if _, err := testkit.NewManager(t, c, nil, newKey).Load(httptest.NewRecorder(), r2); err != nil {
		t.Errorf("re-issued cookie under the new key alone: %v", err)
	}
	if _, err := testkit.NewManager(t, c, nil, newKey).Load(httptest.NewRecorder(), r); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("old cookie after the old key is removed: %v", err)
	}
}

func TestManager_TooLargeIsAnError(t *testing.T) {
	m := testkit.NewManager(t, testkit.NewClock(time.Now()), nil, session.GenerateKey())
	rec := httptest.NewRecorder()
	err := m.Issue(rec, httptest.NewRequest(http.MethodGet, "/", nil), "owner", []byte(strings.Repeat("x", 3000)))
	if !errors.Is(err, session.ErrCookieTooLarge) {
		t.Fatalf("Issue of 3000 bytes: %v, want ErrCookieTooLarge", err)
	}
	if len(rec.Result().Cookies()) != 0 {
		t.Error("an oversize cookie was set")
	}
}

// memStore is a server-side Store for these tests, with a switch that
// makes it fail as an unreachable database would.
type memStore struct {
	mu   sync.Mutex
	m    map[string][]byte
	n    int
	down bool
}

func (s *memStore) Save(_ context.Context, _ string, payload []byte, _ time.Time) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return nil, errors.New("store down")
	}
	s.n++
	ref := []byte{byte(s.n)}
	s.m[string(ref)] = payload
	return ref, nil
}

func (s *memStore) Load(_ context.Context, ref []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return nil, errors.New("store down")
	}
	p, ok := s.m[string(ref)]
	if !ok {
		return nil, session.ErrNotFound
	}
	return p, nil
}

func (s *memStore) Delete(_ context.Context, ref []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, string(ref))
	return nil
}

func TestManager_ServerSideStore(t *testing.T) {
	store := &memStore{m: map[string][]byte{}}
	m := testkit.NewManager(t, testkit.NewClock(time.Now()), store, session.GenerateKey())
	r, _ := testkit.Issue(t, m, []byte(strings.Repeat("big", 2000))) // fits: the cookie holds only the ID
	if got, err := m.Load(httptest.NewRecorder(), r); err != nil || len(got) != 6000 {
		t.Fatalf("Load: %d bytes, %v", len(got), err)
	}
	store.down = true
	if _, err := m.Load(httptest.NewRecorder(), r); err == nil || errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("store outage: %v, want an error that is not ErrNoSession", err)
	}
	store.down = false
	// A new login ends the previous session (no fixation).
	rec := httptest.NewRecorder()
	if err := m.Issue(rec, r, "owner", []byte("next")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Load(httptest.NewRecorder(), r); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("previous session after a new login: %v, want ErrNoSession", err)
	}
	if err := m.Destroy(httptest.NewRecorder(), r); err != nil {
		t.Error(err)
	}
}

func TestParseKeys(t *testing.T) {
	good := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA="
	keys, err := session.ParseKeys(good)
	if err != nil || len(keys) != 2 || len(keys[0]) != 32 {
		t.Fatalf("ParseKeys(good) = %d keys, %v", len(keys), err)
	}
	for _, bad := range []string{"", ",", "not base64!", "AAAA", good + ",short"} {
		if _, err := session.ParseKeys(bad); !errors.Is(err, session.ErrBadKey) {
			t.Errorf("ParseKeys(%q) = %v, want ErrBadKey", bad, err)
		}
	}
}

func TestCodec_BindsValueToName(t *testing.T) {
	codec, err := cookie.NewCodec(time.Hour, session.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	v, err := codec.Encode("a", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := codec.Decode("b", v); !errors.Is(err, cookie.ErrInvalid) {
		t.Errorf("value decoded under another name: %v", err)
	}
	if got, old, err := codec.Decode("a", v); err != nil || old || string(got) != "x" {
		t.Errorf("Decode = %q %v %v", got, old, err)
	}
}
