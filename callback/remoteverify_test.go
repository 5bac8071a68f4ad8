package callback_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
)

func issueLIFF(t *testing.T, p *linetest.Server, userID, nonce string) string {
	t.Helper()
	tok, err := p.IssueLIFFIDToken(userID, nonce)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestLINEVerifier_ReturnsTheUser: an ID token LINE verifies gives its
// user; the request posts the token and the channel ID, and the nonce only
// when the app has one.
func TestLINEVerifier_ReturnsTheUser(t *testing.T) {
	p, c, _ := newAPIPlatform(t)
	v := callback.LINEVerifier{Client: c}
	for _, tc := range []struct {
		name, issuedNonce, nonce string
	}{
		{"nonce given", "n0nce", "n0nce"},
		{"no nonce given", "n0nce", ""},
		{"token without nonce", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := p.Users()[2]
			raw := issueLIFF(t, p, want.ID, tc.issuedNonce)
			u, err := v.VerifyIDToken(context.Background(), raw, tc.nonce)
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != want.ID || u.DisplayName != want.DisplayName || u.PictureURL != want.PictureURL ||
				len(u.AMR) != 1 || u.AMR[0] != "linesso" {
				t.Errorf("user %+v; want %s, %s, %s, [linesso]", u, want.ID, want.DisplayName, want.PictureURL)
			}
			r := lastRequestTo(t, p, linetest.PathVerify)
			if r.Method != http.MethodPost || r.Form.Get("id_token") != raw || r.Form.Get("client_id") != p.ChannelID() || len(r.Query) != 0 {
				t.Errorf("verify request %s query %v form %v; want POST with id_token and client_id in the body", r.Method, r.Query, r.Form)
			}
			if nonces, sent := r.Form["nonce"]; sent != (tc.nonce != "") || (sent && (len(nonces) != 1 || nonces[0] != tc.nonce)) {
				t.Errorf("nonce sent: %q (present %v); want %q only when given", nonces, sent, tc.nonce)
			}
		})
	}
}

// TestLINEVerifier_RefusedTokens: every ID token LINE refuses, or that is
// past its exp by the injected clock, is ErrInvalidToken (a *TokenError for
// an ID token), with no user, and neither the token nor LINE's message in
// the error.
func TestLINEVerifier_RefusedTokens(t *testing.T) {
	for _, tc := range []struct {
		name string
		// token prepares the case and returns the token and nonce to check.
		token func(t *testing.T, p *linetest.Server, clock *testkit.Clock) (raw, nonce string)
		// answer, if set, is verify's answer instead of the platform's.
		answer *linetest.Fault
		// otherChannel makes the client one for another channel.
		otherChannel bool
		// sent is whether the token reaches LINE at all.
		sent bool
	}{
		{name: "wrong nonce", sent: true, token: func(t *testing.T, p *linetest.Server, _ *testkit.Clock) (string, string) {
			return issueLIFF(t, p, p.Users()[0].ID, "n0nce"), "another"
		}},
		{name: "nonce expected, token has none", sent: true, token: func(t *testing.T, p *linetest.Server, _ *testkit.Clock) (string, string) {
			return issueLIFF(t, p, p.Users()[0].ID, ""), "n0nce"
		}},
		{name: "expired", sent: true, token: func(t *testing.T, p *linetest.Server, clock *testkit.Clock) (string, string) {
			raw := issueLIFF(t, p, p.Users()[0].ID, "")
			clock.Advance(linetest.DefaultIDTokenTTL + callback.DefaultClockSkew)
			return raw, ""
		}},
		{name: "signature altered", sent: true, token: func(t *testing.T, p *linetest.Server, _ *testkit.Clock) (string, string) {
			raw := issueLIFF(t, p, p.Users()[0].ID, "")
			i := strings.LastIndex(raw, ".") + 1
			b := []byte(raw)
			b[i] ^= 'A' ^ 'B'
			if b[i] == raw[i] {
				t.Fatal("signature unchanged")
			}
			return string(b), ""
		}},
		{name: "not a JWT", sent: true, token: func(*testing.T, *linetest.Server, *testkit.Clock) (string, string) {
			return "not-an-id-token", ""
		}},
		{name: "issued to another channel", sent: true, otherChannel: true, token: func(t *testing.T, p *linetest.Server, _ *testkit.Clock) (string, string) {
			return issueLIFF(t, p, p.Users()[0].ID, ""), ""
		}},
		{name: "LINE's description echoes the token", sent: true,
			answer: &linetest.Fault{Status: http.StatusBadRequest,
				Body: `{"error":"invalid_request","error_description":"` + lineMessage + `echoed-id-token"}`, Header: jsonHeader},
			token: func(*testing.T, *linetest.Server, *testkit.Clock) (string, string) { return "echoed-id-token", "" }},
		{name: "LINE's answer is expired", sent: true,
			answer: &linetest.Fault{Header: jsonHeader, Body: fmt.Sprintf(`{"iss":%q,"sub":%q,"aud":%q,"exp":%d,"iat":%d}`,
				"ISSUER", linetest.DefaultUsers()[0].ID, linetest.DefaultChannelID,
				apiStart.Add(-callback.DefaultClockSkew-time.Second).Unix(), apiStart.Add(-time.Hour).Unix())},
			token: func(t *testing.T, p *linetest.Server, _ *testkit.Clock) (string, string) {
				return issueLIFF(t, p, p.Users()[0].ID, ""), ""
			}},
		{name: "too large", sent: false, token: func(*testing.T, *linetest.Server, *testkit.Clock) (string, string) {
			return strings.Repeat("a", 17<<10) + ".b.c", ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c, clock := newAPIPlatform(t)
			if tc.otherChannel {
				c = newClientFor(t, p, clock, func(cfg *callback.Config) { cfg.ChannelID = "9876543210" })
			}
			raw, nonce := tc.token(t, p, clock)
			if tc.answer != nil {
				f := *tc.answer
				f.Body = strings.Replace(f.Body, `"ISSUER"`, fmt.Sprintf("%q", p.Issuer()), 1)
				p.SetFault(linetest.PathVerify, f)
			}
			u, err := callback.LINEVerifier{Client: c}.VerifyIDToken(context.Background(), raw, nonce)
			if u != nil {
				t.Errorf("refused token gave a user: %+v", u)
			}
			assertCategory(t, err, callback.ErrInvalidToken)
			if te := tokenError(t, err); te.Kind != "ID token" || te.Reason == "" {
				t.Errorf("Kind %q, Reason %q; want the ID token and why", te.Kind, te.Reason)
			}
			if n := p.Count(linetest.PathVerify); (n == 1) != tc.sent || n > 1 {
				t.Errorf("%d verify requests; want the token sent to LINE: %v", n, tc.sent)
			}
			assertNotInError(t, err, raw, nonce, lineMessage, "Invalid IdToken")
		})
	}
}

