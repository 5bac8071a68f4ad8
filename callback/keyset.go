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
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{algHS256, algES256})
	if err != nil {
		return nil, err
	}
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

type joseHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	// The parameters of headerKeys, whose presence alone refuses a token.
	// encoding/json matches names case-insensitively and unescaped, so
	// "JWK" or "\u006awk" count as "jwk" too; a RawMessage is set even for
	// null.
	JWK  json.RawMessage `json:"jwk"`
	JKU  json.RawMessage `json:"jku"`
	X5U  json.RawMessage `json:"x5u"`
	X5C  json.RawMessage `json:"x5c"`
	Crit json.RawMessage `json:"crit"`
}

// parseHeader decodes a JWT's header, refusing one that names or carries
// its own key. It decodes the header once, into one struct: go-oidc and
// the key set parse the token again, and this runs on every login.
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
		return joseHeader{}, errors.New("malformed JWT header")
	}
	for i, v := range [...]json.RawMessage{h.JWK, h.JKU, h.X5U, h.X5C, h.Crit} {
		if v != nil {
			return joseHeader{}, errors.New("JWT header names its own key (" + headerKeys[i] + ")")
		}
	}
	return h, nil
}
