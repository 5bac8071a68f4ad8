// Package sessioncookie issues, loads and ends the session cookie: it
// encrypts the reference a session.Store returns (the payload itself, for
// the cookie store) together with the session's expiry, so that the server
// enforces the expiry whatever the browser does.
package sessioncookie

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/linelogin/linelogin/internal/cookie"
	"github.com/linelogin/linelogin/session"
)

// ErrNoSession reports a request without a usable session: no cookie, or one
// that is tampered with, truncated, made under a removed key, foreign, or
// expired. It means "not logged in", never a server error.
var ErrNoSession = errors.New("sessioncookie: no session")

// DefaultCookieName is the session cookie's name when Config.CookieName is
// empty (with the __Host- prefix on https).
const DefaultCookieName = "linelogin_session"

// Config configures a Manager. Only Keys is required.
type Config struct {
	// Keys encrypt and authenticate the cookie, KeySize bytes each. The
	// first encodes; all decode, and a cookie made under an older key is
	// re-issued under the first on its next use.
	Keys [][]byte
	// CookieName is the base name of the cookie; DefaultCookieName if empty.
	CookieName string
	// Channel is the ID of the LINE channel the sessions are issued for.
	// A cookie is bound to it: an app of another channel that shares the
	// keys refuses the cookie (ErrNoSession), so that one app's login
	// never skips another's checks (its OnLogin hook). Cookies issued
	// before this binding existed are refused too: their users log in
	// again once.
	Channel string
	// Secure is set when the app is served over https; see cookie.Options.
	Secure bool
	// Lifetime is how long a session lasts from login. The server enforces it whatever the browser does.
	Lifetime time.Duration
	// Store keeps payloads; CookieStore if nil.
	Store session.Store
	// Now returns the current time; time.Now if nil. For tests.
	Now func() time.Time
}

// Manager issues, loads and destroys sessions.
type Manager struct {
	codec    *cookie.Codec
	store    session.Store
	cookie   cookie.Options
	name     string
	bound    string // what the codec authenticates the value under
	lifetime time.Duration
	now      func() time.Time
}

