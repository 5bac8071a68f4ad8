package middleware_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
)

// countingLinks is a link.Store that counts its reads of a LINE user's
// account, and can hold them at a gate.
type countingLinks struct {
	link.Store
	reads  atomic.Int32
	hold   atomic.Bool  // reads wait at gate
	inside atomic.Int32 // reads that waited at the gate
	gate   chan struct{}
}

// AccountOf reads, then waits at the gate when held: what it returns may
// be out of date by then, as a slow database's answer can be.
func (s *countingLinks) AccountOf(ctx context.Context, lineUserID string) (string, error) {
	s.reads.Add(1)
	acct, err := s.Store.AccountOf(ctx, lineUserID)
	if s.hold.Load() {
		s.inside.Add(1)
		<-s.gate
	}
	return acct, err
}

func countLinks(c *countingLinks) func(*middleware.Linking) {
	return func(l *middleware.Linking) {
		c.Store = l.Store
		l.Store = c
	}
}

// credential returns the headers of a request of la's user by kind:
// "session" (b's cookie), "access token" or "ID token".
func (la *linkApp) credential(t *testing.T, kind string) http.Header {
	t.Helper()
	switch kind {
	case "access token":
		return la.bearer(la.user.ID)
	case "ID token":
		tok, err := la.platform.IssueLIFFIDToken(la.user.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		return http.Header{"X-Line-ID-Token": {tok}}
	}
	return http.Header{}
}

// meWith GETs /api/me with header through client and returns the
// status and what the handler saw.
func (la *linkApp) meWith(t *testing.T, client *http.Client, header http.Header) (int, contextUser) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, la.url("/api/me"), nil)
	req.Header = header.Clone()
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var cu contextUser
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&cu); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, cu
}

var credentialKinds = []string{"session", "access token", "ID token"}

// TestLinkedAccount_NoStoreReadInTheCommonCase: the requests of a linked
// user read the store of links once per linkRecheckInterval, whatever the
// credential; a web login reads it, and its session's requests then none.
func TestLinkedAccount_NoStoreReadInTheCommonCase(t *testing.T) {
	for _, kind := range credentialKinds {
		t.Run(kind, func(t *testing.T) {
			links := &countingLinks{}
			la := newLinkApp(t, countLinks(links))
			if err := la.store.Link(context.Background(), la.user.ID, "alice"); err != nil {
				t.Fatal(err)
			}
			client := http.DefaultClient
			if kind == "session" {
				b := la.browser()
				b.mustLogin()
				client = b.client
				if n := links.reads.Load(); n != 1 {
					t.Fatalf("the login read the store %d times, want once", n)
				}
			}
			h := la.credential(t, kind)
			for round := range 3 {
				for range 20 {
					status, cu := la.meWith(t, client, h)
					if status != http.StatusOK || cu.Source != kind || cu.AccountID != "alice" {
						t.Fatalf("round %d: %d %+v", round, status, cu)
					}
				}
				// The login's read, or the first request's; then one
				// more per interval.
				if n := links.reads.Load(); n != 1+int32(round) {
					t.Errorf("round %d: %d reads of the store in all, want %d", round, n, 1+int32(round))
				}
				la.clock.Advance(middleware.LinkRecheck)
			}
		})
	}
}

// TestLinkedAccount_ChangesSeenAcrossInstances: two instances share one
// store of links. An unlink (then a link) made through one counts on it at
// once, and on the other within linkRecheckInterval.
func TestLinkedAccount_ChangesSeenAcrossInstances(t *testing.T) {
	one := newLinkApp(t)
	other := newLinkApp(t, func(l *middleware.Linking) { l.Store = one.store })
	if one.user.ID != other.user.ID {
		t.Fatalf("the platforms approve as different users: %s, %s", one.user.ID, other.user.ID)
	}
	b := one.browser()
	one.signIn(b, "alice")
	b.get(b.authorize(b.startConnect("/account")).String())
	elsewhere := other.browser()
	elsewhere.mustLogin()
	token := other.credential(t, "access token")
	accounts := func() [3]string {
		_, here := b.me()
		_, there := elsewhere.me()
		_, bearer := other.meWith(t, http.DefaultClient, token)
		return [3]string{here.AccountID, there.AccountID, bearer.AccountID}
	}
	if got := accounts(); got != [3]string{"alice", "alice", "alice"} {
		t.Fatalf("connected: %q", got)
	}

	if resp := b.post("/account/unlink", true, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlink: %d", resp.StatusCode)
	}
	if _, cu := b.me(); cu.AccountID != "" {
		t.Errorf("unlinked, on the same instance at once: account %q", cu.AccountID)
	}
	other.clock.Advance(middleware.LinkRecheck)
	if got := accounts(); got != [3]string{} {
		t.Errorf("unlinked, on the other instance after %v: %q", middleware.LinkRecheck, got)
	}

	b.get(b.authorize(b.startConnect("/account")).String())
	if _, cu := b.me(); cu.AccountID != "alice" {
		t.Errorf("linked again, on the same instance at once: account %q", cu.AccountID)
	}
	other.clock.Advance(middleware.LinkRecheck)
	if got := accounts(); got != [3]string{"alice", "alice", "alice"} {
		t.Errorf("linked again, on the other instance after %v: %q", middleware.LinkRecheck, got)
	}
}

