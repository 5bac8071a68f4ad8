package middleware_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

// TestIDToken_Rejections changes one thing in the ID token LINE returns and
// expects the login to fail with 401, no session, and nothing secret shown.
func TestIDToken_Rejections(t *testing.T) {
	now := time.Now()
	cases := map[string]func(header, claims map[string]any){
		"alg none":             func(h, _ map[string]any) { h["alg"] = "none" },
		"alg HS512":            func(h, _ map[string]any) { h["alg"] = "HS512" },
		"alg RS256":            func(h, _ map[string]any) { h["alg"] = "RS256" },
		"no alg":               func(h, _ map[string]any) { delete(h, "alg") },
		"ES256 unknown kid":    func(h, _ map[string]any) { h["alg"], h["kid"] = "ES256", "no-such-key" },
		"jku header":           func(h, _ map[string]any) { h["jku"] = "https://evil.example/jwks" },
		"x5u header":           func(h, _ map[string]any) { h["x5u"] = "https://evil.example/cert" },
		"crit header":          func(h, _ map[string]any) { h["crit"] = []string{"exp"} },
		"issuer mismatch":      func(_, c map[string]any) { c["iss"] = "https://access.line.me.evil.example" },
		"issuer trailing /":    func(_, c map[string]any) { c["iss"] = c["iss"].(string) + "/" },
		"audience mismatch":    func(_, c map[string]any) { c["aud"] = "9999999999" },
		"multiple audiences":   func(_, c map[string]any) { c["aud"] = []string{c["aud"].(string), "9999999999"} },
		"no sub":               func(_, c map[string]any) { delete(c, "sub") },
		"empty sub":            func(_, c map[string]any) { c["sub"] = "" },
		"expired":              func(_, c map[string]any) { c["exp"] = now.Add(-5 * time.Minute).Unix() },
		"no exp":               func(_, c map[string]any) { delete(c, "exp") },
		"iat in the future":    func(_, c map[string]any) { c["iat"] = now.Add(time.Hour).Unix() },
		"no iat":               func(_, c map[string]any) { delete(c, "iat") },
		"nonce altered":        func(_, c map[string]any) { c["nonce"] = c["nonce"].(string)[1:] + "0" },
		"nonce missing":        func(_, c map[string]any) { delete(c, "nonce") },
		"nonce of other login": func(_, c map[string]any) { c["nonce"] = strings.Repeat("ab", 16) },
		"sub wrong type":       func(_, c map[string]any) { c["sub"] = 42 },
		"amr wrong type":       func(_, c map[string]any) { c["amr"] = "pwd" },
	}
	app := newTestApp(t)
	for name, hook := range cases {
		t.Run(name, func(t *testing.T) {
			app.platform.SetIDTokenHook(hook)
			defer app.platform.SetIDTokenHook(nil)
			b := app.browser()
			resp := b.login("")
			assertRejected(t, resp, http.StatusUnauthorized, "could not be verified")
			if status, _ := b.me(); status != http.StatusUnauthorized {
				t.Errorf("/api/me: %d after a rejected ID token", status)
			}
		})
	}
}

func TestIDToken_Accepted(t *testing.T) {
	cases := map[string]func(header, claims map[string]any){
		"HS256 as LINE signs web logins": nil,
		"ES256 from the JWKS":            func(h, _ map[string]any) { h["alg"] = "ES256" },
		"expired within the clock skew":  func(_, c map[string]any) { c["exp"] = time.Now().Add(-20 * time.Second).Unix() },
		"iat slightly ahead":             func(_, c map[string]any) { c["iat"] = time.Now().Add(20 * time.Second).Unix() },
		"audience as a one-item list":    func(_, c map[string]any) { c["aud"] = []string{c["aud"].(string)} },
	}
	app := newTestApp(t)
	for name, hook := range cases {
		t.Run(name, func(t *testing.T) {
			app.platform.SetIDTokenHook(hook)
			defer app.platform.SetIDTokenHook(nil)
			b := app.browser()
			b.mustLogin()
			if _, me := b.me(); me.User == nil || me.User.ID != app.user.ID {
				t.Errorf("context user %+v", me.User)
			}
		})
	}
}

