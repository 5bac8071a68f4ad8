package callback_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
)

const (
	jarmChannel = "1234567890"
	jarmSecret  = "0123456789abcdef0123456789abcdef"
	jarmIssuer  = "https://access.line.example"
)

func jarmClient(t testing.TB, mode string, clock *testkit.Clock) *callback.Client {
	t.Helper()
	c, err := callback.New(callback.Config{
		ChannelID:     jarmChannel,
		ChannelSecret: jarmSecret,
		RedirectURL:   "https://app.example/callback",
		AccessURL:     jarmIssuer,
		APIURL:        "https://api.line.example",
		ResponseMode:  mode,
	}, callback.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signJARM signs claims as LINE would (HS256 under secret), with extra
// header fields.
func signJARM(t testing.TB, secret string, claims map[string]any, header map[jose.HeaderKey]any) string {
	t.Helper()
	return joseSign(t, jose.HS256, []byte(secret), claims, header)
}

func TestReadResponse_JARM(t *testing.T) {
	clock := testkit.NewClock(time.Unix(1_800_000_000, 0))
	now := clock.Now()
	claims := func(kv ...any) map[string]any {
		c := map[string]any{"iss": jarmIssuer, "aud": jarmChannel, "exp": now.Add(10 * time.Minute).Unix(),
			"code": "c0de", "state": "st4te", "friendship_status_changed": true}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(c, kv[i].(string))
			} else {
				c[kv[i].(string)] = kv[i+1]
			}
		}
		return c
	}
	for _, mode := range []string{callback.ResponseModeQueryJWT, callback.ResponseModeJWT, callback.ResponseModeFormPostJWT} {
		c := jarmClient(t, mode, clock)
		u, _ := url.Parse(authURL(t, c, newAttempt()))
		if got := u.Query().Get("response_mode"); got != mode {
			t.Errorf("%s: authorize URL asks for response_mode %q", mode, got)
		}
		resp, err := c.ReadResponse(url.Values{"response": {signJARM(t, jarmSecret, claims(), nil)}})
		if err != nil || resp.Code != "c0de" || resp.State != "st4te" || resp.Err != nil || resp.FriendshipStatusChanged == nil || !*resp.FriendshipStatusChanged {
			t.Errorf("%s: a good response read as %+v, %v", mode, resp, err)
		}
		resp, err = c.ReadResponse(url.Values{"response": {signJARM(t, jarmSecret, claims("code", nil, "error", "ACCESS_DENIED", "error_description", "denied"), nil)}})
		if err != nil || resp.Err == nil || !resp.Err.Denied() || resp.State != "st4te" {
			t.Errorf("%s: an error inside the JWT read as %+v, %v", mode, resp, err)
		}
	}

	c := jarmClient(t, callback.ResponseModeQueryJWT, clock)
	good := signJARM(t, jarmSecret, claims(), nil)
	unsigned := func(alg string) string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + alg + `","typ":"JWT"}`))
		p, _ := json.Marshal(claims())
		return h + "." + base64.RawURLEncoding.EncodeToString(p) + "."
	}
	refused := map[string]url.Values{
		"bad signature":          {"response": {good[:len(good)-2] + "AA"}},
		"alg none":               {"response": {unsigned("none")}},
		"another secret":         {"response": {signJARM(t, "ffffffffffffffffffffffffffffffff", claims(), nil)}},
		"wrong aud":              {"response": {signJARM(t, jarmSecret, claims("aud", "9999999999"), nil)}},
		"aud as a list":          {"response": {signJARM(t, jarmSecret, claims("aud", []string{jarmChannel}), nil)}},
		"the API host as iss":    {"response": {signJARM(t, jarmSecret, claims("iss", "https://api.line.example"), nil)}},
		"no iss":                 {"response": {signJARM(t, jarmSecret, claims("iss", nil), nil)}},
		"expired":                {"response": {signJARM(t, jarmSecret, claims("exp", now.Add(-2*time.Minute).Unix()), nil)}},
		"no exp":                 {"response": {signJARM(t, jarmSecret, claims("exp", nil), nil)}},
		"exp as a string":        {"response": {signJARM(t, jarmSecret, claims("exp", "1800000600"), nil)}},
		"a key in the header":    {"response": {signJARM(t, jarmSecret, claims(), map[jose.HeaderKey]any{"jku": "https://evil.example/jwks"})}},
		"plain code and state":   {"code": {"c0de"}, "state": {"st4te"}},
		"plain and JWT together": {"response": {good}, "code": {"other"}, "state": {"st4te"}},
		"a plain error":          {"error": {"ACCESS_DENIED"}, "state": {"st4te"}},
		"two responses":          {"response": {good, good}},
		"no response":            {},
		"not a JWT":              {"response": {"hello"}},
		"over-long":              {"response": {strings.Repeat("a", 9000) + ".b.c"}},
	}
	for name, v := range refused {
		resp, err := c.ReadResponse(v)
		if !errors.Is(err, callback.ErrResponseRejected) || errors.Is(err, callback.ErrState) || resp.Code != "" {
			t.Errorf("%s: %+v, %v; want ErrResponseRejected and no code", name, resp, err)
		}
	}

	// Plain modes ignore a response parameter: it is not theirs to trust.
	plain := jarmClient(t, callback.ResponseModeQuery, clock)
	if resp, err := plain.ReadResponse(url.Values{"response": {good}}); err != nil || resp.Code != "" {
		t.Errorf("query mode with a response JWT: %+v, %v; want no code", resp, err)
	}
}

// FuzzReadResponseJARM reads arbitrary JARM callbacks: never a panic, and
// nothing but a JWT signed with the channel secret for this channel (which
// a fuzzer cannot forge) yields a code or an error from LINE.
func FuzzReadResponseJARM(f *testing.F) {
	clock := testkit.NewClock(time.Unix(1_800_000_000, 0))
	signed := func(claims map[string]any) string { return signJARM(f, jarmSecret, claims, nil) }
	good := map[string]any{"iss": jarmIssuer, "aud": jarmChannel, "exp": clock.Now().Add(time.Minute).Unix(), "code": "c", "state": "s"}
	for _, seed := range []string{
		"response=" + signed(good),
		"response=" + signed(map[string]any{"iss": jarmIssuer, "aud": jarmChannel, "exp": "1800000060", "code": "c"}),
		"response=eyJhbGciOiJub25lIn0.eyJjb2RlIjoiYyJ9.",
		"response=a.b.c&code=c&state=s",
		"code=c&state=s",
		"response=" + strings.Repeat("A", 9000),
		"",
	} {
		f.Add(seed)
	}
	c := jarmClient(f, callback.ResponseModeQueryJWT, clock)
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		resp, err := c.ReadResponse(v)
		if err != nil {
			if !errors.Is(err, callback.ErrResponseRejected) || resp.Code != "" || resp.Err != nil {
				t.Fatalf("refusal %v with %+v", err, resp)
			}
			return
		}
		// Accepted: it can only be a seed signed above.
		if !strings.HasPrefix(raw, "response=") {
			t.Fatalf("accepted %q", raw)
		}
	})
}
