package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
)

// flakyLinks is a link.Store that can be switched off, as a database
// going down would.
type flakyLinks struct {
	link.Store
	down atomic.Bool
}

func (s *flakyLinks) err() error {
	return fmt.Errorf("%w: connection refused", link.ErrUnavailable)
}

func (s *flakyLinks) Link(ctx context.Context, u, a string) error {
	if s.down.Load() {
		return s.err()
	}
	return s.Store.Link(ctx, u, a)
}

func (s *flakyLinks) AccountOf(ctx context.Context, u string) (string, error) {
	if s.down.Load() {
		return "", s.err()
	}
	return s.Store.AccountOf(ctx, u)
}

func (s *flakyLinks) LINEUserOf(ctx context.Context, a string) (string, error) {
	if s.down.Load() {
		return "", s.err()
	}
	return s.Store.LINEUserOf(ctx, a)
}

func (s *flakyLinks) Unlink(ctx context.Context, a string) (string, error) {
	if s.down.Load() {
		return "", s.err()
	}
	return s.Store.Unlink(ctx, a)
}

func withFlakyLinks(f *flakyLinks) func(*middleware.Linking) {
	return func(l *middleware.Linking) {
		f.Store = l.Store
		l.Store = f
	}
}

// TestLinkedAccount_StoreDownIsNoUnlinkedUser: with the store of links
// down, a handler learns that it cannot know the account (503 here), for
// every credential; it never reads as "unlinked".
func TestLinkedAccount_StoreDownIsNoUnlinkedUser(t *testing.T) {
	links := &flakyLinks{}
	la := newLinkApp(t, withFlakyLinks(links))
	b := la.browser()
	b.mustLogin()
	if err := la.store.Link(context.Background(), la.user.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	access := la.bearer(la.user.ID)
	// The link made straight in the store is due for a read.
	la.clock.Advance(middleware.LinkRecheck)
	links.down.Store(true)
	for kind, h := range map[string]http.Header{"session": {"Accept": {"application/json"}}, "access token": access} {
		resp := b.do(http.MethodGet, la.url("/api/me"), h, nil)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s, store down: %d %.200s, want 503", kind, resp.StatusCode, body)
		}
	}
	links.down.Store(false)
	if _, cu := b.me(); cu.AccountID != "alice" {
		t.Errorf("store back: account %q", cu.AccountID)
	}
}

// TestUnlink_StoreDown: an unlink the store could not make answers 503 and
// a page saying so, not the redirect of a done unlink.
func TestUnlink_StoreDown(t *testing.T) {
	links := &flakyLinks{}
	la := newLinkApp(t, withFlakyLinks(links))
	la.store.Link(context.Background(), la.user.ID, "alice")
	b := la.browser()
	la.signIn(b, "alice")
	links.down.Store(true)
	resp := b.post("/account/unlink", true, nil)
	if body := readBody(t, resp); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Location") != "" {
		t.Errorf("unlink with the store down: %d to %q: %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if la.accountOf(la.user.ID) != "alice" {
		t.Error("the link is gone")
	}
}

// TestConnect_StoreDownAtCallback: a connect whose link the store could
// not make answers 503; nothing is linked and no session is issued.
func TestConnect_StoreDownAtCallback(t *testing.T) {
	links := &flakyLinks{}
	la := newLinkApp(t, withFlakyLinks(links))
	b := la.browser()
	la.signIn(b, "alice")
	authorize := b.startConnect("/account")
	links.down.Store(true)
	resp := b.get(b.authorize(authorize).String())
	if resp.StatusCode != http.StatusServiceUnavailable || setCookie(resp, sessionCookie) != nil {
		t.Errorf("callback with the store down: %d, session %v", resp.StatusCode, setCookie(resp, sessionCookie))
	}
	links.down.Store(false)
	if got := la.accountOf(la.user.ID); got != "" {
		t.Errorf("linked to %q", got)
	}
}

// TestConnectAndUnlink_SignedInAccountFails: when the app cannot tell who
// is signed in (its session store is down), connect and unlink answer
// 503, not "you are not signed in".
func TestConnectAndUnlink_SignedInAccountFails(t *testing.T) {
	la := newLinkApp(t, func(l *middleware.Linking) {
		l.SignedInAccount = func(*http.Request) (string, error) { return "", errors.New("app sessions: timeout") }
	})
	la.store.Link(context.Background(), la.user.ID, "alice")
	for _, path := range []string{"/account/link", "/account/unlink"} {
		resp := la.browser().post(path, true, nil)
		if body := readBody(t, resp); resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(body, "not signed in") {
			t.Errorf("%s: %d %.300s, want 503", path, resp.StatusCode, body)
		}
	}
	if la.accountOf(la.user.ID) != "alice" {
		t.Error("the link changed")
	}
}

// undeletableSessions is a session store whose Delete fails.
type undeletableSessions struct {
	*flakyStore
	fail atomic.Bool
}

func (s *undeletableSessions) Delete(ctx context.Context, ref []byte) error {
	if s.fail.Load() {
		return errStoreDown
	}
	return s.flakyStore.Delete(ctx, ref)
}

// TestUnlink_SessionEndFails: an unlink that deauthorized the app at LINE
// but could not end the user's session answers 503, not the redirect of a
// done unlink: that session still works.
func TestUnlink_SessionEndFails(t *testing.T) {
	sessions := &undeletableSessions{flakyStore: &flakyStore{}}
	la := newLinkAppWith(t, []appOption{withStore(sessions)}, func(l *middleware.Linking) {
		l.DeauthorizeToken = func(context.Context) (string, error) { return linetest.DefaultChannelAccessToken, nil }
	})
	b := la.browser()
	la.signIn(b, "alice")
	b.get(b.authorize(b.startConnect("/account")).String())
	if la.accountOf(la.user.ID) != "alice" {
		t.Fatal("not connected")
	}
	sessions.fail.Store(true)
	resp := b.post("/account/unlink", true, nil)
	if body := readBody(t, resp); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Location") != "" {
		t.Errorf("unlink, session not ended: %d to %q: %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
}
