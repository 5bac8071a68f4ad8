package gorillastore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/session"
	"github.com/linelogin/linelogin/session/gorillastore"
)

func TestGorillaStores(t *testing.T) {
	hashKey, blockKey := securecookie.GenerateRandomKey(32), securecookie.GenerateRandomKey(32)
	fs := sessions.NewFilesystemStore(t.TempDir(), hashKey, blockKey)
	fs.MaxLength(0) // the file holds the payload, not the cookie: no 4 KB limit
	for name, store := range map[string]sessions.Store{
		"filesystem": fs,
		"cookie":     sessions.NewCookieStore(hashKey, blockKey),
	} {
		t.Run(name, func(t *testing.T) {
			m, err := sessioncookie.NewManager(sessioncookie.Config{Lifetime: time.Hour, Keys: [][]byte{session.GenerateKey()}, Store: gorillastore.New(store)})
			if err != nil {
				t.Fatal(err)
			}
			payload := []byte(strings.Repeat("p", 300))
			if name == "filesystem" {
				payload = []byte(strings.Repeat("p", 3000)) // too big for any cookie
			}
			rec := httptest.NewRecorder()
			if err := m.Issue(rec, httptest.NewRequest(http.MethodGet, "/", nil), "U1", payload); err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(rec.Result().Cookies()[0])
			got, err := m.Load(httptest.NewRecorder(), r)
			if err != nil || string(got) != string(payload) {
				t.Fatalf("Load: %d bytes, %v", len(got), err)
			}
			if err := m.Destroy(httptest.NewRecorder(), r); err != nil {
				t.Fatal(err)
			}
			_, err = m.Load(httptest.NewRecorder(), r)
			if name == "filesystem" && !errors.Is(err, sessioncookie.ErrNoSession) {
				t.Errorf("a server-side gorilla session outlived logout: %v", err)
			}
			if err := m.RevokeOwner(t.Context(), "U1"); !errors.Is(err, session.ErrRevocationUnsupported) {
				t.Errorf("RevokeOwner: %v", err)
			}
		})
	}
}

func TestGorillaStore_KeyChangeMeansNoSession(t *testing.T) {
	dir := t.TempDir()
	keys := [][]byte{session.GenerateKey()}
	old := sessions.NewFilesystemStore(dir, securecookie.GenerateRandomKey(32))
	m, _ := sessioncookie.NewManager(sessioncookie.Config{Lifetime: time.Hour, Keys: keys, Store: gorillastore.New(old)})
	rec := httptest.NewRecorder()
	if err := m.Issue(rec, httptest.NewRequest(http.MethodGet, "/", nil), "U1", []byte("p")); err != nil {
		t.Fatal(err)
	}
	rotated := sessions.NewFilesystemStore(dir, securecookie.GenerateRandomKey(32))
	m2, _ := sessioncookie.NewManager(sessioncookie.Config{Lifetime: time.Hour, Keys: keys, Store: gorillastore.New(rotated), Now: time.Now})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(rec.Result().Cookies()[0])
	if _, err := m2.Load(httptest.NewRecorder(), r); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("gorilla key changed: %v, want ErrNoSession", err)
	}
}

// TestRenew_SwapsTheSessionAndNeverResurrectsAnEndedOne: a store that is
// not a session.Replacer renews by saving the new payload and deleting the
// old session, and only while the old one exists: a renewal after a
// logout saves nothing.
func TestRenew_SwapsTheSessionAndNeverResurrectsAnEndedOne(t *testing.T) {
	dir := t.TempDir()
	fs := sessions.NewFilesystemStore(dir, securecookie.GenerateRandomKey(32))
	m, err := sessioncookie.NewManager(sessioncookie.Config{Lifetime: time.Hour, Keys: [][]byte{session.GenerateKey()}, Store: gorillastore.New(fs)})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if err := m.Issue(rec, httptest.NewRequest(http.MethodGet, "/", nil), "U1", []byte("old")); err != nil {
		t.Fatal(err)
	}
	old := rec.Result().Cookies()[0]
	rn, err := m.Renew(context.Background(), old.Value, "U1", []byte("new"))
	if err != nil {
		t.Fatalf("Renew: %v", err)
	}
	rec = httptest.NewRecorder()
	if err := m.SetRenewal(rec, rn); err != nil {
		t.Fatal(err)
	}
	renewed := rec.Result().Cookies()[0]
	load := func(c *http.Cookie) ([]byte, error) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(c)
		return m.Load(httptest.NewRecorder(), r)
	}
	if got, err := load(renewed); err != nil || string(got) != "new" {
		t.Fatalf("the renewed cookie: %q, %v", got, err)
	}
	if _, err := load(old); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("the replaced session: %v, want ErrNoSession", err)
	}

	r := httptest.NewRequest(http.MethodPost, "/logout", nil)
	r.AddCookie(renewed)
	if err := m.Destroy(httptest.NewRecorder(), r); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Renew(context.Background(), renewed.Value, "U1", []byte("newer")); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("Renew after the logout: %v, want ErrNoSession", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "session_*")); len(files) != 0 {
		t.Errorf("%d sessions left in the store after the logout", len(files))
	}
}
