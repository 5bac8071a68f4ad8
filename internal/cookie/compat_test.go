package cookie

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/linelogin/linelogin/session"
)

// gorillaCodec is the securecookie this package called before it wrote the
// format out itself, configured as it was.
func gorillaCodec(t *testing.T, key []byte, maxAge time.Duration) *securecookie.SecureCookie {
	t.Helper()
	hashKey, blockKey, err := derive(key)
	if err != nil {
		t.Fatal(err)
	}
	return securecookie.New(hashKey, blockKey).
		SetSerializer(securecookie.NopEncoder{}).
		MaxAge(int(maxAge / time.Second)).
		MaxLength(MaxBytes)
}

// TestCodec_SecurecookieFormat: cookies already in browsers were made by
// gorilla/securecookie and still decode, under the current key and under an
// old one; values the codec makes decode with securecookie; and a value
// under another name or key, or altered, decodes with neither.
func TestCodec_SecurecookieFormat(t *testing.T) {
	current, previous := session.GenerateKey(), session.GenerateKey()
	c, err := NewCodec(time.Hour, current, previous)
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range [][]byte{[]byte("x"), []byte(`{"s":"0123456789abcdef0123456789abcdef","n":"n"}`), bytes.Repeat([]byte("|\x00\xff"), 700)} {
		for i, key := range [][]byte{current, previous} {
			v, err := gorillaCodec(t, key, time.Hour).Encode("linelogin_session", bytes.Clone(plain)) // it encrypts in place
			if err != nil {
				t.Fatal(err)
			}
			got, old, err := c.Decode("linelogin_session", v)
			if err != nil || !bytes.Equal(got, plain) || old != (i == 1) {
				t.Fatalf("securecookie's value under key %d: %q, old %v, %v; want %q, old %v", i, got, old, err, plain, i == 1)
			}
			if _, _, err := c.Decode("linelogin_flow_x", v); !errors.Is(err, ErrInvalid) {
				t.Errorf("securecookie's value under another name: %v, want ErrInvalid", err)
			}
		}
		v, err := c.Encode("linelogin_session", bytes.Clone(plain))
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		if err := gorillaCodec(t, current, time.Hour).Decode("linelogin_session", v, &got); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("securecookie decoding the codec's value: %q, %v; want %q", got, err, plain)
		}
		if err := gorillaCodec(t, previous, time.Hour).Decode("linelogin_session", v, &got); err == nil {
			t.Error("securecookie decoded the codec's value under another key")
		}
		for _, altered := range []string{v[:len(v)-4], v[:20] + "A" + v[21:], v + "AAAA", ""} {
			if altered == v {
				continue
			}
			if _, _, err := c.Decode("linelogin_session", altered); !errors.Is(err, ErrInvalid) {
				t.Errorf("an altered value: %v, want ErrInvalid", err)
			}
		}
	}
}

// TestCodec_LeavesValueAlone: Encode does not encrypt its argument in
// place (securecookie did).
func TestCodec_LeavesValueAlone(t *testing.T) {
	c, err := NewCodec(time.Hour, session.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("plain text")
	if _, err := c.Encode("n", plain); err != nil {
		t.Fatal(err)
	}
	if string(plain) != "plain text" {
		t.Errorf("Encode changed its argument to %q", plain)
	}
}
