package cookie

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"sync"
	"time"

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
//
// Values are in gorilla/securecookie's format (with its NopEncoder, an
// AES-256 block key and an HMAC-SHA256 hash key), which this codec used to
// call and which cookies already in browsers carry:
//
//	base64url(date "|" base64url(iv || AES-CTR(value)) "|" HMAC(name "|" date "|" base64url(...)))
//
// with padded base64url and date in Unix seconds. It is written out here
// with its buffers sized once and its HMAC states reused, since /login and
// /callback encode or decode three of them per login.
type Codec struct {
	keys   []codecKey
	maxAge int64 // seconds
}

// codecKey is one session key's pair: the AES block and a pool of HMAC
// states under the hash key (an HMAC costs several allocations to set up).
type codecKey struct {
	block cipher.Block
	macs  *sync.Pool // of *macState
}

// macState is an HMAC with room for its sum and for the "name|" it
// starts with (a []byte(name) passed to hash.Hash's Write would be copied
// to the heap each time).
type macState struct {
	h      hash.Hash
	sum    [sha256.Size]byte
	prefix []byte
}

// start resets the HMAC and feeds it name and the separator.
func (m *macState) start(name string) {
	m.h.Reset()
	m.prefix = append(append(m.prefix[:0], name...), '|')
	m.h.Write(m.prefix)
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
	c := &Codec{maxAge: int64(maxAge / time.Second)}
	for i, k := range keys {
		hashKey, blockKey, err := derive(k)
		if err != nil {
			return nil, fmt.Errorf("cookie: key %d: %w", i+1, err)
		}
		block, err := aes.NewCipher(blockKey)
		if err != nil {
			return nil, fmt.Errorf("cookie: key %d: %w", i+1, err)
		}
		c.keys = append(c.keys, codecKey{
			block: block,
			macs:  &sync.Pool{New: func() any { return &macState{h: hmac.New(sha256.New, hashKey)} }},
		})
	}
	return c, nil
}

var b64 = base64.URLEncoding

// Encode encrypts value for the cookie called name under the first key.
// value itself is left as it is.
func (c *Codec) Encode(name string, value []byte) (string, error) {
	k := c.keys[0]
	// The encrypted value: a random IV, then value under AES-CTR.
	sealed := make([]byte, aes.BlockSize+len(value))
	iv := sealed[:aes.BlockSize]
	rand.Read(iv) // never fails since Go 1.24
	cipher.NewCTR(k.block, iv).XORKeyStream(sealed[aes.BlockSize:], value)

	// date "|" base64url(sealed) "|" MAC, in one buffer.
	var date [20]byte
	ts := strconv.AppendInt(date[:0], time.Now().Unix(), 10)
	inner := b64.EncodedLen(len(sealed))
	n := len(ts) + 1 + inner + 1 + sha256.Size
	if b64.EncodedLen(n) > MaxBytes {
		return "", fmt.Errorf("cookie: encode %s: the value would have %d bytes, more than %d", name, b64.EncodedLen(n), MaxBytes)
	}
	msg := make([]byte, 0, n)
	msg = append(msg, ts...)
	msg = append(msg, '|')
	msg = msg[:len(msg)+inner]
	b64.Encode(msg[len(ts)+1:], sealed)
	msg = append(msg, '|')

	m := k.macs.Get().(*macState)
	m.start(name)
	m.h.Write(msg[:len(msg)-1])
	msg = m.h.Sum(msg)
	k.macs.Put(m)

	out := make([]byte, b64.EncodedLen(len(msg)))
	b64.Encode(out, msg)
	return string(out), nil
}

// Decode authenticates and decrypts a cookie value. It reports whether the
// value was made under an old key, so that the caller can re-issue it under
// the current one.
func (c *Codec) Decode(name, value string) (plain []byte, old bool, err error) {
	if len(value) > MaxBytes {
		return nil, false, ErrInvalid
	}
	raw, err := b64.DecodeString(value)
	if err != nil {
		return nil, false, ErrInvalid
	}
	// date "|" encrypted "|" MAC; the MAC is binary and may hold '|'.
	i := indexByte(raw, '|', 0)
	j := indexByte(raw, '|', i+1)
	if i < 0 || j < 0 {
		return nil, false, ErrInvalid
	}
	date, sealed, mac := raw[:i], raw[i+1:j], raw[j+1:]
	for n, k := range c.keys {
		m := k.macs.Get().(*macState)
		m.start(name)
		m.h.Write(raw[:j])
		ok := hmac.Equal(mac, m.h.Sum(m.sum[:0]))
		k.macs.Put(m)
		if !ok {
			continue
		}
		t, ok := parseUnix(date)
		if !ok || t < time.Now().Unix()-c.maxAge {
			return nil, false, ErrInvalid
		}
		dec := make([]byte, b64.DecodedLen(len(sealed)))
		nb, err := b64.Decode(dec, sealed)
		if err != nil || nb <= aes.BlockSize {
			return nil, false, ErrInvalid
		}
		plain = dec[aes.BlockSize:nb]
		cipher.NewCTR(k.block, dec[:aes.BlockSize]).XORKeyStream(plain, plain)
		return plain, n > 0, nil
	}
	return nil, false, ErrInvalid
}

// indexByte returns the index of the first c in b at or after from, or -1.
func indexByte(b []byte, c byte, from int) int {
	if from < 0 {
		return -1
	}
	for i := from; i < len(b); i++ {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// parseUnix reads a timestamp in decimal, as strconv.ParseInt would,
// without allocating.
func parseUnix(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	neg := b[0] == '-'
	if neg || b[0] == '+' {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	var t int64
	for _, d := range b {
		if d < '0' || d > '9' {
			return 0, false
		}
		t = t*10 + int64(d-'0')
	}
	if neg {
		t = -t
	}
	return t, true
}

// derive turns one session key into the pair the format needs: an HMAC key
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
