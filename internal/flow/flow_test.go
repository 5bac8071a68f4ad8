package flow_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/flow"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/session"
)

func newStore(t *testing.T, clock *testkit.Clock, limit int) *flow.Store {
	t.Helper()
	s, err := flow.NewStore([][]byte{session.GenerateKey()}, false, false, limit, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// save starts a flow and returns it with its cookie.
func save(t *testing.T, s *flow.Store, clock *testkit.Clock, jar []*http.Cookie) (*flow.Flow, []*http.Cookie) {
	t.Helper()
	f := flow.New("/orders", clock.Now())
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/login", nil)
	for _, c := range jar {
		r.AddCookie(c)
	}
	if err := s.Save(rec, r, f); err != nil {
		t.Fatal(err)
	}
	return f, rec.Result().Cookies()
}

func take(s *flow.Store, state string, jar []*http.Cookie) (*flow.Flow, error) {
	r := httptest.NewRequest(http.MethodGet, "/callback", nil)
	for _, c := range jar {
		if c.MaxAge >= 0 {
			r.AddCookie(c)
		}
	}
	return s.Take(httptest.NewRecorder(), r, state)
}

func TestFlow_StateAndNonceAre128BitsOfHex(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		f := flow.New("/", time.Now())
		for _, v := range []string{f.State, f.Nonce} {
			if !flow.ValidState(v) || seen[v] {
				t.Fatalf("%q: not 32 fresh hex digits", v)
			}
			seen[v] = true
		}
		if len(f.Verifier) < 43 {
			t.Fatalf("verifier of %d characters", len(f.Verifier))
		}
	}
	for _, bad := range []string{"", strings.Repeat("A", 32), strings.Repeat("0", 31), strings.Repeat("0", 33), strings.Repeat("g", 32)} {
		if flow.ValidState(bad) {
			t.Errorf("ValidState(%q) = true", bad)
		}
	}
}

// TestStore_FlowExpiresByTheClock: a flow older than TTL is spent and
// refused, whatever the browser keeps.
func TestStore_FlowExpiresByTheClock(t *testing.T) {
	clock := testkit.NewClock(time.Unix(1_800_000_000, 0))
	s := newStore(t, clock, 5)
	f, jar := save(t, s, clock, nil)
	if got, err := take(s, f.State, jar); err != nil || got.ReturnTo != "/orders" {
		t.Fatalf("a fresh flow: %+v, %v", got, err)
	}
	f, jar = save(t, s, clock, nil)
	clock.Advance(flow.TTL + time.Second)
	if _, err := take(s, f.State, jar); !errors.Is(err, callback.ErrState) {
		t.Errorf("a flow past its TTL: %v, want ErrState", err)
	}
}

// TestStore_CapEvictsTheOldest: past the cap, starting a login expires the
// oldest flow's cookie, and the newest always works.
func TestStore_CapEvictsTheOldest(t *testing.T) {
	clock := testkit.NewClock(time.Unix(1_800_000_000, 0))
	s := newStore(t, clock, 2)
	var jar []*http.Cookie
	var flows []*flow.Flow
	for range 3 {
		clock.Advance(time.Second)
		f, set := save(t, s, clock, jar)
		flows = append(flows, f)
		for _, c := range set {
			jar = setCookie(jar, c)
		}
	}
	if _, err := take(s, flows[0].State, jar); !errors.Is(err, callback.ErrState) {
		t.Errorf("the oldest flow survived the cap: %v", err)
	}
	for _, f := range flows[1:] {
		if _, err := take(s, f.State, jar); err != nil {
			t.Errorf("a newer flow: %v", err)
		}
	}
}

// TestFlow_DecodesFieldsItDoesNotKnow: a flow cookie written by a newer
// version, with a field this one does not know, still finishes its login.
func TestFlow_DecodesFieldsItDoesNotKnow(t *testing.T) {
	f := flow.New("/orders", time.Unix(1_800_000_000, 0))
	b, _ := f.MarshalBinary()
	newer := strings.Replace(string(b), "{", `{"future":{"x":1},`, 1)
	var got flow.Flow
	if err := got.UnmarshalBinary([]byte(newer)); err != nil || got.State != f.State || got.ReturnTo != "/orders" {
		t.Errorf("newer flow: %+v, %v", got, err)
	}
}

// setCookie applies c to jar as a browser would.
func setCookie(jar []*http.Cookie, c *http.Cookie) []*http.Cookie {
	out := jar[:0:0]
	for _, old := range jar {
		if old.Name != c.Name {
			out = append(out, old)
		}
	}
	if c.MaxAge >= 0 {
		out = append(out, c)
	}
	return out
}
