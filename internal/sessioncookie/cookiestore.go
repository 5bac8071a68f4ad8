package sessioncookie

import (
	"context"
	"time"
)

// cookieStore is the default, stateless Store: the payload travels in the
// cookie, encrypted, so the reference is the payload itself. Such a session
// can only end by expiry or when the browser drops the cookie.
type cookieStore struct{}

// Save returns payload itself.
func (cookieStore) Save(_ context.Context, _ string, payload []byte, _ time.Time) ([]byte, error) {
	return payload, nil
}

// Load returns ref itself.
func (cookieStore) Load(_ context.Context, ref []byte) ([]byte, error) { return ref, nil }

// Delete does nothing: the caller expires the cookie.
func (cookieStore) Delete(context.Context, []byte) error { return nil }

// Replace returns payload: the new cookie carries it. A cookie session
// cannot be known to have ended.
func (cookieStore) Replace(_ context.Context, _ []byte, _ string, payload []byte) ([]byte, error) {
	return payload, nil
}
