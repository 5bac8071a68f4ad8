package callback

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

const (
	algHS256 = jose.HS256
	algES256 = jose.ES256
)

// idTokenAlgs are the only algorithms an ID token may name: go-jose
// refuses any other (and "none") while parsing.
var idTokenAlgs = []jose.SignatureAlgorithm{algHS256, algES256}

// keySet verifies LINE's ID token signatures. LINE signs web-login tokens
// with HS256 under the channel secret (no kid), and tokens from LIFF and
// the native SDKs with ES256 under a key from its JWKS. The key is chosen
// by alg, and only these two are accepted: never "none", and never an HMAC
// check keyed with a public key (alg confusion). Headers that carry their
// own key are refused by parseHeader before the token is parsed.
type keySet struct {
	secret []byte
	jwks   *jwks
}

// verify checks the signature of a token parsed once by the caller and
// returns its payload. A JWKS that cannot be fetched gives an error
// matching ErrUpstream (LINE is down), not a bad signature.
func (k *keySet) verify(ctx context.Context, jws *jose.JSONWebSignature) ([]byte, error) {
	if len(jws.Signatures) != 1 {
		return nil, errors.New("want exactly one signature")
	}
	h := jws.Signatures[0].Protected
	switch jose.SignatureAlgorithm(h.Algorithm) {
	case algHS256:
		return jws.Verify(k.secret)
	case algES256:
		key, err := k.jwks.key(ctx, h.KeyID)
		if err != nil {
			return nil, err
		}
		return jws.Verify(key)
	}
	return nil, errors.New("unsupported alg")
}

// joseHeader is what is read of a JWT's header before go-jose parses it:
// the parameters that name or carry a key, which a token must not have.
// (encoding/json matches names case-insensitively, so "JWK" is refused as
// well: stricter than needed, never laxer.)
type joseHeader struct {
	JWK  json.RawMessage `json:"jwk"`
	JKU  json.RawMessage `json:"jku"`
	X5U  json.RawMessage `json:"x5u"`
	X5C  json.RawMessage `json:"x5c"`
	Crit json.RawMessage `json:"crit"`
}

// parseHeader checks a JWT's header, refusing one that names or carries
// its own key. A token must not choose the key that verifies it.
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
	if err := json.Unmarshal(b, &h); err != nil {
		return h, errors.New("malformed JWT header")
	}
	for _, f := range []struct {
		name  string
		value json.RawMessage
	}{{"jwk", h.JWK}, {"jku", h.JKU}, {"x5u", h.X5U}, {"x5c", h.X5C}, {"crit", h.Crit}} {
		if f.value != nil {
			return h, errors.New("JWT header names its own key (" + f.name + ")")
		}
	}
	return h, nil
}