// TestLinkedAccount_ReadOlderThanAnUnlinkIsDropped: a read of the store
// that began before an unlink on the same instance, and answers after it,
// does not bring the link back for later requests.
func TestLinkedAccount_ReadOlderThanAnUnlinkIsDropped(t *testing.T) {
	links := &countingLinks{gate: make(chan struct{})}
	la := newLinkApp(t, countLinks(links))
	b := la.browser()
	la.signIn(b, "alice")
	b.get(b.authorize(b.startConnect("/account")).String())
	token := la.credential(t, "access token")
	if _, cu := la.meWith(t, http.DefaultClient, token); cu.AccountID != "alice" {
		t.Fatalf("connected: %+v", cu)
	}
	la.clock.Advance(middleware.LinkRecheck)
	links.hold.Store(true)
	slow := make(chan contextUser)
	go func() {
		_, cu := la.meWith(t, http.DefaultClient, token)
		slow <- cu
	}()
	deadline := time.Now().Add(time.Minute)
	for links.inside.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling for the read to be made
	}
	links.hold.Store(false)
	if resp := b.post("/account/unlink", true, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlink: %d", resp.StatusCode)
	}
	close(links.gate)
	<-slow // began before the unlink: either answer is right
	for _, kind := range []string{"session", "access token"} {
		h := http.Header{}
		if kind != "session" {
			h = token
		}
		if _, cu := la.meWith(t, b.client, h); cu.AccountID != "" || cu.Source != kind {
			t.Errorf("%s after the unlink: %+v, want no account", kind, cu)
		}
	}
}

// TestLinkedAccount_StoreDownWhenAReadIsDue: a linked user whose account
// is due for a read while the store is down gets 503 for every
// credential, never "unlinked"; the store back, the account again.
func TestLinkedAccount_StoreDownWhenAReadIsDue(t *testing.T) {
	links := &flakyLinks{}
	la := newLinkApp(t, withFlakyLinks(links))
	if err := la.store.Link(context.Background(), la.user.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	b := la.browser()
	b.mustLogin()
	headers := map[string]http.Header{}
	for _, kind := range credentialKinds {
		headers[kind] = la.credential(t, kind)
		if _, cu := la.meWith(t, b.client, headers[kind]); cu.AccountID != "alice" || cu.Source != kind {
			t.Fatalf("%s: %+v", kind, cu)
		}
	}
	la.clock.Advance(middleware.LinkRecheck)
	links.down.Store(true)
	for _, kind := range credentialKinds {
		if status, cu := la.meWith(t, b.client, headers[kind]); status != http.StatusServiceUnavailable {
			t.Errorf("%s, store down: %d %+v, want 503", kind, status, cu)
		}
	}
	links.down.Store(false)
	for _, kind := range credentialKinds {
		if status, cu := la.meWith(t, b.client, headers[kind]); status != http.StatusOK || cu.AccountID != "alice" {
			t.Errorf("%s, store back: %d %+v", kind, status, cu)
		}
	}
}

// TestLinkedAccount_OneReadPerUserAtOnce: many requests of several users
// at once, none of whose accounts is in memory: the store is read once
// per user, and every request gets its user's account.
func TestLinkedAccount_OneReadPerUserAtOnce(t *testing.T) {
	links := &countingLinks{gate: make(chan struct{})}
	la := newLinkApp(t, countLinks(links))
	users := la.platform.Users()[:3]
	var arrived atomic.Int32
	// /api/storm reads the linked account as /api/me does, counting the
	// requests that got that far.
	inner := *la.handler.Load()
	mux := http.NewServeMux()
	mux.Handle("/", inner)
	mux.Handle("/api/storm", la.auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		acct, err := middleware.LinkedAccountFromContext(r.Context())
		if err != nil {
			la.auth.ServeError(w, r, err)
			return
		}
		w.Write([]byte(acct))
	})))
	var h http.Handler = la.auth.Handler(mux)
	la.handler.Store(&h)

	tokens := make([]http.Header, len(users))
	for i, u := range users {
		if err := la.store.Link(context.Background(), u.ID, "acct-"+u.ID); err != nil {
			t.Fatal(err)
		}
		tokens[i] = la.warmBearer(t, u.ID)
	}
	la.clock.Advance(middleware.LinkRecheck) // every account due for a read
	links.hold.Store(true)
	links.reads.Store(0)

	const perUser = 30
	n := perUser * len(users)
	got := make([]string, n)
	testkit.AtOnce(n, func(i int) {
		req, _ := http.NewRequest(http.MethodGet, la.url("/api/storm"), nil)
		req.Header = tokens[i%len(users)].Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		got[i] = readBody(t, resp)
	}, func() {
		// Hold the reads until every request has asked for its account,
		// and a moment more for reads that would come late (there should
		// be none).
		deadline := time.Now().Add(time.Minute)
		for int(arrived.Load()) < n && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond) // polling the requests' progress
		}
		for grace := time.Now().Add(200 * time.Millisecond); int(links.inside.Load()) < n && time.Now().Before(grace); {
			time.Sleep(time.Millisecond) // polling for reads beyond the first
		}
		close(links.gate)
	})
	if a := arrived.Load(); int(a) != n {
		t.Fatalf("%d of %d requests reached the handler", a, n)
	}
	if r := links.reads.Load(); int(r) != len(users) {
		t.Errorf("%d reads of the store for %d users, want one each", r, len(users))
	}
	for i, acct := range got {
		if want := "acct-" + users[i%len(users)].ID; acct != want {
			t.Errorf("request %d: account %q, want %q", i, acct, want)
		}
	}
}
