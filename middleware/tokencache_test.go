package middleware_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/middleware"
)

// panickyVerifier panics on its first call, as a verifier with a nil
// dependency would, and verifies with next afterwards.
type panickyVerifier struct {
	calls atomic.Int32
	next  callback.IDTokenVerifier
}

func (v *panickyVerifier) VerifyIDToken(ctx context.Context, raw, nonce string) (*callback.User, error) {
	if v.calls.Add(1) == 1 {
		var nilClient *callback.Client
		return nilClient.VerifyIDToken(ctx, raw, nonce) // nil pointer dereference
	}
	return v.next.VerifyIDToken(ctx, raw, nonce)
}

// TestBearer_PanickingCheckDoesNotBlockTheNextRequest: a token check that
// panics fails its own request (net/http recovers it), and the next
// request with the same token is checked again instead of waiting forever
// for the check that died.
func TestBearer_PanickingCheckDoesNotBlockTheNextRequest(t *testing.T) {
	v := &panickyVerifier{}
	app := newTestApp(t, func(c *middleware.Config) { c.Bearer.IDTokenVerifier = v })
	client, err := callback.New(app.cfg.LINE)
	if err != nil {
		t.Fatal(err)
	}
	v.next = client
	tok, err := app.platform.IssueLIFFIDToken(app.user.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	call := func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, app.url("/api/me"), nil)
		req.Header = idTokenHeader(tok)
		// A hang detector, not a speed check.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err == nil {
			readBody(t, resp)
		}
		return resp, err
	}
	if resp, err := call(); err == nil {
		t.Fatalf("the panicking check answered %d; want the connection dropped", resp.StatusCode)
	}
	resp, err := call()
	if err != nil {
		t.Fatalf("the request after the panic: %v (blocked on the dead check?)", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the request after the panic: status %d, want 200", resp.StatusCode)
	}
	if n := v.calls.Load(); n != 2 {
		t.Errorf("verifier called %d times, want 2", n)
	}
}
