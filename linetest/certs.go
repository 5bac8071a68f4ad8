package linetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"

	jose "github.com/go-jose/go-jose/v4"
)

// signingKey is an EC P-256 key that signs ES256 ID tokens (LIFF, native
// SDK). Its public half is published at PathCerts.
type signingKey struct {
	kid  string
	priv *ecdsa.PrivateKey
}

// newSigningKey generates a signing key with a random kid.
func newSigningKey() (*signingKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &signingKey{kid: randomHex(32), priv: priv}, nil
}

// jwk returns the key's public JWK, as LINE publishes it.
func (k *signingKey) jwk() jose.JSONWebKey {
	return jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: string(jose.ES256), Use: "sig"}
}

// currentKey returns the key that signs new ES256 tokens.
func (p *Platform) currentKey() *signingKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.keys[len(p.keys)-1]
}

// keyByID returns the published key named kid, or nil.
func (p *Platform) keyByID(kid string) *signingKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range p.keys {
		if k.kid == kid {
			return k
		}
	}
	return nil
}

// RotateSigningKey makes a new EC P-256 key the one that signs ES256 ID
// tokens and returns its kid. The old keys stay in the JWKS until
// RemoveOldSigningKeys.
func (p *Platform) RotateSigningKey() (newKID string) {
	key, err := newSigningKey()
	if err != nil {
		// ecdsa.GenerateKey with crypto/rand cannot fail for P-256.
		panic("linetest: rotate signing key: " + err.Error())
	}
	p.mu.Lock()
	p.keys = append(p.keys, key)
	p.mu.Unlock()
	p.log.Info("linetest: signing key rotated", "kid", key.kid)
	return key.kid
}

// RemoveOldSigningKeys removes every key but the current one from the JWKS:
// tokens signed with them no longer verify.
func (p *Platform) RemoveOldSigningKeys() {
	p.mu.Lock()
	p.keys = p.keys[len(p.keys)-1:]
	p.mu.Unlock()
}

// serveCerts answers with the JWKS of the ES256 keys.
func (p *Platform) serveCerts(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(p.keys))}
	for i := len(p.keys) - 1; i >= 0; i-- { // current key first
		set.Keys = append(set.Keys, p.keys[i].jwk())
	}
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}
