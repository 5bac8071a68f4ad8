package linetest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
)

func TestIDTokenHook_MutatesClaimsAndHeaderAndStillSignsWithTheSecret(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	s.SetIDTokenHook(func(header, claims map[string]any) {
		claims["name"] = "Mallory"
		claims["iss"] = "https://evil.test"
		header["kid"] = "attacker-key"
	})
	header, claims := hs256Claims(t, tokens(t, s, newLogin("profile openid"))["id_token"].(string))
	if claims["name"] != "Mallory" || claims["iss"] != "https://evil.test" || header.KeyID != "attacker-key" {
		t.Fatalf("hook ignored: header %+v claims %v", header, claims)
	}

	s.SetIDTokenHook(func(header, _ map[string]any) { header["alg"] = "none" })
	tok := tokens(t, s, newLogin("openid"))["id_token"].(string)
	if h := testkit.JWTPart(t, tok, 0); h["alg"] != "none" || tok[len(tok)-1] != '.' {
		t.Fatalf("alg none token = %q", tok)
	}

	s.SetIDTokenHook(func(header, _ map[string]any) { header["alg"] = "RS256" })
	tok = tokens(t, s, newLogin("openid"))["id_token"].(string)
	if _, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.HS256}); err == nil {
		t.Fatal("RS256 header parsed as HS256")
	}

	s.SetIDTokenHook(func(header, _ map[string]any) { header["alg"] = "ES256" })
	tok = tokens(t, s, newLogin("openid"))["id_token"].(string)
	if h := testkit.JWTPart(t, tok, 0); h["alg"] != "ES256" || h["kid"] == nil {
		t.Fatalf("ES256 via hook: header %v", h)
	}

	s.SetIDTokenHook(nil)
	header, claims = hs256Claims(t, tokens(t, s, newLogin("profile openid"))["id_token"].(string))
	if claims["name"] != "Brown" || header.Algorithm != "HS256" {
		t.Fatalf("hook not cleared: %v", claims)
	}
}

// jwks fetches the platform's JWKS.
func jwks(t *testing.T, s *linetest.Server) jose.JSONWebKeySet {
	t.Helper()
	res, err := s.Client().Get(s.APIURL() + linetest.PathCerts)
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return set
}

// es256Claims verifies an ES256 token against the JWKS, by kid.
func es256Claims(t *testing.T, s *linetest.Server, token string) (map[string]any, error) {
	t.Helper()
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return nil, err
	}
	set := jwks(t, s)
	keys := set.Key(parsed.Headers[0].KeyID)
	if len(keys) != 1 {
		return nil, jose.ErrUnsupportedKeyType
	}
	var claims map[string]any
	err = parsed.Claims(keys[0].Key, &claims)
	return claims, err
}

func TestLIFFIDToken_VerifiesAgainstTheJWKS(t *testing.T) {
	s := newServer(t, linetest.Config{})
	set := jwks(t, s)
	if len(set.Keys) != 1 {
		t.Fatalf("JWKS has %d keys", len(set.Keys))
	}
	k := set.Keys[0]
	if k.Algorithm != "ES256" || k.Use != "sig" || k.KeyID == "" || !k.IsPublic() {
		t.Fatalf("JWK = %+v", k)
	}

	tok, err := s.IssueLIFFIDToken(cony().ID, "liffnonce")
	if err != nil {
		t.Fatal(err)
	}
	claims, err := es256Claims(t, s, tok)
	if err != nil {
		t.Fatalf("LIFF ID token does not verify: %v", err)
	}
	if claims["aud"] != linetest.DefaultChannelID || claims["iss"] != s.Issuer() || claims["sub"] != cony().ID || claims["nonce"] != "liffnonce" {
		t.Fatalf("claims = %v", claims)
	}

	// After a rotation the old key stays published until removed.
	newKID := s.RotateSigningKey()
	fresh, _ := s.IssueLIFFIDToken(cony().ID, "")
	if h := testkit.JWTPart(t, fresh, 0); h["kid"] != newKID {
		t.Fatalf("new token's kid = %v, want %s", h["kid"], newKID)
	}
	if _, err := es256Claims(t, s, tok); err != nil {
		t.Fatalf("old token after rotation: %v", err)
	}
	s.RemoveOldSigningKeys()
	if _, err := es256Claims(t, s, tok); err == nil {
		t.Fatal("old token verifies after RemoveOldSigningKeys")
	}
	if _, err := es256Claims(t, s, fresh); err != nil {
		t.Fatalf("new token: %v", err)
	}
}

