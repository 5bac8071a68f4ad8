package callback

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

const (
	algHS256 = jose.HS256
	algES256 = jose.ES256
)

// keySet verifies LINE's ID token signatures for go-oidc. LINE signs
// web-login tokens with HS256 under the channel secret (no kid), and tokens
// from LIFF and the native SDKs with ES256 under a key from its JWKS. The
// key is chosen by alg, and only these two are accepted: never "none", and
// never an HMAC check keyed with a public key (alg confusion). Headers that
// carry their own key are refused before go-oidc gets the token, in
// verifyIDToken, the only way tokens reach this key set.
type keySet struct {
	secret []byte
	jwks   *jwks
}

// headerKeys are JOSE header parameters that name or carry a key. A token
// must not choose the key that verifies it.
var headerKeys = []string{"jwk", "jku", "x5u", "x5c", "crit"}

func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	h, err := headerOf(ctx, raw)
	if err != nil {
		return nil, err
	}
	switch jose.SignatureAlgorithm(h.Alg) {
	case algHS256:
		return verifyHS256(raw, k.secret)
	case algES256:
		jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{algES256})
		if err != nil {
			return nil, err
		}
		key, err := k.jwks.key(ctx, h.Kid)
		if err != nil {
			return nil, err
		}
		return jws.Verify(key)
	}
	return nil, errors.New("unsupported alg")
}

// verifyHS256 checks a compact JWT's HMAC-SHA256 under secret and returns
// its decoded payload. go-oidc has parsed the token already (and checked
// its alg against the verifier's list) before it asks the key set, and
// the JOSE header was read by parseHeader: a MAC over the signing input is
// all that is left, so the token is not parsed by go-jose a third time on
// every login. raw has passed compactJWT (three base64url segments).
func verifyHS256(raw string, secret []byte) ([]byte, error) {
	head, sig := strings.LastIndexByte(raw, '.'), strings.IndexByte(raw, '.')
	if head < 0 || sig == head {
		return nil, errors.New("malformed JWT")
	}
	got, err := base64.RawURLEncoding.DecodeString(raw[head+1:])
	if err != nil {
		return nil, errors.New("malformed JWT signature")
	}
	mac := hmac.New(sha256.New, secret)
	io.WriteString(mac, raw[:head])
	if !hmac.Equal(mac.Sum(nil), got) {
		return nil, errors.New("signature does not verify")
	}
	payload, err := base64.RawURLEncoding.DecodeString(raw[sig+1 : head])
	if err != nil {
		return nil, errors.New("malformed JWT payload")
	}
	return payload, nil
}

// readHeader is a header parseHeader has read, passed to the key set in the
// context that go-oidc hands on, so that a token's header is decoded once.
type readHeader struct {
	raw string // the whole token the header was read from
	h   joseHeader
}

type readHeaderKey struct{}

// withHeader returns ctx carrying the header h read from raw.
func withHeader(ctx context.Context, raw string, h joseHeader) context.Context {
	return context.WithValue(ctx, readHeaderKey{}, &readHeader{raw: raw, h: h})
}

// headerOf returns raw's header: the one withHeader put in ctx if it was
// read from this very token, else parsed now.
func headerOf(ctx context.Context, raw string) (joseHeader, error) {
	if r, ok := ctx.Value(readHeaderKey{}).(*readHeader); ok && r.raw == raw {
		return r.h, nil
	}
	return parseHeader(raw)
}

// joseHeader is what the key set reads of a JWT's header.
type joseHeader struct {
	Alg string
	Kid string
}

// parseHeader decodes a JWT's header, refusing one that names or carries
// its own key, and one that spells alg or kid twice or in another case.
// go-jose reads member names exactly and encoding/json folds their case,
// so {"alg":"ES256","ALG":"HS256"} would be one algorithm to go-oidc and
// another to the key set: such a header is not LINE's, and is refused.
func parseHeader(raw string) (joseHeader, error) {
	var h joseHeader
	seg, _, ok := strings.Cut(raw, ".")
	if !ok {
		return h, errors.New("malformed JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return h, errors.New("malformed JWT header")
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil || members == nil {
		return h, errors.New("malformed JWT header")
	}
	for name, v := range members {
		for _, k := range headerKeys {
			if strings.EqualFold(name, k) {
				return joseHeader{}, errors.New("JWT header names its own key (" + k + ")")
			}
		}
		var dst *string
		switch {
		case name == "alg":
			dst = &h.Alg
		case name == "kid":
			dst = &h.Kid
		case strings.EqualFold(name, "alg"), strings.EqualFold(name, "kid"):
			return joseHeader{}, errors.New("JWT header spells " + strings.ToLower(name) + " in another case")
		default:
			continue
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return joseHeader{}, errors.New("malformed JWT header")
		}
	}
	return h, nil
}
