package linetest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
)

func TestServer_EndpointsAnswerOnlyOnTheirHost(t *testing.T) {
	s := newServer(t, linetest.Config{})
	for _, tc := range []struct {
		method, path string
		access       bool // served by the access host, else by the API host
	}{
		{http.MethodGet, linetest.PathAuthorize, true},
		{http.MethodGet, linetest.PathAuthorizeV20, true},
		{http.MethodPost, linetest.PathConsent, true},
		{http.MethodGet, linetest.PathDiscovery, true},
		{http.MethodPost, linetest.PathToken, false},
		{http.MethodPost, linetest.PathTokenV20, false},
		{http.MethodPost, linetest.PathVerifyV20, false},
		{http.MethodPost, linetest.PathRevokeV20, false},
		{http.MethodGet, linetest.PathVerify, false},
		{http.MethodPost, linetest.PathVerify, false},
		{http.MethodPost, linetest.PathRevoke, false},
		{http.MethodGet, linetest.PathCerts, false},
		{http.MethodGet, linetest.PathUserInfo, false},
		{http.MethodGet, linetest.PathProfile, false},
		{http.MethodGet, linetest.PathFriendship, false},
		{http.MethodPost, linetest.PathDeauthorize, false},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			right, wrong := s.APIURL(), s.AccessURL()
			if tc.access {
				right, wrong = wrong, right
			}
			if status := send(t, s, tc.method, wrong+tc.path); status != http.StatusNotFound {
				t.Errorf("on the other host: %d, want 404", status)
			}
			if status := send(t, s, tc.method, right+tc.path); status == http.StatusNotFound {
				t.Errorf("on its own host: 404")
			}
		})
	}
	if s.AccessURL() == s.APIURL() {
		t.Fatalf("one origin for both hosts: %s", s.AccessURL())
	}
}

// send sends an empty request and returns the status.
func send(t *testing.T, s *linetest.Server, method, u string) int {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := noRedirects(s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, res)
	return res.StatusCode
}

func TestIDToken_IssuerIsTheAccessOriginNotTheAPIOrigin(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	_, claims := hs256Claims(t, tokens(t, s, newLogin("openid"))["id_token"].(string))
	if claims["iss"] != s.AccessURL() || claims["iss"] == s.APIURL() {
		t.Fatalf("iss = %v, want the access origin %s", claims["iss"], s.AccessURL())
	}
	liff, err := s.IssueLIFFIDToken(brown().ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if iss := testkit.JWTPart(t, liff, 1)["iss"]; iss != s.AccessURL() {
		t.Fatalf("LIFF iss = %v, want %s", iss, s.AccessURL())
	}
}

func TestPlatform_InMemoryRoutesByHost(t *testing.T) {
	p, err := linetest.New(linetest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p.SetURLs("https://access.line.test", "https://api.line.test")
	c := &http.Client{Transport: p.Transport()}
	for _, tc := range []struct {
		url  string
		want int
	}{
		{"https://api.line.test" + linetest.PathCerts, http.StatusOK},
		{"https://access.line.test" + linetest.PathCerts, http.StatusNotFound},
		{"https://access.line.test" + linetest.PathDiscovery, http.StatusOK},
		{"https://api.line.test" + linetest.PathDiscovery, http.StatusNotFound},
	} {
		res, err := c.Get(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("GET %s: %d, want %d", tc.url, res.StatusCode, tc.want)
		}
	}
}

func TestAPIHost_AnswersCarryARequestID(t *testing.T) {
	s := newServer(t, linetest.Config{})
	res, _ := get(t, s, linetest.PathVerify+"?access_token=nope", "")
	if id := res.Header.Get("X-Line-Request-Id"); len(id) != 36 || strings.Count(id, "-") != 4 {
		t.Errorf("x-line-request-id = %q, want a UUID", id)
	}
	res, _ = get(t, s, linetest.PathDiscovery, "")
	if id := res.Header.Get("X-Line-Request-Id"); id != "" {
		t.Errorf("the access host sent x-line-request-id %q", id)
	}
}
