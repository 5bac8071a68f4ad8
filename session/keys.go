package session

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length in bytes of a session key.
const KeySize = 32

// ErrBadKey reports a session key that is not KeySize random bytes.
var ErrBadKey = errors.New("session: a key must be 32 bytes")

// GenerateKey returns a new random session key.
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k) // never fails since Go 1.24
	return k
}

// ParseKeys parses a comma-separated list of keys, each the standard base64
// encoding of KeySize bytes, as the SESSION_KEYS variable carries them. The
// first key encodes; every key decodes, so a key can be rotated in at the
// front and an old one dropped from the end once its sessions have expired.
func ParseKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, err := base64.StdEncoding.DecodeString(part)
		if err != nil {
			return nil, fmt.Errorf("session: key %d is not standard base64: %w", i+1, ErrBadKey)
		}
		if len(k) != KeySize {
			return nil, fmt.Errorf("session: key %d has %d bytes: %w", i+1, len(k), ErrBadKey)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("session: no keys given: %w", ErrBadKey)
	}
	return keys, nil
}

// derive turns one session key into the pair securecookie needs: an HMAC key
// and an AES-256 key. HKDF keeps the two independent, so the single secret an
// operator manages never doubles as both.
func derive(key []byte) (hashKey, blockKey []byte, err error) {
	if len(key) != KeySize {
		return nil, nil, ErrBadKey
	}
	hashKey, err = hkdf.Key(sha256.New, key, nil, "linelogin session hmac", 32)
	if err != nil {
		return nil, nil, err
	}
	blockKey, err = hkdf.Key(sha256.New, key, nil, "linelogin session aes", 32)
	return hashKey, blockKey, err
}
