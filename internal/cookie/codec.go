package cookie

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/linelogin/linelogin/session"
)

// ErrInvalid reports a cookie value that does not decode under any key: it
// was tampered with, truncated, made under a removed key, carries another
// cookie's name, or is older than the codec's maximum age. Callers treat it
// as "no cookie".
var ErrInvalid = errors.New("cookie: invalid value")

// Codec encrypts and authenticates cookie values under a list of keys. The
// first key encodes; all keys decode. A value is bound to its cookie name, so
// one cookie's value cannot be replayed under another name.
type Codec struct {
	codecs []*securecookie.SecureCookie
}

// NewCodec returns a Codec for keys (each KeySize bytes) whose values are
// rejected once older than maxAge.
func NewCodec(maxAge time.Duration, keys ...[]byte) (*Codec, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("cookie: no keys: %w", session.ErrBadKey)
	}
	if maxAge < time.Second {
		return nil, errors.New("cookie: codec max age must be at least a second")
	}
	c := &Codec{}
	for i, k := range keys {
		hashKey, blockKey, err := derive(k)
		if err != nil {
			return nil, fmt.Errorf("cookie: key %d: %w", i+1, err)
		}
		sc := securecookie.New(hashKey, blockKey).
			SetSerializer(securecookie.NopEncoder{}).
			MaxAge(int(maxAge / time.Second)).
			MaxLength(MaxBytes)
		c.codecs = append(c.codecs, sc)
	}
	return c, nil
}

// Encode encrypts value for the cookie called name under the first key.
func (c *Codec) Encode(name string, value []byte) (string, error) {
	s, err := c.codecs[0].Encode(name, value)
	if err != nil {
		return "", fmt.Errorf("cookie: encode %s: %w", name, err)
	}
	return s, nil
}

// Decode authenticates and decrypts a cookie value. It reports whether the
// value was made under an old key, so that the caller can re-issue it under
// the current one.
func (c *Codec) Decode(name, value string) (plain []byte, old bool, err error) {
	for i, sc := range c.codecs {
		var b []byte
		if err := sc.Decode(name, value, &b); err == nil {
			return b, i > 0, nil
		}
	}
	return nil, false, ErrInvalid
}

// derive turns one session key into the pair securecookie needs: an HMAC key
// and an AES-256 key. HKDF keeps the two independent, so the single secret an
// operator manages never doubles as both.
func derive(key []byte) (hashKey, blockKey []byte, err error) {
	if len(key) != session.KeySize {
		return nil, nil, session.ErrBadKey
	}
	hashKey, err = hkdf.Key(sha256.New, key, nil, "linelogin session hmac", 32)
	if err != nil {
		return nil, nil, err
	}
	blockKey, err = hkdf.Key(sha256.New, key, nil, "linelogin session aes", 32)
	return hashKey, blockKey, err
}
