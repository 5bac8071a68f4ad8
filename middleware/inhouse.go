package middleware

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/singleflight"

	"github.com/linelogin/linelogin/link"
)

// inHouseTokenMaxAge is how old (by its iat) an in-house ID token may be
// when it is used to link: a token found later in a log or a backup is
// worthless.
const inHouseTokenMaxAge = 10 * time.Minute

// iatLeeway tolerates an in-house provider whose clock runs ahead.
const iatLeeway = time.Minute

// inHouseVerifier checks ID tokens of the app's own OpenID Connect
// provider, each once.
type inHouseVerifier struct {
	issuer, clientID string
	client           *http.Client
	replay           link.ReplayMemory
	now              func() time.Time

	discovery singleflight.Group
	mu        sync.RWMutex
	verifier  *oidc.IDTokenVerifier // nil until discovered
	keys      *inHouseKeys
}

func newInHouseVerifier(issuer, clientID string, client *http.Client, replay link.ReplayMemory, now func() time.Time) *inHouseVerifier {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &inHouseVerifier{issuer: issuer, clientID: clientID, client: client, replay: replay, now: now}
}

// inHouseAlgs are the signature algorithms an in-house ID token may use:
// the asymmetric ones go-oidc knows, never "none" or an HMAC (whose key
// would be the client secret, which the app's clients hold).
var inHouseAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512,
	jose.PS256, jose.PS384, jose.PS512, jose.EdDSA,
}

// oidcVerifier discovers the provider on first use, and again after a
// failure, so that the app starts while the provider is down. One
// discovery runs at a time, under no caller's context (the client's
// timeout bounds it), and no lock is held while it runs: callers wait
// for it, each until its own context ends.
func (v *inHouseVerifier) oidcVerifier(ctx context.Context) (*oidc.IDTokenVerifier, *inHouseKeys, error) {
	v.mu.RLock()
	ver, keys := v.verifier, v.keys
	v.mu.RUnlock()
	if ver != nil {
		return ver, keys, nil
	}
	ch := v.discovery.DoChan("", func() (any, error) {
		p, err := oidc.NewProvider(oidc.ClientContext(context.Background(), v.client), v.issuer)
		if err != nil {
			return nil, fmt.Errorf("%w: in-house provider discovery: %w", link.ErrUnavailable, err)
		}
		var meta struct {
			JWKSURL string   `json:"jwks_uri"`
			Algs    []string `json:"id_token_signing_alg_values_supported"`
		}
		if err := p.Claims(&meta); err != nil || meta.JWKSURL == "" {
			return nil, fmt.Errorf("%w: in-house provider discovery: no jwks_uri", link.ErrUnavailable)
		}
		// The algorithms are those the discovery document lists (RS256 if
		// it lists none), of inHouseAlgs.
		var algs []string
		for _, a := range meta.Algs {
			if slices.Contains(inHouseAlgs, jose.SignatureAlgorithm(a)) {
				algs = append(algs, a)
			}
		}
		if len(algs) == 0 {
			algs = []string{oidc.RS256}
		}
		keys := &inHouseKeys{url: meta.JWKSURL, client: v.client, now: v.now}
		ver := oidc.NewVerifier(v.issuer, keys, &oidc.Config{ClientID: v.clientID, Now: v.now, SupportedSigningAlgs: algs})
		v.mu.Lock()
		v.verifier, v.keys = ver, keys
		v.mu.Unlock()
		return nil, nil
	})
	select {
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("%w: in-house provider discovery: %w", link.ErrUnavailable, ctx.Err())
	case res := <-ch:
		if res.Err != nil {
			return nil, nil, res.Err
		}
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.verifier, v.keys, nil
}

// verify returns the account (sub) that raw proves, or an error wrapping
// link.ErrProofRefused, or link.ErrUnavailable.
func (v *inHouseVerifier) verify(ctx context.Context, raw string) (string, error) {
	ver, keys, err := v.oidcVerifier(ctx)
	if err != nil {
		return "", err
	}
	refused := func(format string, args ...any) (string, error) {
		return "", fmt.Errorf("%w: in-house ID token: "+format, append([]any{link.ErrProofRefused}, args...)...)
	}
	// go-oidc flattens key-set errors into text: look the token's key up
	// first, so that keys the provider cannot serve now are an outage
	// (503, no refusal counted), not a bad token.
	if jws, err := jose.ParseSignedCompact(raw, inHouseAlgs); err == nil && len(jws.Signatures) == 1 {
		if _, err := keys.candidates(ctx, jws.Signatures[0].Header.KeyID); errors.Is(err, link.ErrUnavailable) {
			return "", err
		}
	}
	// Signature by a key of the provider's JWKS, iss, aud and exp.
	tok, err := ver.Verify(ctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return refused("expired")
		}
		return refused("%v", err)
	}
	now := v.now()
	switch {
	case len(tok.Audience) != 1:
		return refused("issued to several audiences")
	case tok.IssuedAt.IsZero():
		return refused("no iat")
	case now.Sub(tok.IssuedAt) > inHouseTokenMaxAge:
		return refused("issued more than %s ago", inHouseTokenMaxAge)
	case tok.IssuedAt.After(now.Add(iatLeeway)):
		return refused("issued in the future")
	case tok.Subject == "":
		return refused("no sub")
	}
	// Keyed by the signed claims, not the token's text: base64 and ECDSA
	// both allow other spellings of one signed token.
	var claims json.RawMessage
	if err := tok.Claims(&claims); err != nil {
		return refused("claims: %v", err)
	}
	sum := sha256.Sum256(append([]byte(tok.Issuer+"\x00"), claims...))
	// Past iat + max age the token is refused anyway: no need to remember
	// it longer.
	until := tok.IssuedAt.Add(inHouseTokenMaxAge + iatLeeway)
	if tok.Expiry.Before(until) {
		until = tok.Expiry
	}
	if until.Before(now.Add(time.Second)) {
		until = now.Add(time.Second)
	}
	first, err := v.replay.FirstUse(ctx, "inhouse:"+hex.EncodeToString(sum[:]), until)
	switch {
	case err != nil:
		return "", err
	case !first:
		return refused("already used")
	}
	return tok.Subject, nil
}
