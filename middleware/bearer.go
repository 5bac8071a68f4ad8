package middleware

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/linelogin/linelogin/callback"
)

// HeaderIDToken is the header in which LIFF and native apps send an ID
// token (from liff.getIDToken() or the LINE SDK).
const HeaderIDToken = "X-Line-ID-Token"

// headerIDTokenKey is HeaderIDToken in canonical form, for allocation-free
// lookups in http.Header.
var headerIDTokenKey = http.CanonicalHeaderKey(HeaderIDToken)

// maxBearer bounds a bearer credential; LINE's are well under 2 KB.
const maxBearer = 8 << 10

// bearer authenticates native and LIFF apps: they send an access token or
// an ID token, and the server checks it with the LINE Platform, never
// trusting profile data a client sends.
type bearer struct {
	client     *callback.Client
	idVerifier callback.IDTokenVerifier
	nonce      func(*http.Request) string
	access     *tokenCache[*requestState]
	ids        *tokenCache[*requestState]
	// accessRefused and idsRefused remember the tokens LINE refused, so
	// that sending one again costs nothing upstream; guard limits the
	// checks that do go upstream (BearerLimits).
	accessRefused *tokenCache[struct{}]
	idsRefused    *tokenCache[struct{}]
	guard         *floodGuard
	metrics       *metrics
	now           func() time.Time
	log           *slog.Logger
}

func newBearer(client *callback.Client, idVerifier callback.IDTokenVerifier, cfg Config) *bearer {
	ttl := cfg.Bearer.Limits.RefusedTokenTTL
	return &bearer{
		client:        client,
		idVerifier:    idVerifier,
		nonce:         cfg.Bearer.IDTokenNonce,
		access:        newTokenCache[*requestState](cfg.Bearer.CacheTTL, cfg.Bearer.CacheSize, cfg.Now),
		ids:           newTokenCache[*requestState](cfg.Bearer.CacheTTL, cfg.Bearer.CacheSize, cfg.Now),
		accessRefused: newTokenCache[struct{}](ttl, cfg.Bearer.CacheSize, cfg.Now),
		idsRefused:    newTokenCache[struct{}](ttl, cfg.Bearer.CacheSize, cfg.Now),
		guard:         newFloodGuard(cfg.Bearer.Limits, cfg.Now, cfg.Logger),
		now:           cfg.Now,
		log:           cfg.Logger,
	}
}