// NewManager validates cfg and returns a Manager.
func NewManager(cfg Config) (*Manager, error) {
	if cfg.Lifetime <= 0 {
		return nil, errors.New("session lifetime must be positive")
	}
	codec, err := cookie.NewCodec(cfg.Lifetime, cfg.Keys...)
	if err != nil {
		return nil, err
	}
	if cfg.CookieName == "" {
		cfg.CookieName = DefaultCookieName
	}
	if cfg.Store == nil {
		cfg.Store = cookieStore{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	opts := cookie.Options{Secure: cfg.Secure, SameSite: http.SameSiteLaxMode, Now: cfg.Now}
	return &Manager{
		codec:    codec,
		store:    cfg.Store,
		cookie:   opts,
		name:     opts.Name(cfg.CookieName),
		bound:    boundName(opts.Name(cfg.CookieName), cfg.Channel),
		lifetime: cfg.Lifetime,
		now:      cfg.Now,
	}, nil
}

// CookieName returns the name of the session cookie, prefix included.
func (m *Manager) CookieName() string { return m.name }

// Issue starts a new session of owner holding payload and sets its cookie.
// Any session the request already carries is ended first, so a login always
// yields a new value (no session fixation).
func (m *Manager) Issue(w http.ResponseWriter, r *http.Request, owner string, payload []byte) error {
	if ref, _, _, err := m.ref(r); err == nil {
		if err := m.store.Delete(r.Context(), ref); err != nil {
			return fmt.Errorf("%w: end previous session: %w", session.ErrStoreUnavailable, err)
		}
	}
	expiry := m.now().Add(m.lifetime)
	ref, err := m.store.Save(r.Context(), owner, payload, expiry)
	if err != nil {
		return fmt.Errorf("%w: save: %w", session.ErrStoreUnavailable, err)
	}
	if err := m.setCookie(w, ref, expiry); err != nil {
		_ = m.store.Delete(r.Context(), ref)
		return err
	}
	return nil
}

// Renewal is a session whose payload Renew swapped: the cookie that
// every request taking part in the renewal sets (SetRenewal).
type Renewal struct {
	value  string
	expiry time.Time
}

// Renew swaps the payload of the session whose cookie value is value for
// payload, keeping its expiry, once for every request that shares the
// renewal: it makes no cookie of its own, and the Renewal it returns is
// set by each of them with SetRenewal, so that a renewal leaves one
// session, not one per request. It fails with ErrNoSession, saving
// nothing, when the session has ended meanwhile (a logout that raced the
// renewal): with a session.Replacer, atomically in the store.
func (m *Manager) Renew(ctx context.Context, value, owner string, payload []byte) (Renewal, error) {
	ref, expiry, _, err := m.open(value)
	if err != nil {
		return Renewal{}, err
	}
	var newRef []byte
	if rp, ok := m.store.(session.Replacer); ok {
		newRef, err = rp.Replace(ctx, ref, owner, payload)
	} else {
		newRef, err = m.saveInsteadOf(ctx, ref, owner, payload, expiry)
	}
	if errors.Is(err, session.ErrNotFound) {
		return Renewal{}, ErrNoSession
	}
	if err != nil {
		return Renewal{}, storeError("renew session", err)
	}
	v, err := m.codec.Encode(m.bound, sealEnvelope(newRef, expiry))
	if err != nil {
		if !bytes.Equal(newRef, ref) {
			_ = m.store.Delete(ctx, newRef)
		}
		return Renewal{}, fmt.Errorf("%w (%v)", session.ErrCookieTooLarge, err)
	}
	return Renewal{value: v, expiry: expiry}, nil
}

// saveInsteadOf is Replace for stores that cannot: it saves the payload
// as a new session if the old one still exists, then deletes the old one.
// A logout between the Load and the Save is not seen; Replacers close
// that gap.
func (m *Manager) saveInsteadOf(ctx context.Context, ref []byte, owner string, payload []byte, expiry time.Time) ([]byte, error) {
	if _, err := m.store.Load(ctx, ref); err != nil {
		return nil, err
	}
	newRef, err := m.store.Save(ctx, owner, payload, expiry)
	if err != nil {
		return nil, err
	}
	if err := m.store.Delete(ctx, ref); err != nil {
		_ = m.store.Delete(ctx, newRef)
		return nil, err
	}
	return newRef, nil
}

// SetRenewal sets the cookie of a renewed session through w.
func (m *Manager) SetRenewal(w http.ResponseWriter, rn Renewal) error {
	c, err := m.cookie.New(m.name, rn.value, rn.expiry.Sub(m.now()))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	http.SetCookie(w, c)
	return nil
}

// Load returns the payload of the request's session. It fails with
// ErrNoSession when there is none; any other error comes from the Store
// (an outage, not a logout). A cookie made under an old key is re-issued
// under the current one through w.
func (m *Manager) Load(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	o, err := m.Open(w, r)
	return o.Payload, err
}

// Opened is a session as Open found it.
type Opened struct {
	Payload []byte
	// Value is the cookie value the payload came from.
	Value string
	// Ref is the store's reference to the session (secret: it is what the
	// cookie carries), for calls such as a session.Lister's Touch.
	Ref []byte
	// CacheUntil is how long a cache from Value to Payload may answer for
	// the Manager, provided Lease (if not nil) still holds: until the
	// session expires, with the stateless CookieStore; until the lease's
	// end, at the latest, with a session.LeasingStore, whose lease ends
	// early when the session changes anywhere (logout elsewhere,
	// revocation). It is zero, meaning "do not cache", for other
	// server-side stores, whose sessions can end without notice, and for
	// a cookie under an old key, which must be re-issued.
	CacheUntil time.Time
	// Lease is the store's lease on the payload, or nil: a cache must
	// check it on every hit.
	Lease *session.Lease
}

// Open is Load for callers that cache decoded sessions by cookie value
// (see Value), as the middleware does to keep the per-request cost near
// a map lookup.
func (m *Manager) Open(w http.ResponseWriter, r *http.Request) (Opened, error) {
	value := m.Value(r)
	if value == "" {
		return Opened{}, ErrNoSession
	}
	ref, expiry, old, err := m.open(value)
	if err != nil {
		return Opened{}, err
	}
	var (
		payload []byte
		lease   *session.Lease
	)
	if ls, ok := m.store.(session.LeasingStore); ok {
		payload, lease, err = ls.LoadLeased(r.Context(), ref)
	} else {
		payload, err = m.store.Load(r.Context(), ref)
	}
	if errors.Is(err, session.ErrNotFound) {
		return Opened{}, ErrNoSession
	}
	if err != nil {
		return Opened{}, fmt.Errorf("%w: load: %w", session.ErrStoreUnavailable, err)
	}
	o := Opened{Payload: payload, Value: value, Ref: ref}
	switch _, stateless := m.store.(cookieStore); {
	case old:
		// Keep the original expiry: rotation must not extend a session.
		_ = m.setCookie(w, ref, expiry)
	case stateless:
		o.CacheUntil = expiry
	case lease != nil:
		o.Lease = lease
		o.CacheUntil = expiry
		if lease.Until().Before(expiry) {
			o.CacheUntil = lease.Until()
		}
	}
	return o, nil
}

// Value returns the raw value of the request's session cookie, or "",
// without allocating: a cache key for Open's results.
func (m *Manager) Value(r *http.Request) string {
	for _, line := range r.Header["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.TrimLeft(part, " ")
			if name, value, ok := strings.Cut(part, "="); ok && name == m.name {
				return strings.TrimRight(value, " ")
			}
		}
	}
	return ""
}

// Destroy ends the request's session, if any, and deletes its cookie.
// The cookie is deleted even when the Store fails; the error (wrapping
// session.ErrStoreUnavailable) then says the session may live on.
func (m *Manager) Destroy(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	http.SetCookie(w, m.cookie.Expired(m.name))
	ref, _, _, err := m.ref(r)
	if err != nil {
		return nil
	}
	return storeError("end session", m.store.Delete(r.Context(), ref))
}

// storeError wraps a Store's error in session.ErrStoreUnavailable, unless
// it is nil or already wraps it.
func storeError(op string, err error) error {
	if err == nil || errors.Is(err, session.ErrStoreUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %s: %w", session.ErrStoreUnavailable, op, err)
}

// RevokeOwner ends every session of owner, on every instance sharing the
// store. It fails with session.ErrRevocationUnsupported for stores that cannot.
func (m *Manager) RevokeOwner(ctx context.Context, owner string) error {
	rv, ok := m.store.(session.OwnerRevoker)
	if !ok {
		return session.ErrRevocationUnsupported
	}
	return rv.DeleteOwner(ctx, owner)
}

// Lister returns the store as a session.Lister, or nil if it is not one.
func (m *Manager) Lister() session.Lister {
	l, _ := m.store.(session.Lister)
	return l
}

// Ref returns the store reference that the request's session cookie
// carries, or ErrNoSession.
func (m *Manager) Ref(r *http.Request) ([]byte, error) {
	ref, _, _, err := m.ref(r)
	return ref, err
}

// ref returns the store reference that the request's cookie carries.
func (m *Manager) ref(r *http.Request) (ref []byte, expiry time.Time, old bool, err error) {
	value := m.Value(r)
	if value == "" {
		return nil, time.Time{}, false, ErrNoSession
	}
	return m.open(value)
}

// open decodes a session cookie value and checks its expiry.
func (m *Manager) open(value string) (ref []byte, expiry time.Time, old bool, err error) {
	plain, old, err := m.codec.Decode(m.bound, value)
	if err != nil {
		return nil, time.Time{}, false, ErrNoSession
	}
	ref, expiry, ok := openEnvelope(plain)
	if !ok || !m.now().Before(expiry) {
		return nil, time.Time{}, false, ErrNoSession
	}
	return ref, expiry, old, nil
}

func (m *Manager) setCookie(w http.ResponseWriter, ref []byte, expiry time.Time) error {
	value, err := m.codec.Encode(m.bound, sealEnvelope(ref, expiry))
	if err != nil {
		return fmt.Errorf("%w (%v)", session.ErrCookieTooLarge, err)
	}
	c, err := m.cookie.New(m.name, value, expiry.Sub(m.now()))
	if err != nil {
		return err
	}
	// A response that sets a session must never be stored by a shared
	// cache, whichever handler wrote it (a re-issue can ride on any page).
	w.Header().Set("Cache-Control", "no-store")
	http.SetCookie(w, c)
	return nil
}

// boundName is the name a cookie value is authenticated under: the
// cookie's name and the channel's ID, so that a value made for one
// channel fails authentication under another, however the keys are
// shared.
func boundName(name, channel string) string {
	return name + "/channel:" + channel
}

// The envelope puts the expiry inside the encrypted value, ahead of the
// store reference, so that the server enforces it even when a browser keeps
// the cookie past its Max-Age.
func sealEnvelope(ref []byte, expiry time.Time) []byte {
	b := make([]byte, 8, 8+len(ref))
	binary.BigEndian.PutUint64(b, uint64(expiry.Unix()))
	return append(b, ref...)
}

func openEnvelope(b []byte) (ref []byte, expiry time.Time, ok bool) {
	if len(b) < 8 {
		return nil, time.Time{}, false
	}
	return b[8:], time.Unix(int64(binary.BigEndian.Uint64(b)), 0), true
}
