package testkit

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// JWTPart decodes part i (0 the header, 1 the claims) of a compact JWT
// without verifying it, as an attacker or a curious test reads it.
func JWTPart(tb testing.TB, token string, i int) map[string]any {
	tb.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		tb.Fatalf("token has %d parts, want 3", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	return m
}
