package callback_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/linelogin/linelogin/linetest"
)

// TestJWKS_OneCallerCancellingDoesNotFailTheOthers: the JWKS fetch is
// shared by the callers missing a key, and runs under none of their
// contexts (DESIGN §10): the first caller hanging up mid-fetch leaves the
// fetch running for a second caller, and its cancellation is not
// remembered as LINE's failure for the caller right after.
func TestJWKS_OneCallerCancellingDoesNotFailTheOthers(t *testing.T) {
	p := linetest.NewServer(t, linetest.Config{CallbackURLs: []string{"https://app.example/callback"}})
	c := newClient(t, p, nil) // Timeout: 1s
	tok := mustIssueLIFF(t, p)
	p.SetFault(linetest.PathCerts, linetest.Fault{Delay: 300 * time.Millisecond})

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := c.VerifyIDToken(ctx, tok, "")
		first <- err
	}()
	// The first caller's fetch is at LINE: a second caller joins it, and
	// the first hangs up.
	for deadline := time.Now().Add(5 * time.Second); p.Count(linetest.PathCerts) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the JWKS was never fetched")
		}
	}
	second := make(chan error, 1)
	go func() {
		u, err := c.VerifyIDToken(context.Background(), tok, "")
		if err == nil && u.ID != p.Users()[0].ID {
			err = errors.New("wrong user " + u.ID)
		}
		second <- err
	}()
	cancel()
	if err := <-first; err == nil {
		t.Error("the cancelled caller was answered with a user")
	}
	if err := <-second; err != nil {
		t.Fatalf("a second caller, during the fetch the first cancelled: %v", err)
	}
	if u, err := c.VerifyIDToken(context.Background(), tok, ""); err != nil || u.ID != p.Users()[0].ID {
		t.Fatalf("a caller right after: %v, %v", u, err)
	}
	if n := p.Count(linetest.PathCerts); n != 1 {
		t.Errorf("the JWKS was fetched %d times, want once", n)
	}
}
