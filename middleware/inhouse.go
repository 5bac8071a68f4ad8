package middleware

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/linelogin/linelogin/link"
)

// InHouseTokenMaxAge is how old (by its iat) an in-house ID token may be
// when it is used to link: a token found later in a log or a backup is
// worthless.
const InHouseTokenMaxAge = 10 * time.Minute

// iatLeeway tolerates an in-house provider whose clock runs ahead.
const iatLeeway = time.Minute

// inHouseVerifier checks ID tokens of the app's own OpenID Connect
// provider, each once.
type inHouseVerifier struct {
	issuer, clientID string
	client           *http.Client
	replay           link.ReplayMemory
	now              func() time.Time

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
}

func newInHouseVerifier(issuer, clientID string, client *http.Client, replay link.ReplayMemory, now func() time.Time) *inHouseVerifier {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &inHouseVerifier{issuer: issuer, clientID: clientID, client: client, replay: replay, now: now}
}

// oidcVerifier discovers the provider on first use, and again after a
// failure, so that the app starts while the provider is down.
func (v *inHouseVerifier) oidcVerifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.verifier, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, v.client), v.issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: in-house provider discovery: %w", link.ErrUnavailable, err)
	}
	// The algorithms are those the discovery document lists (RS256 if it
	// lists none); go-oidc never accepts "none" or an HMAC.
	v.verifier = p.VerifierContext(oidc.ClientContext(context.Background(), v.client),
		&oidc.Config{ClientID: v.clientID, Now: v.now})
	return v.verifier, nil
}

// verify returns the account (sub) that raw proves, or an error wrapping
// link.ErrProofRefused, or link.ErrUnavailable.
func (v *inHouseVerifier) verify(ctx context.Context, raw string) (string, error) {
	ver, err := v.oidcVerifier(ctx)
	if err != nil {
		return "", err
	}
	refused := func(format string, args ...any) (string, error) {
		return "", fmt.Errorf("%w: in-house ID token: "+format, append([]any{link.ErrProofRefused}, args...)...)
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
	case now.Sub(tok.IssuedAt) > InHouseTokenMaxAge:
		return refused("issued more than %s ago", InHouseTokenMaxAge)
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
	until := tok.IssuedAt.Add(InHouseTokenMaxAge + iatLeeway)
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
