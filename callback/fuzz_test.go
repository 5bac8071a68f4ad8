package callback_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
)

// FuzzParseResponse parses arbitrary callback query strings: never a
// panic, every value bounded, and an error response exactly when LINE's
// error parameters are there.
func FuzzParseResponse(f *testing.F) {
	for _, seed := range []string{
		"code=abc&state=0123456789abcdef0123456789abcdef",
		"code=abc&state=s&friendship_status_changed=true",
		"error=ACCESS_DENIED&error_description=The+resource+owner+denied+the+request.&state=s",
		"errorCode=417&errorMessage=DISALLOWED&state=s",
		"error=&errorCode=&code=",
		"code=a&code=b&state=%00&state=%ZZ",
		"friendship_status_changed=1x;error=%3Cscript%3E",
		"code=" + strings.Repeat("a", 3000),
		"iss=https%3A%2F%2Fevil.example&code=c&state=s",
		"",
		"&&&==&",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw) // keeps what parses, as net/http does
		r := callback.ParseResponse(v)
		bounded := func(key, got string) {
			want := v.Get(key)
			if len(want) > 2048 {
				want = ""
			}
			if got != want {
				t.Fatalf("%s = %q, want %q", key, got, want)
			}
		}
		bounded("code", r.Code)
		bounded("state", r.State)
		errParam := v.Get("error")
		if len(errParam) > 2048 {
			errParam = ""
		}
		v2Param := v.Get("errorCode")
		if len(v2Param) > 2048 {
			v2Param = ""
		}
		if (r.Err != nil) != (errParam != "" || v2Param != "") {
			t.Fatalf("Err = %+v for error=%q errorCode=%q", r.Err, errParam, v2Param)
		}
		if r.Err != nil {
			if r.Err.Code == "" || !errors.Is(r.Err, callback.ErrAuthorization) {
				t.Fatalf("AuthError without a code: %+v", r.Err)
			}
			for _, s := range []string{r.Err.Code, r.Err.Description, r.Err.V2Code, r.Err.V2Message} {
				if len(s) > 2048 {
					t.Fatalf("unbounded error field of %d bytes", len(s))
				}
			}
		}
	})
}

// FuzzVerifyIDToken verifies arbitrary tokens against a platform served in
// memory (no network in the loop): never a panic, every failure an ID
// token or upstream error, and nothing but the seeded user ever verifies,
// since the fuzzer holds no key.
func FuzzVerifyIDToken(f *testing.F) {
	p, err := linetest.New(linetest.Config{})
	if err != nil {
		f.Fatal(err)
	}
	c, err := callback.New(callback.Config{
		ChannelID:     p.ChannelID(),
		ChannelSecret: p.ChannelSecret(),
		RedirectURL:   "https://app.example/callback",
		AccessURL:     p.AccessURL(),
		APIURL:        p.APIURL(),
		HTTPClient:    &http.Client{Transport: p.Transport()},
		Timeout:       time.Second,
	})
	if err != nil {
		f.Fatal(err)
	}
	user := p.Users()[0].ID
	now := time.Now()
	claims := func(nonce string) map[string]any {
		return map[string]any{
			"iss": p.Issuer(), "sub": user, "aud": p.ChannelID(), "nonce": nonce,
			"exp": now.Add(24 * time.Hour).Unix(), "iat": now.Unix(), "amr": []string{"linesso"},
		}
	}
	sign := func(header map[string]any, nonce string) string {
		tok, err := p.SignIDToken(header, claims(nonce))
		if err != nil {
			f.Fatal(err)
		}
		return tok
	}
	const nonce = "0123456789abcdef0123456789abcdef"
	f.Add(sign(map[string]any{"alg": "HS256", "typ": "JWT"}, nonce), nonce)
	f.Add(sign(map[string]any{"alg": "HS256"}, nonce), "")
	f.Add(sign(map[string]any{"alg": "ES256"}, nonce), nonce)
	f.Add(sign(map[string]any{"alg": "ES256", "kid": ""}, nonce), "")
	f.Add(sign(map[string]any{"alg": "none"}, nonce), nonce)
	f.Add(sign(map[string]any{"alg": "HS256", "jku": "https://evil.example"}, nonce), nonce)
	f.Add(sign(map[string]any{"alg": "RS256"}, nonce), nonce)
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.", "")
	f.Add("a.b.c", "")
	f.Add(strings.Repeat(".", 20<<10), "")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, raw, want string) {
		u, err := c.VerifyIDToken(context.Background(), raw, want)
		if err != nil {
			if u != nil {
				t.Fatalf("a user with the error %v", err)
			}
			if !errors.Is(err, callback.ErrInvalidToken) && !errors.Is(err, callback.ErrUpstream) {
				t.Fatalf("error %v is neither ErrInvalidToken nor ErrUpstream", err)
			}
			return
		}
		if u == nil || u.ID != user {
			t.Fatalf("verified a token for %+v", u)
		}
		if want != "" && want != nonce {
			t.Fatalf("verified with nonce %q, but every token carries %q", want, nonce)
		}
	})
}
