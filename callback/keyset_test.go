package callback

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// TestKeySet_HeaderReadOnceOrNow: the key set checks an HS256 MAC with the
// header verifyChannelIDToken read (handed on in the context), and, given
// a context without it, reads the header itself: either way a token under
// the secret verifies and one whose MAC or payload was changed does not.
func TestKeySet_HeaderReadOnceOrNow(t *testing.T) {
	secret := []byte(strings.Repeat("s", 32))
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(`{"sub":"U1"}`))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	good := input + "." + enc.EncodeToString(mac.Sum(nil))
	h, err := parseHeader(good)
	if err != nil {
		t.Fatal(err)
	}
	ks := &keySet{secret: secret}
	for name, ctx := range map[string]context.Context{
		"header handed on": withHeader(context.Background(), good, h),
		"header read now":  context.Background(),
		// A header read from another token is not used for this one.
		"another token's header": withHeader(context.Background(), "x.y.z", joseHeader{Alg: "ES256"}),
	} {
		payload, err := ks.VerifySignature(ctx, good)
		if err != nil || string(payload) != `{"sub":"U1"}` {
			t.Errorf("%s: %q, %v; want the payload", name, payload, err)
		}
		parts := strings.Split(good, ".")
		for what, bad := range map[string]string{
			"MAC changed":     parts[0] + "." + parts[1] + "." + enc.EncodeToString(make([]byte, 32)),
			"payload changed": parts[0] + "." + enc.EncodeToString([]byte(`{"sub":"U2"}`)) + "." + parts[2],
		} {
			if _, err := ks.VerifySignature(ctx, bad); err == nil {
				t.Errorf("%s: %s verified", name, what)
			}
		}
	}
}
