package linetest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
)

const callbackURL = "http://app.test/callback"

// brown and cony are default users.
func brown() linetest.User { return linetest.DefaultUsers()[0] }
func cony() linetest.User  { return linetest.DefaultUsers()[1] }

// newServer starts a platform with the app.test callback registered and
// auto-approval as Brown, unless cfg says otherwise.
func newServer(t testing.TB, cfg linetest.Config) *linetest.Server {
	t.Helper()
	if cfg.CallbackURLs == nil {
		cfg.CallbackURLs = []string{callbackURL, callbackURL + "?from=app"}
	}
	return linetest.NewServer(t, cfg)
}

// noRedirects returns a client for s that reports redirects instead of
// following them.
func noRedirects(s *linetest.Server) *http.Client {
	c := *s.Client()
	return testkit.NoRedirects(&c)
}

// login is an authorization request's parameters, and its PKCE verifier.
type login struct {
	params   url.Values
	verifier string
}

// newLogin returns a valid request for scope with state, nonce and PKCE.
func newLogin(scope string) login {
	verifier := strings.Repeat("v", 20) + "-._~0123456789ABCDEFGHIJKLMN"
	sum := sha256.Sum256([]byte(verifier))
	return login{
		params: url.Values{
			"response_type":         {"code"},
			"client_id":             {linetest.DefaultChannelID},
			"redirect_uri":          {callbackURL},
			"state":                 {"st4te0123456789abcdef"},
			"scope":                 {scope},
			"nonce":                 {"n0nce0123456789"},
			"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
			"code_challenge_method": {"S256"},
		},
		verifier: verifier,
	}
}

// authorize sends the authorization request and returns the response,
// without following redirects.
func authorize(t testing.TB, s *linetest.Server, params url.Values) *http.Response {
	t.Helper()
	res, err := noRedirects(s).Get(s.AccessURL() + linetest.PathAuthorize + "?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(strings.NewReader(string(body)))
	return res
}

// authorizeAs sends the authorization request l from a browser that
// answers LINE's screens as c says, and returns LINE's redirect, not
// followed.
func authorizeAs(t testing.TB, s *linetest.Server, c linetest.Consent, l login) *http.Response {
	t.Helper()
	client, err := s.ClientFor(c)
	if err != nil {
		t.Fatal(err)
	}
	res, err := testkit.NoRedirects(client).Get(s.AccessURL() + linetest.PathAuthorize + "?" + l.params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// readBody returns res's body as a string.
func readBody(t testing.TB, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return string(b)
}

// redirectQuery checks that res redirects to the callback and returns the
// callback's query.
func redirectQuery(t testing.TB, res *http.Response) url.Values {
	t.Helper()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("status = %d, want 302; body: %s", res.StatusCode, readBody(t, res))
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != callbackURL {
		t.Fatalf("redirected to %s, want %s", got, callbackURL)
	}
	return loc.Query()
}

// code runs an auto-approved authorization request and returns the code.
func code(t testing.TB, s *linetest.Server, l login) string {
	t.Helper()
	q := redirectQuery(t, authorize(t, s, l.params))
	if q.Get("code") == "" || q.Get("state") != l.params.Get("state") {
		t.Fatalf("callback query = %v, want a code and the state", q)
	}
	return q.Get("code")
}

// exchangeForm is a valid authorization_code request for code and l.
func exchangeForm(c string, l login) url.Values {
	return url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {c},
		"redirect_uri":  {l.params.Get("redirect_uri")},
		"client_id":     {linetest.DefaultChannelID},
		"client_secret": {linetest.DefaultChannelSecret},
		"code_verifier": {l.verifier},
	}
}

// postForm posts form to path and decodes a JSON answer, if any.
func postForm(t testing.TB, s *linetest.Server, path string, form url.Values) (*http.Response, map[string]any) {
	t.Helper()
	res, err := s.Client().PostForm(urlFor(s, path), form)
	if err != nil {
		t.Fatal(err)
	}
	return res, decodeJSON(t, res)
}

// get sends a GET to path with an optional bearer token and decodes a JSON
// answer, if any.
func get(t testing.TB, s *linetest.Server, path, bearer string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, urlFor(s, path), nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res, decodeJSON(t, res)
}

// urlFor returns the URL of path on the host that serves it at LINE.
func urlFor(s *linetest.Server, path string) string {
	switch path {
	case linetest.PathAuthorize, linetest.PathAuthorizeV20, linetest.PathConsent, linetest.PathDiscovery:
		return s.AccessURL() + path
	}
	return s.APIURL() + path
}

// decodeJSON decodes a JSON object body; an empty body gives nil.
func decodeJSON(t testing.TB, res *http.Response) map[string]any {
	t.Helper()
	body := readBody(t, res)
	if body == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("status %d, body is not a JSON object: %v: %q", res.StatusCode, err, body)
	}
	return m
}

// wantOAuthError checks a 400 OAuth error answer.
func wantOAuthError(t testing.TB, res *http.Response, body map[string]any, code string) {
	t.Helper()
	if res.StatusCode != http.StatusBadRequest || body["error"] != code {
		t.Fatalf("got %d %v, want 400 with error %q", res.StatusCode, body, code)
	}
}

// tokens exchanges a fresh code for l's scope and returns the token answer.
func tokens(t testing.TB, s *linetest.Server, l login) map[string]any {
	t.Helper()
	res, body := postForm(t, s, linetest.PathToken, exchangeForm(code(t, s, l), l))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %v", res.StatusCode, body)
	}
	return body
}

// hs256Claims verifies an HS256 ID token with the channel secret, as a
// client does, and returns its header and claims.
func hs256Claims(t testing.TB, token string) (jose.Header, map[string]any) {
	t.Helper()
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatalf("parse ID token: %v", err)
	}
	var claims map[string]any
	if err := parsed.Claims([]byte(linetest.DefaultChannelSecret), &claims); err != nil {
		t.Fatalf("HS256 signature does not verify with the channel secret: %v", err)
	}
	return parsed.Headers[0], claims
}

// requestIDPattern finds the pending request ID in the consent page.
var requestIDPattern = regexp.MustCompile(`name="request" value="([0-9a-f]+)"`)

// newClock returns a settable clock for expiry tests.
func newClock() *testkit.Clock { return testkit.NewClock(time.Unix(1_700_000_000, 0)) }

// regexpFind returns the first submatch of pattern in s.
func regexpFind(t testing.TB, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%s not found in:\n%s", pattern, s)
	}
	return m[1]
}
