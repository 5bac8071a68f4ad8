package linetest_test

import (
	"net/http"
	"net/url"
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
