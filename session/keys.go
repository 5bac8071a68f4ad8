package session

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// KeySize is the length in bytes of a session key.
const KeySize = 32

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
			return nil, fmt.Errorf("%w: key %d is not standard base64", ErrBadKey, i+1)
		}
		if len(k) != KeySize {
			return nil, fmt.Errorf("%w: key %d has %d bytes, not %d", ErrBadKey, i+1, len(k), KeySize)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no keys given", ErrBadKey)
	}
	return keys, nil
}
