package callback_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
)

// benchPlatform returns an in-memory linetest (no sockets) and a client
// whose calls reach it through the platform's Transport, as an app's
// wrapped transport (otelhttp, say) would.
func benchPlatform(b *testing.B) (*linetest.Platform, *callback.Client) {
	b.Helper()
	p, err := linetest.New(linetest.Config{})
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := p.CallbackConfig("https://app.example/callback")
	if err != nil {
		b.Fatal(err)
	}
	cfg.HTTPClient = &http.Client{Transport: p.Transport()}
	c, err := callback.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return p, c
}

// BenchmarkVerifyIDTokenHS256 is the check of a web login's ID token: one
// parse, the HMAC, the claims. Nothing is sent anywhere.
func BenchmarkVerifyIDTokenHS256(b *testing.B) {
	p, c := benchPlatform(b)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(p.ChannelSecret())}, nil)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	payload, _ := json.Marshal(map[string]any{
		"iss": p.Issuer(), "sub": p.Users()[0].ID, "aud": p.ChannelID(), "nonce": "n0nce",
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "name": "Brown", "amr": []string{"pwd"},
	})
	jws, err := signer.Sign(payload)
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := jws.CompactSerialize()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.VerifyIDToken(ctx, raw, "n0nce"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyIDTokenES256 is the check of a LIFF ID token, its key
// already in the JWKS cache.
func BenchmarkVerifyIDTokenES256(b *testing.B) {
	p, c := benchPlatform(b)
	raw, err := p.IssueLIFFIDToken(p.Users()[0].ID, "")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.VerifyIDToken(ctx, raw, ""); err != nil { // fills the JWKS cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.VerifyIDToken(ctx, raw, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProfileCall is one back-channel call (GET /v2/profile) through
// a wrapped transport to linetest in memory: the client's own cost per
// call, plus linetest's work.
func BenchmarkProfileCall(b *testing.B) {
	p, c := benchPlatform(b)
	token, err := p.IssueAccessToken(p.Users()[0].ID, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%1024 == 0 {
			p.ResetRequests() // the platform records every request
		}
		if _, err := c.Profile(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}
