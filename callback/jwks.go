package callback

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/singleflight"
)

// errUnknownKey reports an ES256 token signed by a key the JWKS does not
// hold, or with no kid while the JWKS holds several keys.
var errUnknownKey = errors.New("callback: no matching key in the JWKS")

// failureBackoff is the least time between two fetches of the JWKS after
// one failed.
const failureBackoff = time.Second

// jwks caches LINE's ES256 public keys. An unknown kid triggers a refetch
// (keys rotate), but at most once per cooldown: go-oidc's RemoteKeySet
// refetches on every unknown kid, which lets forged tokens flood /certs.
type jwks struct {
	url      string
	client   *httpClient
	cooldown time.Duration
	now      func() time.Time

	mu      sync.RWMutex
	keys    []jose.JSONWebKey
	fetched time.Time // last successful fetch
	failed  time.Time // last failed fetch
	lastErr error     // its error

	fetches singleflight.Group // one fetch at a time, shared by its callers
}

func newJWKS(url string, client *httpClient, cooldown time.Duration, now func() time.Time) *jwks {
	return &jwks{url: url, client: client, cooldown: cooldown, now: now}
}

func (j *jwks) key(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	if k := j.find(kid); k != nil {
		return k, nil
	}
	// One fetch for every caller missing a key, under no caller's context
	// (as go-oidc's RemoteKeySet does): a caller that gives up leaves the
	// fetch running for the others, and its cancellation is never taken
	// for LINE's failure. httpClient.do bounds it with the configured
	// timeout.
	ch := j.fetches.DoChan("", func() (any, error) {
		return nil, j.refreshUnlessRecent(context.Background())
	})
	select {
	case <-ctx.Done():
		return nil, upstream("certs", 0, ctx.Err())
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
	}
	if k := j.find(kid); k != nil {
		return k, nil
	}
	return nil, errUnknownKey
}

// refreshUnlessRecent fetches the JWKS unless it was fetched within the
// cooldown (the caller then finds no key: errUnknownKey), or a fetch
// failed within failureBackoff, whose failure it answers with (LINE is
// down) rather than "unknown key".
func (j *jwks) refreshUnlessRecent(ctx context.Context) error {
	j.mu.RLock()
	now := j.now()
	recent := !j.fetched.IsZero() && now.Sub(j.fetched) < j.cooldown
	failing, lastErr := !j.failed.IsZero() && now.Sub(j.failed) < failureBackoff, j.lastErr
	j.mu.RUnlock()
	switch {
	case failing:
		return lastErr
	case recent:
		return nil
	}
	return j.refresh(ctx)
}

// find returns the key named kid. A token without kid is accepted only
// when the set holds exactly one key; with several, the choice would be a
// guess.
func (j *jwks) find(kid string) *jose.JSONWebKey {
	j.mu.RLock()
	defer j.mu.RUnlock()
	if kid == "" {
		if len(j.keys) == 1 {
			return &j.keys[0]
		}
		return nil
	}
	for i := range j.keys {
		if j.keys[i].KeyID == kid {
			return &j.keys[i]
		}
	}
	return nil
}

func (j *jwks) refresh(ctx context.Context) error {
	req, err := http.NewRequest(http.MethodGet, j.url, nil)
	if err != nil {
		return err
	}
	var set jose.JSONWebKeySet
	err = j.client.do(ctx, "certs", req, &set)
	j.mu.Lock()
	defer j.mu.Unlock()
	if err != nil {
		// A failure does not start the cooldown: the keys come as soon as
		// LINE is back.
		j.failed, j.lastErr = j.now(), err
		return err
	}
	j.fetched, j.failed, j.lastErr = j.now(), time.Time{}, nil
	j.keys = j.keys[:0:0]
	for _, k := range set.Keys {
		if usableES256(k) {
			j.keys = append(j.keys, k)
		}
	}
	return nil
}

// usableES256 keeps only P-256 public signing keys: a JWKS entry of another
// type must never verify an ES256 token.
func usableES256(k jose.JSONWebKey) bool {
	pub, ok := k.Key.(*ecdsa.PublicKey)
	return ok && pub.Curve == elliptic.P256() &&
		(k.Use == "" || k.Use == "sig") &&
		(k.Algorithm == "" || k.Algorithm == string(algES256))
}
