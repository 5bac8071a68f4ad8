package linetest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
)

// randomBytes returns n bytes from crypto/rand, which never fails since
// Go 1.24 (it crashes the program rather than return predictable bytes).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// randomHex returns 2n hex digits carrying n random bytes: alphanumeric, so
// safe in URLs and forms without escaping.
func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

// newRequestID returns an x-line-request-id: a random UUID, the shape of
// LINE's.
func newRequestID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// randomURLSafe returns n random bytes in unpadded base64url.
func randomURLSafe(n int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(n)) }
