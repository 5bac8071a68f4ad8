package linetest_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

func TestRequests_RecordWhatTheClientSent(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	l := newLogin("openid")
	c := code(t, s, l)
	postForm(t, s, linetest.PathToken, exchangeForm(c, l))
	get(t, s, "/nowhere", "")

	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests recorded, want 3", len(reqs))
	}
	if r := reqs[0]; r.Method != http.MethodGet || r.Path != linetest.PathAuthorize || r.Query.Get("state") != l.params.Get("state") || r.Form != nil {
		t.Errorf("authorize recorded as %+v", r)
	}
	r := reqs[1]
	if r.Method != http.MethodPost || r.Path != linetest.PathToken || r.Form.Get("code") != c ||
		r.Form.Get("client_secret") != linetest.DefaultChannelSecret || r.Form.Get("code_verifier") != l.verifier ||
		r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("token recorded as %+v", r)
	}
	access, _ := url.Parse(s.AccessURL())
	api, _ := url.Parse(s.APIURL())
	if reqs[0].Host != access.Host || reqs[1].Host != api.Host {
		t.Errorf("hosts recorded: authorize %q, token %q; want %q and %q", reqs[0].Host, reqs[1].Host, access.Host, api.Host)
	}
	if reqs[2].Path != "/nowhere" {
		t.Errorf("unknown path recorded as %+v", reqs[2])
	}

	// Requests returns copies.
	reqs[1].Form.Set("code", "changed")
	if s.Requests()[1].Form.Get("code") != c {
		t.Error("Requests shares its maps with the platform")
	}

	if s.Count(linetest.PathToken) != 1 || s.Count(linetest.PathAuthorize) != 1 || s.Count(linetest.PathProfile) != 0 {
		t.Errorf("counts: token %d authorize %d profile %d", s.Count(linetest.PathToken), s.Count(linetest.PathAuthorize), s.Count(linetest.PathProfile))
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 || s.Count(linetest.PathToken) != 0 {
		t.Error("ResetRequests kept requests")
	}
}

// TestRequests_TheRecordIsBounded: a platform left running (a demo under a
// flood) keeps the latest RecordLimit requests and no more, so its memory
// stays flat however many come; Count stays exact for its endpoints.
func TestRequests_TheRecordIsBounded(t *testing.T) {
	const limit = 50
	s := newServer(t, linetest.Config{RecordLimit: limit})
	padding := strings.Repeat("x", 16<<10) // a request of about 16 KB
	send := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			req, _ := http.NewRequest(http.MethodGet, urlFor(s, linetest.PathDiscovery), nil)
			req.Header.Set("X-Seq", strconv.Itoa(i))
			req.Header.Set("X-Padding", padding)
			res, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}

	send(0, 2*limit) // the ring is full
	before := heap()
	const total = 12 * limit
	send(2*limit, total) // 500 more: about 8 MB recorded without a bound
	after := heap()

	reqs := s.Requests()
	if len(reqs) != limit {
		t.Fatalf("%d requests recorded after %d, want the latest %d", len(reqs), total, limit)
	}
	for i, r := range reqs {
		if want := strconv.Itoa(total - limit + i); r.Header.Get("X-Seq") != want {
			t.Fatalf("request %d of the record is #%s, want #%s (the latest, oldest first)", i, r.Header.Get("X-Seq"), want)
		}
	}
	if n := s.Count(linetest.PathDiscovery); n != total {
		t.Errorf("Count = %d, want %d: the count of an endpoint covers every request", n, total)
	}
	if after > before && after-before > 2<<20 {
		t.Errorf("heap grew by %d KB over %d more requests of 16 KB: the record is not bounded", (after-before)>>10, total-2*limit)
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 || s.Count(linetest.PathDiscovery) != 0 {
		t.Error("ResetRequests kept requests or counts")
	}
	send(0, 1)
	if len(s.Requests()) != 1 {
		t.Errorf("after a reset and one request, %d recorded", len(s.Requests()))
	}
}

// TestRequests_DefaultLimit: without RecordLimit the platform keeps 1000
// requests; a negative limit is refused.
func TestRequests_DefaultLimit(t *testing.T) {
	const defaultRecordLimit = 1000 // as Config.RecordLimit's doc says
	s := newServer(t, linetest.Config{})
	for i := 0; i < defaultRecordLimit+20; i++ {
		get(t, s, linetest.PathCerts, "")
	}
	if n := len(s.Requests()); n != defaultRecordLimit {
		t.Errorf("%d requests recorded, want the default %d", n, defaultRecordLimit)
	}
	if n := s.Count(linetest.PathCerts); n != defaultRecordLimit+20 {
		t.Errorf("Count = %d, want %d", n, defaultRecordLimit+20)
	}
	if _, err := linetest.New(linetest.Config{RecordLimit: -1}); !errors.Is(err, linetest.ErrInvalidConfig) {
		t.Errorf("RecordLimit -1: %v, want ErrInvalidConfig", err)
	}
}
