package middleware_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/link/redislink"
	"github.com/linelogin/linelogin/middleware"
)

// gatedChecks holds every CheckFacts call at a gate, so that a storm of
// proofs is checked only once every request has either reached the check
// or been answered without it: nothing the lockout counts can finish
// before the last request arrives.
type gatedChecks struct {
	inside atomic.Int32
	gate   chan struct{}
}

func gateChecks(g *gatedChecks) func(*middleware.Linking) {
	g.gate = make(chan struct{})
	return func(l *middleware.Linking) {
		check := l.CheckFacts
		l.CheckFacts = func(ctx context.Context, f link.Facts) (string, error) {
			g.inside.Add(1)
			<-g.gate
			return check(ctx, f)
		}
	}
}

// answer is one response of a storm.
type answer struct {
	status     int
	body       string
	retryAfter string
}

// statusCounts counts the answers of a storm by status.
func statusCounts(answers []answer) map[int]int {
	counts := map[int]int{}
	for _, a := range answers {
		counts[a.status]++
	}
	return counts
}

// linkedCount is how many of users are linked to an account.
func (la *linkApp) linkedCount(users []linetest.User) int {
	n := 0
	for _, u := range users {
		if la.accountOf(u.ID) != "" {
			n++
		}
	}
	return n
}

// storm sends calls to /api/link all at once and returns their answers,
// in order. With g, the checks wait until every call is either inside the
// check or answered.
func (la *linkApp) storm(t *testing.T, g *gatedChecks, calls []linkCall) []answer {
	t.Helper()
	answers := make([]answer, len(calls))
	var answered atomic.Int32
	testkit.AtOnce(len(calls), func(i int) {
		defer answered.Add(1)
		resp, body, err := la.sendLink(calls[i])
		if err != nil {
			t.Error(err)
			return
		}
		answers[i] = answer{resp.StatusCode, body, resp.Header.Get("Retry-After")}
	}, func() {
		if g == nil {
			return
		}
		deadline := time.Now().Add(time.Minute)
		for int(answered.Load()+g.inside.Load()) < len(calls) {
			if time.Now().After(deadline) {
				t.Errorf("storm: %d answered, %d inside the check, of %d", answered.Load(), g.inside.Load(), len(calls))
				break
			}
			time.Sleep(time.Millisecond) // polling the requests' progress
		}
		close(g.gate)
	})
	return answers
}

// warmBearer returns the header of an access token of userID that the
// middleware has verified and cached already, so that a storm costs no
// calls to LINE (whose per-address limits are not under test here).
func (la *linkApp) warmBearer(t *testing.T, userID string) http.Header {
	t.Helper()
	h := la.bearer(userID)
	req, _ := http.NewRequest(http.MethodGet, la.url("/api/me"), nil)
	req.Header = h.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("warming the token: %d", resp.StatusCode)
	}
	return h
}

// checkStorm asserts that of a storm's answers at most MaxRefusedProofs
// were checked (403) and the rest were 429 with Retry-After.
func checkStorm(t *testing.T, answers []answer, checked int32) {
	t.Helper()
	counts := map[int]int{}
	for _, a := range answers {
		counts[a.status]++
		switch a.status {
		case http.StatusForbidden:
		case http.StatusTooManyRequests:
			if a.body != answerTooMany || a.retryAfter == "" {
				t.Errorf("429 %s with Retry-After %q", a.body, a.retryAfter)
			}
		default:
			t.Errorf("answer %d %s, want 403 or 429", a.status, a.body)
		}
	}
	if checked > middleware.MaxRefusedProofs || counts[http.StatusForbidden] != int(checked) {
		t.Errorf("%d proofs checked (%v), want at most %d", checked, counts, middleware.MaxRefusedProofs)
	}
	if counts[http.StatusForbidden]+counts[http.StatusTooManyRequests] != len(answers) {
		t.Errorf("answers %v", counts)
	}
}

