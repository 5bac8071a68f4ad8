package middleware_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
)

const answerUnavailable = `{"error":"unavailable"}`

// inHouseTimeout is the in-house provider's client timeout in these tests.
const inHouseTimeout = 300 * time.Millisecond

// TestLinkAPI_InHouseProviderOutage: the app's own provider down, hung or
// answering 5xx, at discovery or at its keys, is an outage: 503
// {"error":"unavailable"} with Retry-After, and no refusal counted, so
// that an honest user is never locked out by it: more tries than the
// lockout allows, then the provider recovers and the next proof links.
func TestLinkAPI_InHouseProviderOutage(t *testing.T) {
	faults := map[string]providerFault{
		"down": {Down: true},
		"hung": {Hang: true},
		"503":  {Status: http.StatusServiceUnavailable},
		"500":  {Status: http.StatusInternalServerError},
		"502":  {Status: http.StatusBadGateway},
		"404":  {Status: http.StatusNotFound}, // a proxy's page, not the provider's answer
	}
	for name, fault := range faults {
		for _, path := range []string{"/.well-known/openid-configuration", "/keys"} {
			t.Run(name+path, func(t *testing.T) {
				la := newLinkApp(t, func(l *middleware.Linking) {
					l.InHouseHTTPClient = &http.Client{Timeout: inHouseTimeout}
				})
				brown := la.user.ID
				h := la.bearer(brown)
				fault.Path = path
				la.inHouse.fault.Store(&fault)
				for i := range middleware.MaxRefusedProofs + 1 {
					start := time.Now()
					resp, got := la.postLink(linkCall{h, jsonBody(map[string]any{"idToken": la.inHouse.token(oidc.ES256, "alice", nil)})})
					if resp.StatusCode != http.StatusServiceUnavailable || got != answerUnavailable || resp.Header.Get("Retry-After") == "" {
						t.Fatalf("try %d with the provider %s: %d %s Retry-After %q", i, name, resp.StatusCode, got, resp.Header.Get("Retry-After"))
					}
					if took := time.Since(start); took > 2*inHouseTimeout+time.Second {
						t.Errorf("try %d took %s, past the provider's timeout %s", i, took, inHouseTimeout)
					}
				}
				if la.accountOf(brown) != "" {
					t.Error("linked during the outage")
				}
				la.inHouse.fault.Store(nil)
				resp, got := la.postLink(linkCall{h, jsonBody(map[string]any{"idToken": la.inHouse.token(oidc.ES256, "alice", nil)})})
				if resp.StatusCode != http.StatusOK || got != `{"accountId":"alice"}` {
					t.Errorf("honest proof after the outage: %d %s", resp.StatusCode, got)
				}
			})
		}
	}
}

// TestLinkAPI_InHouseProviderSlow: a provider slower than usual but
// within the client's timeout is no outage: the proof links.
func TestLinkAPI_InHouseProviderSlow(t *testing.T) {
	for _, path := range []string{"/.well-known/openid-configuration", "/keys"} {
		t.Run(path, func(t *testing.T) {
			la := newLinkApp(t, func(l *middleware.Linking) {
				l.InHouseHTTPClient = &http.Client{Timeout: inHouseTimeout}
			})
			la.inHouse.fault.Store(&providerFault{Path: path, Delay: inHouseTimeout / 3})
			resp, got := la.postLink(linkCall{la.bearer(la.user.ID), jsonBody(map[string]any{"idToken": la.inHouse.token(oidc.RS256, "alice", nil)})})
			if resp.StatusCode != http.StatusOK || got != `{"accountId":"alice"}` {
				t.Errorf("slow provider: %d %s", resp.StatusCode, got)
			}
		})
	}
}

// TestLinkAPI_InHouseProviderHungInParallel: with the provider hung,
// simultaneous proofs each answer 503 within about the provider's
// timeout, not one after another.
func TestLinkAPI_InHouseProviderHungInParallel(t *testing.T) {
	for _, path := range []string{"/.well-known/openid-configuration", "/keys"} {
		t.Run(path, func(t *testing.T) {
			la := newLinkApp(t, func(l *middleware.Linking) {
				l.InHouseHTTPClient = &http.Client{Timeout: inHouseTimeout}
			})
			h := la.warmBearer(t, la.user.ID)
			n := middleware.MaxRefusedProofs
			if path == "/keys" {
				// Discovery done while the provider was up, with a token
				// refused before its key is looked for (one refusal).
				none := "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"x"}`)) + "."
				if resp, got := la.postLink(linkCall{h, jsonBody(map[string]any{"idToken": none})}); resp.StatusCode != http.StatusForbidden {
					t.Fatalf("warming discovery: %d %s", resp.StatusCode, got)
				}
				n--
			}
			la.inHouse.fault.Store(&providerFault{Path: path, Hang: true})
			start := time.Now()
			calls := make([]linkCall, n)
			for i := range calls {
				calls[i] = linkCall{h, jsonBody(map[string]any{"idToken": la.inHouse.token(oidc.ES256, "alice", nil)})}
			}
			answers := la.storm(t, nil, calls)
			if took := time.Since(start); took > 2*inHouseTimeout+500*time.Millisecond {
				t.Errorf("%d simultaneous proofs took %s with the provider hung, want about %s", len(calls), took, inHouseTimeout)
			}
			for _, a := range answers {
				if a.status != http.StatusServiceUnavailable || a.body != answerUnavailable {
					t.Errorf("%d %s, want 503 %s", a.status, a.body, answerUnavailable)
				}
			}
		})
	}
}

// TestLinkAPI_CheckFactsOutage: the app's check failing (its API or
// database down) is an outage, never a refusal.
func TestLinkAPI_CheckFactsOutage(t *testing.T) {
	var down sync.Mutex
	broken := true
	la := newLinkApp(t, func(l *middleware.Linking) {
		check := l.CheckFacts
		l.CheckFacts = func(ctx context.Context, f link.Facts) (string, error) {
			down.Lock()
			defer down.Unlock()
			if broken {
				return "", errors.New("members API: connection refused")
			}
			return check(ctx, f)
		}
	})
	h := la.bearer(la.user.ID)
	right := `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`
	for i := range middleware.MaxRefusedProofs + 1 {
		resp, got := la.postLink(linkCall{h, right})
		if resp.StatusCode != http.StatusServiceUnavailable || got != answerUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("try %d with the check down: %d %s Retry-After %q", i, resp.StatusCode, got, resp.Header.Get("Retry-After"))
		}
	}
	down.Lock()
	broken = false
	down.Unlock()
	if resp, got := la.postLink(linkCall{h, right}); resp.StatusCode != http.StatusOK {
		t.Errorf("after the outage: %d %s", resp.StatusCode, got)
	}
}
