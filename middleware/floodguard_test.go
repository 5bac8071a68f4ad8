package middleware

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
)

// The table of client addresses is bounded: once it is full of addresses
// still paying off refused tokens, newcomers share one allowance instead
// of each getting a fresh one (which would let an attacker with many
// addresses start unlimited checks).
func TestFloodGuard_ClientTableIsBounded(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	g := newFloodGuard(BearerLimits{
		ClientBurst: 1, ClientInterval: time.Minute, MaxConcurrentChecks: 1,
		ClientAddress: func(r *http.Request) string { return r.Header.Get("Client") },
	}, clock.Now, slog.New(slog.DiscardHandler))
	from := func(client string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Client", client)
		return r
	}
	refused := &callback.TokenError{Kind: "access token", Reason: "refused by LINE"}
	check := func(client string) error {
		done, err := g.admit(from(client))
		if err != nil {
			return err
		}
		done(refused) // keeps the allowance spent
		return nil
	}
	for i := range maxTrackedClients {
		if err := check(strconv.Itoa(i)); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}
	if err := check("newcomer-1"); err != nil {
		t.Fatalf("first newcomer, on the shared allowance: %v", err)
	}
	var le *limitError
	if err := check("newcomer-2"); !errors.As(err, &le) || le.status != http.StatusTooManyRequests {
		t.Fatalf("second newcomer while the table is full of busy addresses: %v, want 429", err)
	}
	if len(g.clients) != maxTrackedClients {
		t.Errorf("%d addresses tracked, want at most %d", len(g.clients), maxTrackedClients)
	}
	clock.Advance(time.Minute) // every allowance whole again: the oldest can go
	if err := check("newcomer-3"); err != nil {
		t.Errorf("newcomer once old addresses are idle: %v", err)
	}
	if len(g.clients) != maxTrackedClients {
		t.Errorf("%d addresses tracked, want at most %d", len(g.clients), maxTrackedClients)
	}
}