// redisLinkClient is a redislink client of the test's Redis, closed when
// the test ends.
func redisLinkClient(t *testing.T) *redislink.Client {
	t.Helper()
	client, err := redislink.NewURL(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return client
}

// lockoutStores are the Attempts the lockout runs on: the default (one
// process's memory) and Redis.
func lockoutStores(t *testing.T) map[string]func(*middleware.Linking) {
	return map[string]func(*middleware.Linking){
		"memory": func(*middleware.Linking) {},
		"redis": func(l *middleware.Linking) {
			l.Attempts = redislink.NewAttempts(redisLinkClient(t), redistest.Prefix(), middleware.MaxRefusedProofs, middleware.RefusedProofWindow)
		},
	}
}

// TestLinkAPI_ParallelGuessesOfOneLINEUser: of n simultaneous wrong proofs
// from one LINE user, at most five are checked, the others get 429; a
// right proof after them gets 429 too.
func TestLinkAPI_ParallelGuessesOfOneLINEUser(t *testing.T) {
	for name, store := range lockoutStores(t) {
		for _, n := range []int{100, 500} {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				if n > 100 {
					testkit.LongOnly(t, "500 guesses at once")
				}
				var g gatedChecks
				la := newLinkApp(t, store, gateChecks(&g))
				h := la.warmBearer(t, la.user.ID)
				calls := make([]linkCall, n)
				for i := range calls {
					calls[i] = linkCall{h, fmt.Sprintf(`{"memberNumber":"M-%d","birthDate":"2000-01-01"}`, 5000+i)}
				}
				checkStorm(t, la.storm(t, &g, calls), la.checks.Load())
				checked := la.checks.Load()
				resp, got := la.postLink(linkCall{h, `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`})
				if resp.StatusCode != http.StatusTooManyRequests || got != answerTooMany || resp.Header.Get("Retry-After") == "" {
					t.Errorf("right proof after the storm: %d %s", resp.StatusCode, got)
				}
				if la.checks.Load() != checked || la.accountOf(la.user.ID) != "" {
					t.Error("the right proof was checked")
				}
			})
		}
	}
}

// TestLinkAPI_ParallelGuessesOfOneMemberNumber: simultaneous wrong proofs
// for one membership number, spelled in many ways, from several LINE
// users: at most five are checked in all.
func TestLinkAPI_ParallelGuessesOfOneMemberNumber(t *testing.T) {
	for name, store := range lockoutStores(t) {
		t.Run(name, func(t *testing.T) {
			var g gatedChecks
			la := newLinkApp(t, store, gateChecks(&g))
			var headers []http.Header
			for _, u := range linetest.DefaultUsers() {
				headers = append(headers, la.warmBearer(t, u.ID))
			}
			// NFKC, trimmed, case-folded: all one number.
			spellings := []string{"M-2010", "m-2010 ", "Ｍ-2010", " ｍ－２０１０", "M2010", "m_2010"}
			calls := make([]linkCall, 100)
			for i := range calls {
				calls[i] = linkCall{headers[i%len(headers)],
					fmt.Sprintf(`{"memberNumber":%q,"birthDate":"1990-01-%02d"}`, spellings[i%len(spellings)], 1+i%28)}
			}
			checkStorm(t, la.storm(t, &g, calls), la.checks.Load())
		})
	}
}

// TestLinkAPI_MemberNumberKeyedAfterNFKC: five refusals for "Ｍ-2010"
// lock "m-2010 " too, one request at a time.
func TestLinkAPI_MemberNumberKeyedAfterNFKC(t *testing.T) {
	la := newLinkApp(t)
	users := linetest.DefaultUsers()
	for i := range middleware.MaxRefusedProofs {
		h := la.bearer(users[i%len(users)].ID)
		if resp, got := la.postLink(linkCall{h, fmt.Sprintf(`{"memberNumber":"Ｍ-2010","birthDate":"1990-01-%02d"}`, 10+i)}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("guess %d: %d %s", i, resp.StatusCode, got)
		}
	}
	checked := la.checks.Load()
	sally := users[len(users)-1].ID
	resp, got := la.postLink(linkCall{la.bearer(sally), `{"memberNumber":"m-2010 ","birthDate":"1990-04-01"}`})
	if resp.StatusCode != http.StatusTooManyRequests || got != answerTooMany {
		t.Errorf(`"m-2010 " after five refusals of "Ｍ-2010": %d %s`, resp.StatusCode, got)
	}
	if la.checks.Load() != checked {
		t.Error("checked during the lockout")
	}
}