func TestVerifyIDToken_ChecksLikeLINE(t *testing.T) {
	clock := newClock()
	s := newServer(t, linetest.Config{AutoApprove: brown().ID, Now: clock.Now})
	web := tokens(t, s, newLogin("profile openid"))["id_token"].(string)
	liff, _ := s.IssueLIFFIDToken(brown().ID, "")
	forged, _ := s.SignIDToken(map[string]any{"alg": "none"}, map[string]any{"iss": s.AccessURL(), "aud": linetest.DefaultChannelID, "sub": brown().ID, "exp": clock.Now().Add(time.Hour).Unix()})
	wrongIss, _ := s.SignIDToken(map[string]any{"alg": "HS256"}, map[string]any{"iss": "https://access.line.me", "aud": linetest.DefaultChannelID, "sub": brown().ID, "exp": clock.Now().Add(time.Hour).Unix()})
	garbage, _ := s.SignIDToken(map[string]any{"alg": "HS256", "typ": "JWT"}, map[string]any{"exp": 1})
	garbage = garbage[:len(garbage)-4] + "AAAA"
	apiIss, _ := s.SignIDToken(map[string]any{"alg": "HS256"}, map[string]any{"iss": s.APIURL(), "aud": linetest.DefaultChannelID, "sub": brown().ID, "exp": clock.Now().Add(time.Hour).Unix()})
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(linetest.DefaultChannelSecret)}, nil)
	jws, _ := signer.Sign([]byte(`["not","an","object"]`))
	notObject, _ := jws.CompactSerialize()

	verify := func(form url.Values) (*http.Response, map[string]any) {
		if !form.Has("client_id") {
			form.Set("client_id", linetest.DefaultChannelID)
		}
		return postForm(t, s, linetest.PathVerify, form)
	}
	res, body := verify(url.Values{"id_token": {web}, "nonce": {"n0nce0123456789"}, "user_id": {brown().ID}})
	if res.StatusCode != http.StatusOK || body["sub"] != brown().ID || body["name"] != "Brown" {
		t.Fatalf("valid web token: %d %v", res.StatusCode, body)
	}
	if res, body := verify(url.Values{"id_token": {liff}}); res.StatusCode != http.StatusOK {
		t.Fatalf("valid LIFF token: %d %v", res.StatusCode, body)
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"wrong nonce", url.Values{"id_token": {web}, "nonce": {"other"}}, "Invalid IdToken Nonce."},
		{"wrong user", url.Values{"id_token": {web}, "user_id": {cony().ID}}, "Invalid IdToken Subject Identifier."},
		{"wrong channel", url.Values{"id_token": {web}, "client_id": {"1111111111"}}, "Invalid IdToken Audience."},
		{"alg none", url.Values{"id_token": {forged}}, "Invalid IdToken."},
		{"bad signature", url.Values{"id_token": {garbage}}, "Invalid IdToken."},
		{"wrong issuer", url.Values{"id_token": {wrongIss}}, "Invalid IdToken Issuer."},
		{"not a JWT", url.Values{"id_token": {"a.b"}}, "Invalid IdToken."},
		{"signed, but not a JSON object", url.Values{"id_token": {notObject}}, "Invalid IdToken."},
		{"issued by the API host", url.Values{"id_token": {apiIss}}, "Invalid IdToken Issuer."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := verify(tc.form)
			wantOAuthError(t, res, body, "invalid_request")
			if body["error_description"] != tc.want {
				t.Fatalf("error_description = %v, want %s", body["error_description"], tc.want)
			}
		})
	}

	clock.Advance(time.Hour)
	res, body = verify(url.Values{"id_token": {web}})
	wantOAuthError(t, res, body, "invalid_request")
	if body["error_description"] != "IdToken expired." {
		t.Fatalf("expired: %v", body)
	}
}

func TestSignIDToken_ES256WithANamedKey(t *testing.T) {
	s := newServer(t, linetest.Config{})
	oldKID := jwks(t, s).Keys[0].KeyID
	s.RotateSigningKey()
	claims := map[string]any{"sub": brown().ID}

	tok, err := s.SignIDToken(map[string]any{"alg": "ES256", "kid": oldKID}, claims)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := es256Claims(t, s, tok); err != nil {
		t.Fatalf("token signed with the old key by name: %v", err)
	}
	tok, _ = s.SignIDToken(map[string]any{"alg": "ES256", "kid": "unknown"}, claims)
	if h := testkit.JWTPart(t, tok, 0); h["kid"] != "unknown" {
		t.Fatalf("kid = %v", h["kid"])
	}
	if _, err := es256Claims(t, s, tok); err == nil {
		t.Fatal("a token naming an unknown kid verified")
	}
}
