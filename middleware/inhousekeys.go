package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/singleflight"

	"github.com/linelogin/linelogin/link"
)

// maxInHouseJWKS bounds the in-house provider's key set document.
const maxInHouseJWKS = 1 << 20

// inHouseKeyCooldown is the least time between two fetches of the in-house
// provider's keys for a key ID it did not hold: a rotated key comes in at
// once, while tokens naming made-up keys cannot flood the provider.
const inHouseKeyCooldown = 10 * time.Second

// errUnknownInHouseKey reports a token whose key the provider does not
// serve: a refused token.
var errUnknownInHouseKey = errors.New("no key of the in-house provider matches")

// inHouseKeys is the in-house provider's key set, an oidc.KeySet whose
// failures keep their category: go-oidc's RemoteKeySet reports a provider
// that is down or answers 5xx as text, indistinguishable from a bad
// signature. One fetch runs at a time, under no caller's context.
type inHouseKeys struct {
	url    string
	client *http.Client
	now    func() time.Time

	fetch   singleflight.Group
	mu      sync.RWMutex
	keys    []jose.JSONWebKey
	fetched time.Time // last successful fetch
}

// VerifySignature returns the payload of raw if a key of the provider
// signed it.
func (k *inHouseKeys) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(raw, inHouseAlgs)
	if err != nil {
		return nil, err
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("not one signature")
	}
	keys, err := k.candidates(ctx, jws.Signatures[0].Header.KeyID)
	if err != nil {
		return nil, err
	}
	for _, key := range keys {
		if payload, err := jws.Verify(&key); err == nil {
			return payload, nil
		}
	}
	return nil, errors.New("signature does not verify")
}

// candidates returns the keys named kid (all keys when kid is empty),
// fetching the set when none is known and the last fetch is older than
// the cooldown. An unreachable or broken provider is link.ErrUnavailable.
func (k *inHouseKeys) candidates(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	if keys := k.matching(kid); len(keys) > 0 {
		return keys, nil
	}
	k.mu.RLock()
	recent := !k.fetched.IsZero() && k.now().Sub(k.fetched) < inHouseKeyCooldown
	k.mu.RUnlock()
	if recent {
		return nil, errUnknownInHouseKey
	}
	ch := k.fetch.DoChan("", func() (any, error) { return nil, k.refresh() })
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: in-house provider keys: %w", link.ErrUnavailable, ctx.Err())
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
	}
	if keys := k.matching(kid); len(keys) > 0 {
		return keys, nil
	}
	return nil, errUnknownInHouseKey
}

func (k *inHouseKeys) matching(kid string) []jose.JSONWebKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if kid == "" {
		return k.keys
	}
	for _, key := range k.keys {
		if key.KeyID == kid {
			return []jose.JSONWebKey{key}
		}
	}
	return nil
}

// refresh fetches the key set, bounded by the client's timeout alone: one
// caller giving up must not fail the fetch the others wait for.
func (k *inHouseKeys) refresh() error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: in-house provider keys: "+format, append([]any{link.ErrUnavailable}, args...)...)
	}
	req, err := http.NewRequest(http.MethodGet, k.url, nil)
	if err != nil {
		return fail("%v", err)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return fail("%v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail("status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxInHouseJWKS))
	if err != nil {
		return fail("%v", err)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return fail("malformed key set")
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var key jose.JSONWebKey
		// A key of a type go-jose does not know is skipped, not fatal: the
		// others still verify.
		if json.Unmarshal(raw, &key) == nil && key.Valid() && key.IsPublic() && (key.Use == "" || key.Use == "sig") {
			keys = append(keys, key)
		}
	}
	k.mu.Lock()
	k.keys, k.fetched = keys, k.now()
	k.mu.Unlock()
	return nil
}
