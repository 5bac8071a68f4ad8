package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
)

// TestUnlink_BeforeUnlinkRefuses: the hook sees the account and its LINE
// user; its error keeps the link (409, a page saying why, no unlink
// event), its link.ErrUnavailable answers 503, and once it allows, the
// unlink happens.
func TestUnlink_BeforeUnlinkRefuses(t *testing.T) {
	var verdict error
	type call struct{ account, lineUser string }
	var calls []call
	la := newLinkApp(t, func(l *middleware.Linking) {
		l.BeforeUnlink = func(_ context.Context, accountID, lineUserID string) error {
			calls = append(calls, call{accountID, lineUserID})
			return verdict
		}
	})
	b := la.browser()
	la.signIn(b, "alice")
	b.get(b.authorize(b.startConnect("/account")).String())
	if la.accountOf(la.user.ID) != "alice" {
		t.Fatal("connect did not link")
	}

	verdict = errors.New("LINE is this account's only way in")
	resp := b.post("/account/unlink", true, nil)
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("refused unlink: %d, want 409", resp.StatusCode)
	}
	if !strings.Contains(body, "LINE stays connected") || !strings.Contains(body, "another way to sign in") {
		t.Errorf("the refusal page does not say why: %s", body)
	}
	if strings.Contains(body, "only way in") {
		t.Error("the hook's own error text reached the page")
	}
	if got := la.accountOf(la.user.ID); got != "alice" {
		t.Errorf("a refused unlink removed the link (now %q)", got)
	}
	if len(calls) != 1 || calls[0] != (call{"alice", la.user.ID}) {
		t.Errorf("BeforeUnlink calls: %+v, want alice and %s", calls, la.user.ID)
	}
	for _, e := range la.linkEvents() {
		if e.Kind == middleware.EventUnlink {
			t.Error("a refused unlink emitted an unlink event")
		}
	}

	verdict = fmt.Errorf("%w: accounts database down", link.ErrUnavailable)
	if resp := b.post("/account/unlink", true, nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("hook outage: %d, want 503", resp.StatusCode)
	}

	verdict = nil
	if resp := b.post("/account/unlink", true, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("allowed unlink: %d, want 303", resp.StatusCode)
	}
	if got := la.accountOf(la.user.ID); got != "" {
		t.Errorf("still linked to %q", got)
	}
	// Unlinked already: nothing to ask about, the wish is granted.
	n := len(calls)
	if resp := b.post("/account/unlink", true, nil); resp.StatusCode != http.StatusSeeOther || len(calls) != n {
		t.Errorf("unlink of an unlinked account: %d, hook called %d more times", resp.StatusCode, len(calls)-n)
	}
}
