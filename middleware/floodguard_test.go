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
	g := newClientGuard(BearerLimits{ClientBurst: 1, ClientInterval: time.Minute, MaxConcurrentChecks: 1}, clock)
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

// An address with checks still in flight is never forgotten, even with
// its allowance whole again: forgetting it would hand it a fresh count of
// checks in flight, past its half of the slots.
func TestFloodGuard_AddressWithChecksInFlightIsKept(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	g := newClientGuard(BearerLimits{ClientBurst: 10, ClientInterval: time.Second, MaxConcurrentChecks: 4}, clock)
	var held []func(error) error
	for range 2 { // half of the 4 slots, left running
		done, err := g.admit(from("slow"))
		if err != nil {
			t.Fatalf("slow address, within its half: %v", err)
		}
		held = append(held, done)
	}
	for i := range maxTrackedClients - 1 {
		done, err := g.admit(from(strconv.Itoa(i)))
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		done(nil)
	}
	clock.Advance(time.Minute) // every allowance whole again
	if done, err := g.admit(from("newcomer")); err != nil {
		t.Fatalf("newcomer: %v", err)
	} else {
		done(nil)
	}
	var le *limitError
	if _, err := g.admit(from("slow")); !errors.As(err, &le) || le.status != http.StatusTooManyRequests {
		t.Errorf("a third check of the slow address while two run: %v, want 429", err)
	}
	for _, done := range held {
		done(nil)
	}
	if done, err := g.admit(from("slow")); err != nil {
		t.Errorf("the slow address once its checks ended: %v", err)
	} else {
		done(nil)
	}
}

// newClientGuard is a floodGuard with limits on clock that takes a
// request's client address from its Client header (see from).
func newClientGuard(limits BearerLimits, clock *testkit.Clock) *floodGuard {
	limits.ClientAddress = func(r *http.Request) string { return r.Header.Get("Client") }
	return newFloodGuard(limits, clock.Now, slog.New(slog.DiscardHandler))
}

// from is a request of the client address client, for newClientGuard.
func from(client string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Client", client)
	return r
}