// identifyAccessToken handles Authorization: Bearer. The value is always
// an access token: LINE's v2.1 access tokens are JWT-shaped too, so the
// shape says nothing about the kind.
func (b *bearer) identifyAccessToken(r *http.Request) *requestState {
	var header string
	if v := r.Header["Authorization"]; len(v) > 0 { // Get would canonicalize the key on every request
		header = v[0]
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > maxBearer {
		return b.settle(SourceAccessToken, nil, false, ErrMalformedCredential)
	}
	key := hashToken(token, "")
	if st, ok := b.access.lookup(key); ok {
		// The hot path: nothing is built for a check, and the token's
		// shape is not scanned again, since only a token that passed
		// validToken is ever cached.
		return b.settle(SourceAccessToken, st, true, nil)
	}
	if !validToken(token) {
		return b.settle(SourceAccessToken, nil, false, ErrMalformedCredential)
	}
	st, err := b.access.get(key, b.guarded(r, b.accessRefused, key, SourceAccessToken, func() (*User, time.Time, error) {
		// The check outlives a client that hangs up (others may wait on
		// it), but not the client's configured timeout.
		return b.client.UserFromAccessToken(context.WithoutCancel(r.Context()), token)
	}))
	return b.settle(SourceAccessToken, st, false, err)
}

// hashToken is the cache key of a token (and the nonce it must carry). It
// hashes through a stack buffer: on a cache hit, nothing is allocated.
func hashToken(token, nonce string) tokenKey {
	var buf [512]byte // LINE's tokens are under 300 bytes; a longer one spills to the heap
	b := append(append(append(buf[:0], token...), 0), nonce...)
	return sha256.Sum256(b)
}

// identifyIDToken handles X-Line-ID-Token.
func (b *bearer) identifyIDToken(r *http.Request) *requestState {
	raw := r.Header.Get(HeaderIDToken)
	if raw == "" || len(raw) > maxBearer {
		return b.settle(SourceIDToken, nil, false, ErrMalformedCredential)
	}
	var nonce string
	if b.nonce != nil {
		nonce = b.nonce(r)
	}
	key := hashToken(raw, nonce)
	if st, ok := b.ids.lookup(key); ok {
		return b.settle(SourceIDToken, st, true, nil) // cached only after validToken, as above
	}
	if !validToken(raw) {
		return b.settle(SourceIDToken, nil, false, ErrMalformedCredential)
	}
	st, err := b.ids.get(key, b.guarded(r, b.idsRefused, key, SourceIDToken, func() (*User, time.Time, error) {
		u, err := b.idVerifier.VerifyIDToken(context.WithoutCancel(r.Context()), raw, nonce)
		if err != nil {
			return nil, time.Time{}, err
		}
		return u, jwtExpiry(raw), nil
	}))
	return b.settle(SourceIDToken, st, false, err)
}

// refusedBefore answers a token refused a moment ago, by kind.
var refusedBefore = map[Source]error{
	SourceAccessToken: &callback.TokenError{Kind: "access token", Reason: "refused lately (remembered)"},
	SourceIDToken:     &callback.TokenError{Kind: "ID token", Reason: "refused lately (remembered)"},
}

// guarded wraps the check of the token hashed as key, which runs once for
// every request waiting on it: a token refused lately is refused again
// without asking LINE, and any other check must pass the BearerLimits. The
// limits are charged to the address of the request that starts the check;
// requests that join it pay nothing.
func (b *bearer) guarded(r *http.Request, refused *tokenCache[struct{}], key tokenKey, source Source, verify func() (*User, time.Time, error)) func() (*requestState, time.Time, error) {
	return func() (*requestState, time.Time, error) {
		if _, ok := refused.lookup(key); ok {
			return nil, time.Time{}, refusedBefore[source]
		}
		done, err := b.guard.admit(r)
		if err != nil {
			return nil, time.Time{}, err
		}
		var (
			u      *User
			expiry time.Time
			ok     bool
		)
		defer func() {
			if !ok { // verify panicked: free the slot all the same
				done(nil)
			}
		}()
		u, expiry, err = verify()
		ok = true
		if err = done(err); err != nil {
			if errors.Is(err, callback.ErrInvalidToken) {
				refused.put(key, struct{}{}, b.now().Add(refused.ttl))
			}
			return nil, time.Time{}, err
		}
		return &requestState{user: u, source: source}, expiry, nil
	}
}

// settle turns a check's outcome into the request's state, and counts it;
// a verified state comes from the cache, shared and never modified.
func (b *bearer) settle(source Source, st *requestState, cached bool, err error) *requestState {
	st = b.outcome(source, st, err)
	b.metrics.bearerChecked(source, bearerResult(st, cached))
	return st
}

func (b *bearer) outcome(source Source, st *requestState, err error) *requestState {
	switch {
	case err == nil:
		return st
	case errors.Is(err, ErrMalformedCredential):
		return &requestState{refused: err}
	case err == refusedBefore[source]:
		b.log.Debug("linelogin: credential refused before", "source", source.String())
		return &requestState{refused: err}
	case errors.Is(err, callback.ErrInvalidToken):
		b.log.Info("linelogin: credential refused", "source", source.String(), "error", err.Error())
		return &requestState{refused: err}
	case errors.Is(err, ErrRateLimited):
		// Debug: a flood must not become a flood of log lines. The
		// back-off after LINE's 429 logs a warning of its own.
		b.log.Debug("linelogin: credential not checked", "source", source.String(), "error", err.Error())
		return &requestState{unavailable: err}
	default:
		// Never fail open: LINE unreachable means "try later", not "in".
		b.log.Error("linelogin: cannot verify credential", "source", source.String(), "error", err.Error())
		return &requestState{unavailable: err}
	}
}

// b64token marks the bytes of an RFC 6750 b64token.
var b64token = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=") {
		t[c] = true
	}
	return t
}()

// validToken reports whether s is an RFC 6750 b64token of sane length.
func validToken(s string) bool {
	if s == "" || len(s) > maxBearer {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !b64token[s[i]] {
			return false
		}
	}
	return true
}

// jwtExpiry reads exp from a JWT that has already been verified, so that
// the cache never trusts it past its expiry. Zero if there is none.
func jwtExpiry(raw string) time.Time {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(b, &claims) != nil {
		return time.Time{}
	}
	return time.Unix(claims.Exp, 0)
}