// TestLinkAPI_SuccessesDoNotCount: a right proof gives its reservation
// back, so an honest user who links and unlinks again and again is never
// locked out, while refusals still add up.
func TestLinkAPI_SuccessesDoNotCount(t *testing.T) {
	la := newLinkApp(t)
	h := la.bearer(la.user.ID)
	for i := range 2 * middleware.MaxRefusedProofs {
		resp, got := la.postLink(linkCall{h, `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("right proof %d: %d %s", i, resp.StatusCode, got)
		}
		la.store.Unlink(context.Background(), "alice")
	}
	for i := range middleware.MaxRefusedProofs {
		if resp, got := la.postLink(linkCall{h, `{"memberNumber":"M-1001","birthDate":"2000-01-01"}`}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("wrong proof %d: %d %s", i, resp.StatusCode, got)
		}
	}
	if resp, got := la.postLink(linkCall{h, `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after five refusals: %d %s, want 429", resp.StatusCode, got)
	}
}

// TestLinkAPI_ParallelReplayOfOneInHouseToken: one in-house ID token sent
// 50 times at once links once; the others are refused.
func TestLinkAPI_ParallelReplayOfOneInHouseToken(t *testing.T) {
	for name, replay := range map[string]func(*middleware.Linking){
		"memory": func(*middleware.Linking) {},
		"redis": func(l *middleware.Linking) {
			l.Replay = redislink.NewReplay(redisLinkClient(t), redistest.Prefix())
		},
	} {
		t.Run(name, func(t *testing.T) { parallelReplay(t, newLinkApp(t, replay)) })
	}
}

func parallelReplay(t *testing.T, la *linkApp) {
	users := linetest.DefaultUsers()
	var headers []http.Header
	for _, u := range users {
		headers = append(headers, la.warmBearer(t, u.ID))
	}
	tok := la.inHouse.token(oidc.RS256, "alice", nil)
	calls := make([]linkCall, 50)
	for i := range calls {
		calls[i] = linkCall{headers[i%len(headers)], jsonBody(map[string]any{"idToken": tok})}
	}
	counts := statusCounts(la.storm(t, nil, calls))
	if counts[http.StatusOK] != 1 || counts[http.StatusOK]+counts[http.StatusForbidden]+counts[http.StatusTooManyRequests] != len(calls) {
		t.Errorf("answers %v, want one 200 and the rest 403 or 429", counts)
	}
	if linked := la.linkedCount(users); linked != 1 {
		t.Errorf("%d LINE users linked by one token, want 1", linked)
	}
}

// TestLinkAPI_ParallelLinksOfOneAccount: many LINE users proving one
// account at once: exactly one link.
func TestLinkAPI_ParallelLinksOfOneAccount(t *testing.T) {
	la := newLinkApp(t)
	var calls []linkCall
	for _, u := range linetest.DefaultUsers() {
		h := la.warmBearer(t, u.ID)
		for range 10 {
			calls = append(calls, linkCall{h, jsonBody(map[string]any{"idToken": la.inHouse.token(oidc.ES256, "alice", nil)})})
		}
	}
	counts := statusCounts(la.storm(t, nil, calls))
	// A LINE user has at most five proofs checked at once: the others
	// wait their turn (429).
	if counts[http.StatusOK] < 1 || counts[http.StatusOK]+counts[http.StatusConflict]+counts[http.StatusTooManyRequests] != len(calls) {
		t.Errorf("answers %v, want 200s of one LINE user, and 409s or 429s", counts)
	}
	if u, err := la.store.LINEUserOf(context.Background(), "alice"); err != nil || u == "" {
		t.Errorf("alice: %q %v", u, err)
	}
	if linked := la.linkedCount(linetest.DefaultUsers()); linked != 1 {
		t.Errorf("%d LINE users linked to alice, want 1", linked)
	}
}

// TestLinkAPI_ParallelLinksOfOneLINEUser: one LINE user proving many
// accounts at once: exactly one link.
func TestLinkAPI_ParallelLinksOfOneLINEUser(t *testing.T) {
	la := newLinkApp(t)
	h := la.warmBearer(t, la.user.ID)
	calls := make([]linkCall, 50)
	for i := range calls {
		calls[i] = linkCall{h, jsonBody(map[string]any{"idToken": la.inHouse.token(oidc.ES256, fmt.Sprintf("acct-%d", i), nil)})}
	}
	counts := statusCounts(la.storm(t, nil, calls))
	// At most five are checked at once; the others wait their turn (429).
	if counts[http.StatusOK] != 1 || counts[http.StatusOK]+counts[http.StatusConflict]+counts[http.StatusTooManyRequests] != len(calls) {
		t.Errorf("answers %v, want one 200, and 409s or 429s", counts)
	}
	if la.accountOf(la.user.ID) == "" {
		t.Error("not linked")
	}
}