func TestIDToken_MaxAgeRequiresRecentAuthTime(t *testing.T) {
	app := newTestApp(t, func(c *middleware.Config) { c.LINE.MaxAge = 10 * time.Minute })
	for name, hook := range map[string]func(_, c map[string]any){
		"auth_time missing": func(_, c map[string]any) { delete(c, "auth_time") },
		"auth_time too old": func(_, c map[string]any) { c["auth_time"] = time.Now().Add(-time.Hour).Unix() },
	} {
		t.Run(name, func(t *testing.T) {
			app.platform.SetIDTokenHook(hook)
			defer app.platform.SetIDTokenHook(nil)
			assertRejected(t, app.browser().login(""), http.StatusUnauthorized, "could not be verified")
		})
	}
	if authorize := app.browser().startLogin(""); authorize.Query().Get("max_age") != "600" {
		t.Errorf("max_age = %q, want 600", authorize.Query().Get("max_age"))
	}
}

// forgeTokenResponse makes the token endpoint answer the next exchange with
// idToken, as a hostile or broken LINE would.
func forgeTokenResponse(app *testApp, idToken string) {
	body, _ := json.Marshal(map[string]any{
		"access_token": "forged", "token_type": "Bearer", "expires_in": 3600, "id_token": idToken,
	})
	app.platform.SetFault(linetest.PathToken, linetest.Fault{
		Body: string(body), Header: http.Header{"Content-Type": {"application/json"}}, Times: 1,
	})
}

func TestIDToken_ForgedSignatures(t *testing.T) {
	app := newTestApp(t)
	claims := func(nonce string) map[string]any {
		return map[string]any{
			"iss": app.platform.Issuer(), "sub": app.user.ID, "aud": app.platform.ChannelID(),
			"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "nonce": nonce,
		}
	}
	sign := func(t *testing.T, alg jose.SignatureAlgorithm, key any, c map[string]any) string {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(c)
		jws, err := signer.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := jws.CompactSerialize()
		return s
	}
	// The JWKS as LINE publishes it: the public key an attacker knows.
	jwksResp, err := http.Get(app.platform.APIURL() + linetest.PathCerts)
	if err != nil {
		t.Fatal(err)
	}
	var jwks jose.JSONWebKeySet
	json.NewDecoder(jwksResp.Body).Decode(&jwks)
	jwksResp.Body.Close()
	publicJSON, _ := json.Marshal(jwks.Keys[0])

	cases := map[string]func(t *testing.T, nonce string) string{
		"HS256 under another secret": func(t *testing.T, nonce string) string {
			return sign(t, jose.HS256, []byte(strings.Repeat("x", 32)), claims(nonce))
		},
		"HS256 keyed with the public JWK (alg confusion)": func(t *testing.T, nonce string) string {
			return sign(t, jose.HS256, publicJSON, claims(nonce))
		},
		"signature stripped": func(t *testing.T, nonce string) string {
			s := sign(t, jose.HS256, []byte(app.platform.ChannelSecret()), claims(nonce))
			return s[:strings.LastIndex(s, ".")+1]
		},
		"signature altered": func(t *testing.T, nonce string) string {
			s := []byte(sign(t, jose.HS256, []byte(app.platform.ChannelSecret()), claims(nonce)))
			s[len(s)-5] ^= 0x01
			return string(s)
		},
		"not a JWT":          func(*testing.T, string) string { return "a.b.c" },
		"20 KB of dots":      func(*testing.T, string) string { return strings.Repeat(".", 20<<10) },
		"a megabyte of dots": func(*testing.T, string) string { return strings.Repeat(".", 1<<20) },
		"empty":              func(*testing.T, string) string { return "" },
	}
	for name, forge := range cases {
		t.Run(name, func(t *testing.T) {
			b := app.browser()
			authorize := b.startLogin("")
			cb := b.authorize(authorize)
			forgeTokenResponse(app, forge(t, authorize.Query().Get("nonce")))
			start := time.Now()
			resp := b.get(cb.String())
			if name == "empty" || name == "a megabyte of dots" {
				// No ID token although openid was asked for, or a token
				// response past the 1 MB cap: LINE is broken.
				assertRejected(t, resp, http.StatusBadGateway, "not responding")
			} else {
				assertRejected(t, resp, http.StatusUnauthorized, "could not be verified")
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v to reject", d)
			}
		})
	}
	// The control: the same forging path with the right secret logs in.
	b := app.browser()
	authorize := b.startLogin("")
	cb := b.authorize(authorize)
	forgeTokenResponse(app, sign(t, jose.HS256, []byte(app.platform.ChannelSecret()), claims(authorize.Query().Get("nonce"))))
	if resp := b.get(cb.String()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("correctly signed token: status %d", resp.StatusCode)
	}
}
