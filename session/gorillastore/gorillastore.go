// Package gorillastore keeps linelogin sessions in any gorilla/sessions
// Store, such as sessions.FilesystemStore or a third-party Redis, SQL or
// Memcached store written for gorilla's interface:
//
//	fs := sessions.NewFilesystemStore(dir, hashKey, blockKey)
//	auth, err := middleware.New(middleware.Config{
//		Session: middleware.SessionConfig{Keys: keys, Store: gorillastore.New(fs)},
//		...
//	})
//
// The linelogin session cookie carries, encrypted, the value the gorilla
// store would have put in its own cookie (for server-side stores, its
// encoded session ID). gorilla's interface cannot tell a missing session
// from a failing backend, nor find sessions by user: prefer
// session.RedisStore where it fits, which can (503 on outage, RevokeUser).
package gorillastore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/linelogin/linelogin/session"
)

// sessionName is the name the sessions are kept under in the gorilla store.
const sessionName = "linelogin"

// payloadKey is the session value holding the linelogin payload.
const payloadKey = "payload"

// Store adapts a gorilla/sessions Store to session.Store.
type Store struct {
	store sessions.Store
}

var _ session.Store = (*Store)(nil)

// New returns a session.Store that keeps payloads in store.
func New(store sessions.Store) *Store { return &Store{store: store} }

// Save keeps payload in a new gorilla session that expires at expiry, and
// returns the cookie value the gorilla store made for it.
func (s *Store) Save(ctx context.Context, _ string, payload []byte, expiry time.Time) ([]byte, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	if err != nil {
		return nil, err
	}
	sess, err := s.store.New(r, sessionName)
	if err != nil && sess == nil {
		return nil, fmt.Errorf("gorillastore: new session: %w", err)
	}
	sess.IsNew = true
	sess.Values[payloadKey] = payload
	sess.Options.MaxAge = max(1, int(time.Until(expiry)/time.Second))
	w := headerWriter{}
	if err := s.store.Save(r, w, sess); err != nil {
		return nil, fmt.Errorf("gorillastore: save: %w", err)
	}
	for _, c := range (&http.Response{Header: http.Header(w)}).Cookies() {
		if c.Name == sessionName {
			return []byte(c.Value), nil
		}
	}
	return nil, errors.New("gorillastore: the gorilla store set no cookie")
}

// Load returns the payload of the gorilla session ref names, or
// session.ErrNotFound.
func (s *Store) Load(ctx context.Context, ref []byte) ([]byte, error) {
	sess, err := s.open(ctx, ref)
	if err != nil {
		return nil, err
	}
	payload, ok := sess.Values[payloadKey].([]byte)
	if !ok {
		return nil, session.ErrNotFound
	}
	return payload, nil
}

// Delete ends the gorilla session ref names.
func (s *Store) Delete(ctx context.Context, ref []byte) error {
	sess, err := s.open(ctx, ref)
	if errors.Is(err, session.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	r, err := s.request(ctx, ref)
	if err != nil {
		return err
	}
	sess.Options.MaxAge = -1 // gorilla's stores delete the session on this
	if err := s.store.Save(r, headerWriter{}, sess); err != nil {
		return fmt.Errorf("gorillastore: delete: %w", err)
	}
	return nil
}

func (s *Store) open(ctx context.Context, ref []byte) (*sessions.Session, error) {
	r, err := s.request(ctx, ref)
	if err != nil {
		return nil, err
	}
	sess, err := s.store.New(r, sessionName)
	var cookieErr securecookie.Error
	switch {
	case err == nil && sess.IsNew:
		return nil, session.ErrNotFound
	case err == nil:
		return sess, nil
	case errors.As(err, &cookieErr) && cookieErr.IsDecode(), errors.Is(err, os.ErrNotExist):
		// gorilla's keys changed, or the backend forgot the session.
		return nil, session.ErrNotFound
	}
	return nil, fmt.Errorf("gorillastore: load: %w", err)
}

// request is a request carrying ref as the gorilla store's cookie, which
// is how gorilla's interface takes a session ID.
func (s *Store) request(ctx context.Context, ref []byte) (*http.Request, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	if err != nil {
		return nil, err
	}
	r.AddCookie(&http.Cookie{Name: sessionName, Value: string(ref)})
	return r, nil
}

// headerWriter is the ResponseWriter a gorilla store writes its cookie to.
type headerWriter http.Header

func (w headerWriter) Header() http.Header         { return http.Header(w) }
func (w headerWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w headerWriter) WriteHeader(int)             {}