// TestLINEVerifier_UnexpectedClaimsAreUpstream: LINE vouched for the token
// but answered claims that cannot be this channel's (no sub, another
// audience or issuer): an unusable answer, never a user.
func TestLINEVerifier_UnexpectedClaimsAreUpstream(t *testing.T) {
	p, c, _ := newAPIPlatform(t)
	raw := issueLIFF(t, p, p.Users()[0].ID, "")
	exp := apiStart.Add(time.Hour).Unix()
	claims := func(iss, sub, aud string) string {
		return fmt.Sprintf(`{"iss":%q,"sub":%q,"aud":%q,"exp":%d,"iat":%d}`, iss, sub, aud, exp, apiStart.Unix())
	}
	user := p.Users()[0].ID
	// The control: LINE's own answer, replayed as a fault, verifies.
	for _, tc := range []struct {
		name string
		body string
		ok   bool
	}{
		{"control", claims(p.Issuer(), user, p.ChannelID()), true},
		{"no sub", claims(p.Issuer(), "", p.ChannelID()), false},
		{"another audience", claims(p.Issuer(), user, "9876543210"), false},
		{"another issuer", claims("https://evil.example", user, p.ChannelID()), false},
		{"aud as a list", fmt.Sprintf(`{"iss":%q,"sub":%q,"aud":[%q],"exp":%d}`, p.Issuer(), user, p.ChannelID(), exp), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.SetFault(linetest.PathVerify, linetest.Fault{Body: tc.body, Header: jsonHeader})
			u, err := callback.LINEVerifier{Client: c}.VerifyIDToken(context.Background(), raw, "")
			if tc.ok {
				if err != nil || u.ID != user {
					t.Fatalf("control: %+v, %v", u, err)
				}
				return
			}
			if u != nil {
				t.Errorf("a user: %+v", u)
			}
			assertCategory(t, err, callback.ErrUpstream)
			if ue := upstreamError(t, err); ue.Op != "verify" || ue.Status != http.StatusOK {
				t.Errorf("Op %q, Status %d; want verify, 200", ue.Op, ue.Status)
			}
			assertNotInError(t, err, raw)
		})
	}
}

// TestLINEVerifier_NilClientIsAConfigError: the zero LINEVerifier is a
// configuration mistake, reported as ErrConfig, not a panic (which, in a
// token cache, once left every later request with the token blocked).
func TestLINEVerifier_NilClientIsAConfigError(t *testing.T) {
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("LINEVerifier{} panicked: %v", r)
			}
		}()
		var u *callback.User
		u, err = callback.LINEVerifier{}.VerifyIDToken(context.Background(), "a.b.c", "")
		if u != nil {
			t.Errorf("a user: %+v", u)
		}
	}()
	assertCategory(t, err, callback.ErrConfig)
}
