package linetest_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

func TestNew_RejectsConfigsThatCouldNotWork(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  linetest.Config
	}{
		{"short secret", linetest.Config{ChannelSecret: "0123456789abcdef"}},
		{"callback with fragment", linetest.Config{CallbackURLs: []string{"http://app.test/cb#x"}}},
		{"relative callback", linetest.Config{CallbackURLs: []string{"/callback"}}},
		{"user ID not LINE-shaped", linetest.Config{Users: []linetest.User{{ID: "brown", DisplayName: "Brown"}}}},
		{"user without name", linetest.Config{Users: []linetest.User{{ID: "U" + strings.Repeat("a", 32)}}}},
		{"duplicate users", linetest.Config{Users: []linetest.User{brown(), brown()}}},
		{"unknown auto-approve user", linetest.Config{AutoApprove: "U" + strings.Repeat("0", 32)}},
		{"negative TTL", linetest.Config{CodeTTL: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := linetest.New(tc.cfg); !errors.Is(err, linetest.ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
		})
	}
}

func TestDefaultUsers_HaveLINEShapedIDs(t *testing.T) {
	users := linetest.DefaultUsers()
	if len(users) != 6 {
		t.Fatalf("%d default users", len(users))
	}
	for _, u := range users {
		if len(u.ID) != 33 || u.ID[0] != 'U' || strings.Trim(u.ID[1:], "0123456789abcdef") != "" {
			t.Errorf("ID %q is not U + 32 lowercase hex", u.ID)
		}
	}
	p, err := linetest.New(linetest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if p.ChannelID() != linetest.DefaultChannelID || p.ChannelSecret() != linetest.DefaultChannelSecret || len(p.Users()) != 6 {
		t.Fatalf("defaults: %s %s %d users", p.ChannelID(), p.ChannelSecret(), len(p.Users()))
	}
}

// TestPlatform_InMemoryAnswersAtItsOwnOrigins: a Platform from New needs
// no set-up to serve through its Transport, at the origins it reports.
func TestPlatform_InMemoryAnswersAtItsOwnOrigins(t *testing.T) {
	p, err := linetest.New(linetest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if p.AccessURL() != "https://access.line.test" || p.APIURL() != "https://api.line.test" {
		t.Fatalf("origins %s, %s", p.AccessURL(), p.APIURL())
	}
	res, err := (&http.Client{Transport: p.Transport()}).Get(p.AccessURL() + linetest.PathDiscovery)
	if err != nil {
		t.Fatal(err)
	}
	if body := decodeJSON(t, res); res.StatusCode != http.StatusOK || body["issuer"] != p.AccessURL() || body["token_endpoint"] != p.APIURL()+linetest.PathToken {
		t.Fatalf("got %d %v", res.StatusCode, body)
	}
}

func TestRouting_UnknownPathAndWrongMethod(t *testing.T) {
	s := newServer(t, linetest.Config{})
	res, body := get(t, s, "/oauth2/v2.0/token", "")
	if res.StatusCode != http.StatusNotFound || body["message"] == nil {
		t.Fatalf("unknown path: %d %v", res.StatusCode, body)
	}
	res, body = get(t, s, linetest.PathToken, "")
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST" || body["message"] == nil {
		t.Fatalf("GET token: %d %q %v", res.StatusCode, res.Header.Get("Allow"), body)
	}
	res, body = postForm(t, s, linetest.PathProfile, url.Values{})
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST profile: %d %v", res.StatusCode, body)
	}
	if res, _ := get(t, s, linetest.PathAvatarPrefix+"Unope.svg", ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("avatar of nobody: %d", res.StatusCode)
	}
}

func TestDiscovery_DescribesThePlatform(t *testing.T) {
	s := newServer(t, linetest.Config{})
	res, d := get(t, s, linetest.PathDiscovery, "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("discovery: %d", res.StatusCode)
	}
	want := map[string]string{
		"issuer":                 s.AccessURL(),
		"authorization_endpoint": s.AccessURL() + linetest.PathAuthorize,
		"token_endpoint":         s.APIURL() + linetest.PathToken,
		"revocation_endpoint":    s.APIURL() + linetest.PathRevoke,
		"jwks_uri":               s.APIURL() + linetest.PathCerts,
	}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("%s = %v, want %s", k, d[k], v)
		}
	}
	if algs, _ := d["id_token_signing_alg_values_supported"].([]any); len(algs) != 1 || algs[0] != "ES256" {
		t.Errorf("algs = %v, want [ES256] as LINE advertises", d["id_token_signing_alg_values_supported"])
	}
	if m, _ := d["code_challenge_methods_supported"].([]any); len(m) != 1 || m[0] != "S256" {
		t.Errorf("code_challenge_methods_supported = %v", m)
	}
}

func TestNewServerOnLocalhost_NamesTheHostLocalhost(t *testing.T) {
	s := linetest.NewServerOnLocalhost(t, linetest.Config{})
	for _, origin := range []string{s.AccessURL(), s.APIURL()} {
		u, err := url.Parse(origin)
		if err != nil {
			t.Fatal(err)
		}
		if u.Hostname() != "localhost" || u.Port() == "" {
			t.Fatalf("URL = %s", origin)
		}
	}
	if s.Issuer() != s.AccessURL() || s.AccessURL() == s.APIURL() {
		t.Fatalf("issuer %s, access %s, API %s", s.Issuer(), s.AccessURL(), s.APIURL())
	}
	res, d := get(t, s, linetest.PathDiscovery, "")
	if res.StatusCode != http.StatusOK || d["issuer"] != s.AccessURL() {
		t.Fatalf("discovery via localhost: %d %v", res.StatusCode, d)
	}
}

func TestPlatform_ConcurrentRequests(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	c := *s.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	tr := &http.Transport{MaxIdleConnsPerHost: 100, MaxConnsPerHost: 100}
	defer tr.CloseIdleConnections()
	c.Transport = tr
	at, _ := s.IssueAccessToken(cony().ID, nil)

	const n = 1000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var res *http.Response
			var err error
			switch i % 4 {
			case 0:
				l := newLogin("profile openid")
				res, err = c.Get(s.AccessURL() + linetest.PathAuthorize + "?" + l.params.Encode())
				if err == nil && res.StatusCode == http.StatusFound {
					res.Body.Close()
					loc, _ := url.Parse(res.Header.Get("Location"))
					res, err = c.PostForm(s.APIURL()+linetest.PathToken, exchangeForm(loc.Query().Get("code"), l))
				}
			case 1:
				res, err = c.Do(bearerRequestNoT(s.APIURL()+linetest.PathProfile, at))
			case 2:
				res, err = c.Get(s.APIURL() + linetest.PathVerify + "?access_token=" + url.QueryEscape(at))
			case 3:
				res, err = c.Get(s.APIURL() + linetest.PathCerts)
			}
			if err != nil {
				errs <- err
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				errs <- errors.New(res.Request.URL.Path + ": " + res.Status)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := s.Count(linetest.PathToken); got != n/4 {
		t.Errorf("Count(token) = %d, want %d", got, n/4)
	}
}

// bearerRequestNoT is bearerRequest for goroutines without a *testing.T.
func bearerRequestNoT(u, token string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}
