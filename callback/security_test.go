package callback_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
)

// This file pins the ID token rules (README, "LINE facts") against the
// OpenID Connect RP conformance cases (bad signatures, alg none, alg and key
// confusion, issuer and audience, sub, exp, iat, nonce, kid, key rotation,
// malformed input), and RFC 9700's client-side checks on the code exchange
// (CSRF, code injection, PKCE downgrade), directly against the Client.

// forger builds ID tokens for one platform and one client clock.
type forger struct {
	t   *testing.T
	p   *linetest.Server
	now time.Time
}

// claims returns valid claims for nonce, as LINE would issue them at f.now.
func (f *forger) claims(nonce string) map[string]any {
	c := map[string]any{
		"iss": f.p.Issuer(), "sub": f.p.Users()[0].ID, "aud": f.p.ChannelID(),
		"exp": f.now.Add(time.Hour).Unix(), "iat": f.now.Unix(), "amr": []string{"linesso"},
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	return c
}

// sign signs with the platform: HS256 under the channel secret, ES256 under
// a key of its JWKS, anything else with a garbage signature.
func (f *forger) sign(header, claims map[string]any) string {
	f.t.Helper()
	tok, err := f.p.SignIDToken(header, claims)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

// hs256 signs header and claims with HMAC-SHA256 under key, whatever the
// key is: go-jose would refuse some of the keys attackers try.
func hs256(key []byte, header, claims any) string { return hmacJWT(sha256.New, key, header, claims) }

func hmacJWT(h func() hash.Hash, key []byte, header, claims any) string {
	input := segment(header) + "." + segment(claims)
	mac := hmac.New(h, key)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func segment(v any) string {
	if s, ok := v.(string); ok {
		return base64.RawURLEncoding.EncodeToString([]byte(s))
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// joseSign signs claims with go-jose under key (a private key or a
// jose.JSONWebKey carrying a kid), adding extra header members.
func joseSign(t testing.TB, alg jose.SignatureAlgorithm, key any, claims any, extra map[jose.HeaderKey]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, &jose.SignerOptions{ExtraHeaders: extra})
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// publishedJWKS returns the JWKS the platform publishes, as an attacker
// sees it.
func publishedJWKS(t *testing.T, p *linetest.Server) jose.JSONWebKeySet {
	t.Helper()
	resp, err := http.Get(p.APIURL() + linetest.PathCerts)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("JWKS: %v (%d keys)", err, len(set.Keys))
	}
	return set
}

func newECKey(t *testing.T, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func assertIDTokenRejected(t *testing.T, u *callback.User, err error) {
	t.Helper()
	var idErr *callback.TokenError
	if !errors.As(err, &idErr) || !errors.Is(err, callback.ErrInvalidToken) {
		t.Errorf("got user %+v, error %v; want an *TokenError", u, err)
	}
	if u != nil {
		t.Errorf("a user came back with the error: %+v", u)
	}
}

// TestSecurity_IDTokenConformance runs the OpenID Connect RP conformance
// cases for ID tokens: each forged token must fail with *TokenError,
// while the two controls (HS256 and ES256 as LINE signs them) pass, so that
// each case fails only for what it changes.
func TestSecurity_IDTokenConformance(t *testing.T) {
	p := linetest.NewServer(t, linetest.Config{CallbackURLs: []string{"https://app.example/callback"}})
	clock := testkit.NewClock(time.Now().Truncate(time.Second))
	c := newClient(t, p, clock)
	f := &forger{t: t, p: p, now: clock.Now()}
	const nonce = "0123456789abcdef0123456789abcdef"
	skew := callback.DefaultClockSkew
	jwks := publishedJWKS(t, p)
	kid := jwks.Keys[0].KeyID
	pubJSON, _ := json.Marshal(jwks.Keys[0])
	pub := jwks.Keys[0].Key.(*ecdsa.PublicKey)
	pubDER, _ := x509.MarshalPKIXPublicKey(pub)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	attackerEC := newECKey(t, elliptic.P256())
	attackerJWK, _ := json.Marshal(jose.JSONWebKey{Key: &attackerEC.PublicKey, Algorithm: "ES256", Use: "sig"})
	hs := map[string]any{"alg": "HS256", "typ": "JWT"}
	es := map[string]any{"alg": "ES256", "typ": "JWT"}
	with := func(m map[string]any, kv ...any) map[string]any {
		out := make(map[string]any, len(m)+len(kv)/2)
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(out, kv[i].(string))
				continue
			}
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	claims := func(kv ...any) map[string]any { return with(f.claims(nonce), kv...) }

	// The controls: if these fail, every rejection below proves nothing.
	for name, tok := range map[string]string{
		"HS256 under the channel secret":      f.sign(hs, claims()),
		"ES256 under the published key":       f.sign(es, claims()),
		"exp passed, within the clock skew":   f.sign(hs, claims("exp", f.now.Add(-skew+5*time.Second).Unix())),
		"iat ahead, within the clock skew":    f.sign(hs, claims("iat", f.now.Add(skew-5*time.Second).Unix())),
		"aud as a one-item list":              f.sign(hs, claims("aud", []string{p.ChannelID()})),
		"ES256 naming the published kid":      f.sign(with(es, "kid", kid), claims()),
		"claims LINE may add (unknown names)": f.sign(hs, claims("x-line", "1")),
	} {
		if u, err := c.VerifyIDToken(context.Background(), tok, nonce); err != nil || u.ID != p.Users()[0].ID {
			t.Fatalf("control %q: %+v, %v", name, u, err)
		}
	}

	noSig := func(tok string) string { return tok[:strings.LastIndex(tok, ".")+1] }
	flipSig := func(tok string) string {
		b := []byte(tok)
		i := strings.LastIndex(tok, ".") + 3
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	swapPayload := func(tok, other string) string {
		a, b := strings.Split(tok, "."), strings.Split(other, ".")
		return a[0] + "." + b[1] + "." + a[2]
	}
	cases := map[string]func(t *testing.T) string{
		// Signatures.
		"HS256 under another secret": func(*testing.T) string { return hs256([]byte(strings.Repeat("k", 32)), hs, claims()) },
		"HS256 under an empty key":   func(*testing.T) string { return hs256(nil, hs, claims()) },
		"HS256 signature altered":    func(*testing.T) string { return flipSig(f.sign(hs, claims())) },
		"HS256 signature stripped":   func(*testing.T) string { return noSig(f.sign(hs, claims())) },
		"HS256 payload swapped after signing": func(*testing.T) string {
			return swapPayload(f.sign(hs, claims()), f.sign(hs, claims("sub", "Uattacker")))
		},
		"ES256 signature altered":  func(*testing.T) string { return flipSig(f.sign(es, claims())) },
		"ES256 signature stripped": func(*testing.T) string { return noSig(f.sign(es, claims())) },
		"ES256 payload swapped after signing": func(*testing.T) string {
			return swapPayload(f.sign(es, claims()), f.sign(es, claims("sub", "Uattacker")))
		},
		"ES256 by an attacker's key under the published kid": func(t *testing.T) string {
			return joseSign(t, jose.ES256, jose.JSONWebKey{Key: attackerEC, KeyID: kid}, claims(), nil)
		},
		"ES256 by an attacker's key, no kid": func(t *testing.T) string { return joseSign(t, jose.ES256, attackerEC, claims(), nil) },
		"ES256 signature in DER, not R||S": func(t *testing.T) string {
			input := segment(with(es, "kid", kid)) + "." + segment(claims())
			sum := sha256.Sum256([]byte(input))
			der, err := ecdsa.SignASN1(rand.Reader, attackerEC, sum[:])
			if err != nil {
				t.Fatal(err)
			}
			return input + "." + base64.RawURLEncoding.EncodeToString(der)
		},
		// alg none and other algorithms.
		"alg none":                  func(*testing.T) string { return f.sign(with(hs, "alg", "none"), claims()) },
		"alg None":                  func(*testing.T) string { return f.sign(with(hs, "alg", "None"), claims()) },
		"alg NONE":                  func(*testing.T) string { return f.sign(with(hs, "alg", "NONE"), claims()) },
		"alg nOnE":                  func(*testing.T) string { return f.sign(with(hs, "alg", "nOnE"), claims()) },
		"alg none with a valid MAC": func(*testing.T) string { return hs256([]byte(p.ChannelSecret()), with(hs, "alg", "none"), claims()) },
		"alg empty":                 func(*testing.T) string { return hs256([]byte(p.ChannelSecret()), with(hs, "alg", ""), claims()) },
		"alg missing":               func(*testing.T) string { return hs256([]byte(p.ChannelSecret()), with(hs, "alg", nil), claims()) },
		"alg hs256 (lower case)":    func(*testing.T) string { return hs256([]byte(p.ChannelSecret()), with(hs, "alg", "hs256"), claims()) },
		"alg HS384 under the secret": func(*testing.T) string {
			return hmacJWT(sha512.New384, []byte(p.ChannelSecret()), with(hs, "alg", "HS384"), claims())
		},
		"alg HS512 under the secret": func(*testing.T) string {
			return hmacJWT(sha512.New, []byte(p.ChannelSecret()), with(hs, "alg", "HS512"), claims())
		},
		"alg ES384 by a P-384 key": func(t *testing.T) string {
			return joseSign(t, jose.ES384, newECKey(t, elliptic.P384()), claims(), nil)
		},
		"alg RS256 by an RSA key": func(t *testing.T) string {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			return joseSign(t, jose.RS256, k, claims(), nil)
		},
		"alg EdDSA": func(*testing.T) string { return f.sign(with(hs, "alg", "EdDSA"), claims()) },
		// alg spelt twice: go-jose reads names exactly, encoding/json folds
		// their case, so each would see another algorithm.
		"alg ES256 and ALG HS256, MAC under the secret": func(*testing.T) string {
			return hs256([]byte(p.ChannelSecret()), with(es, "kid", kid, "ALG", "HS256"), claims())
		},
		"alg HS256 and Alg ES256, MAC under the secret": func(*testing.T) string {
			return hs256([]byte(p.ChannelSecret()), with(hs, "Alg", "ES256"), claims())
		},
		// alg confusion: HMAC keyed with what the attacker knows of the
		// public key.
		"HS256 keyed with the public JWK JSON": func(*testing.T) string { return hs256(pubJSON, with(hs, "kid", kid), claims()) },
		"HS256 keyed with the public key PEM":  func(*testing.T) string { return hs256(pubPEM, with(hs, "kid", kid), claims()) },
		"HS256 keyed with the public key DER":  func(*testing.T) string { return hs256(pubDER, with(hs, "kid", kid), claims()) },
		"HS256 keyed with the point X||Y": func(t *testing.T) string {
			point, err := pub.Bytes() // 0x04 || X || Y
			if err != nil {
				t.Fatal(err)
			}
			return hs256(point[1:], with(hs, "kid", kid), claims())
		},
		"HS256 keyed with the kid": func(*testing.T) string { return hs256([]byte(kid), with(hs, "kid", kid), claims()) },
		// Keys named or carried by the token itself.
		"embedded jwk (attacker's key)": func(t *testing.T) string {
			var jwk map[string]any
			json.Unmarshal(attackerJWK, &jwk)
			return joseSign(t, jose.ES256, attackerEC, claims(), map[jose.HeaderKey]any{"jwk": jwk})
		},
		"jku to the attacker's JWKS": func(t *testing.T) string {
			return joseSign(t, jose.ES256, jose.JSONWebKey{Key: attackerEC, KeyID: "evil"}, claims(), map[jose.HeaderKey]any{"jku": "https://evil.example/jwks"})
		},
		"x5c chain": func(t *testing.T) string {
			return f.sign(with(es, "x5c", []string{base64.StdEncoding.EncodeToString(pubDER)}), claims())
		},
		"x5u": func(*testing.T) string { return f.sign(with(es, "x5u", "https://evil.example/cert.pem"), claims()) },
		"crit with b64=false": func(*testing.T) string {
			return hs256([]byte(p.ChannelSecret()), with(hs, "crit", []string{"b64"}, "b64", false), claims())
		},
		// kid.
		"ES256 with an unknown kid":             func(*testing.T) string { return f.sign(with(es, "kid", "not-published"), claims()) },
		"ES256 with a kid path traversal":       func(*testing.T) string { return f.sign(with(es, "kid", "../../../dev/null"), claims()) },
		"ES256 with the kid of a SQL injection": func(*testing.T) string { return f.sign(with(es, "kid", "x' OR '1'='1"), claims()) },
		// iss.
		"iss missing":             func(*testing.T) string { return f.sign(hs, claims("iss", nil)) },
		"iss empty":               func(*testing.T) string { return f.sign(hs, claims("iss", "")) },
		"iss of LINE's real host": func(*testing.T) string { return f.sign(hs, claims("iss", callback.DefaultAccessURL)) },
		"iss with a trailing /":   func(*testing.T) string { return f.sign(hs, claims("iss", p.Issuer()+"/")) },
		"iss in upper case":       func(*testing.T) string { return f.sign(hs, claims("iss", strings.ToUpper(p.Issuer()))) },
		"iss with https for http": func(*testing.T) string {
			return f.sign(hs, claims("iss", strings.Replace(p.Issuer(), "http://", "https://", 1)))
		},
		"iss with a path":      func(*testing.T) string { return f.sign(hs, claims("iss", p.Issuer()+"/evil")) },
		"iss as a suffix host": func(*testing.T) string { return f.sign(hs, claims("iss", p.Issuer()+".evil.example")) },
		"iss with a space":     func(*testing.T) string { return f.sign(hs, claims("iss", p.Issuer()+" ")) },
		"iss as a list":        func(*testing.T) string { return f.sign(hs, claims("iss", []string{p.Issuer()})) },
		"iss with a userinfo host": func(*testing.T) string {
			return f.sign(hs, claims("iss", "http://evil.example@"+p.Issuer()[len("http://"):]))
		},
		// aud.
		"aud missing":                 func(*testing.T) string { return f.sign(hs, claims("aud", nil)) },
		"aud empty":                   func(*testing.T) string { return f.sign(hs, claims("aud", "")) },
		"aud empty list":              func(*testing.T) string { return f.sign(hs, claims("aud", []string{})) },
		"aud of another channel":      func(*testing.T) string { return f.sign(hs, claims("aud", "9999999999")) },
		"aud with ours and another":   func(*testing.T) string { return f.sign(hs, claims("aud", []string{"9999999999", p.ChannelID()})) },
		"aud with ours twice":         func(*testing.T) string { return f.sign(hs, claims("aud", []string{p.ChannelID(), p.ChannelID()})) },
		"aud as a number":             func(*testing.T) string { return f.sign(hs, claims("aud", 1234567890)) },
		"aud with a leading space":    func(*testing.T) string { return f.sign(hs, claims("aud", " "+p.ChannelID())) },
		"aud as a prefix of ours":     func(*testing.T) string { return f.sign(hs, claims("aud", p.ChannelID()[:5])) },
		"aud as the channel + suffix": func(*testing.T) string { return f.sign(hs, claims("aud", p.ChannelID()+"0")) },
		// sub.
		"sub missing":     func(*testing.T) string { return f.sign(hs, claims("sub", nil)) },
		"sub empty":       func(*testing.T) string { return f.sign(hs, claims("sub", "")) },
		"sub as a number": func(*testing.T) string { return f.sign(hs, claims("sub", 42)) },
		"sub as a list":   func(*testing.T) string { return f.sign(hs, claims("sub", []string{p.Users()[0].ID})) },
		// exp.
		"exp missing":            func(*testing.T) string { return f.sign(hs, claims("exp", nil)) },
		"exp passed beyond skew": func(*testing.T) string { return f.sign(hs, claims("exp", f.now.Add(-skew-5*time.Second).Unix())) },
		"exp an hour ago":        func(*testing.T) string { return f.sign(hs, claims("exp", f.now.Add(-time.Hour).Unix())) },
		"exp zero":               func(*testing.T) string { return f.sign(hs, claims("exp", 0)) },
		"exp negative":           func(*testing.T) string { return f.sign(hs, claims("exp", -1)) },
		"exp not a number":       func(*testing.T) string { return f.sign(hs, claims("exp", "tomorrow")) },
		"exp as a list":          func(*testing.T) string { return f.sign(hs, claims("exp", []int64{f.now.Add(time.Hour).Unix()})) },
		// go-oidc reads a NumericDate given as a string; RFC 7519 and LINE
		// do not write one, so it is not LINE's token.
		"exp as a numeric string": func(*testing.T) string { return f.sign(hs, claims("exp", fmt.Sprint(f.now.Add(time.Hour).Unix()))) },
		"iat as a numeric string": func(*testing.T) string { return f.sign(hs, claims("iat", fmt.Sprint(f.now.Unix()))) },
		"ES256 exp passed":        func(*testing.T) string { return f.sign(es, claims("exp", f.now.Add(-time.Hour).Unix())) },
		// iat.
		"iat missing":             func(*testing.T) string { return f.sign(hs, claims("iat", nil)) },
		"iat ahead beyond skew":   func(*testing.T) string { return f.sign(hs, claims("iat", f.now.Add(skew+5*time.Second).Unix())) },
		"iat a day ahead":         func(*testing.T) string { return f.sign(hs, claims("iat", f.now.Add(24*time.Hour).Unix())) },
		"iat not a number":        func(*testing.T) string { return f.sign(hs, claims("iat", "now")) },
		"iat far in the future":   func(*testing.T) string { return f.sign(hs, claims("iat", int64(1)<<40)) },
		"nbf ten minutes ahead":   func(*testing.T) string { return f.sign(hs, claims("nbf", f.now.Add(10*time.Minute).Unix())) },
		"claims a JSON array":     func(*testing.T) string { return hs256([]byte(p.ChannelSecret()), hs, []any{claims()}) },
		"claims a JSON string":    func(*testing.T) string { return hs256([]byte(p.ChannelSecret()), hs, `"hello"`) },
		"claims JSON null":        func(*testing.T) string { return hs256([]byte(p.ChannelSecret()), hs, `null`) },
		"claims not JSON":         func(*testing.T) string { return hs256([]byte(p.ChannelSecret()), hs, `{"sub":`) },
		"distributed claim empty": func(*testing.T) string { return f.sign(hs, claims("_claim_names", map[string]string{"email": ""})) },
		// nonce.
		"nonce missing":             func(*testing.T) string { return f.sign(hs, claims("nonce", nil)) },
		"nonce empty":               func(*testing.T) string { return f.sign(hs, claims("nonce", "")) },
		"nonce of another login":    func(*testing.T) string { return f.sign(hs, claims("nonce", strings.Repeat("f", 32))) },
		"nonce in upper case":       func(*testing.T) string { return f.sign(hs, claims("nonce", strings.ToUpper(nonce))) },
		"nonce as a prefix":         func(*testing.T) string { return f.sign(hs, claims("nonce", nonce[:31])) },
		"nonce with a suffix":       func(*testing.T) string { return f.sign(hs, claims("nonce", nonce+"0")) },
		"nonce as a list":           func(*testing.T) string { return f.sign(hs, claims("nonce", []string{nonce})) },
		"nonce with a NUL appended": func(*testing.T) string { return f.sign(hs, claims("nonce", nonce+"\x00")) },
		"ES256 nonce missing":       func(*testing.T) string { return f.sign(es, claims("nonce", nil)) },
	}
	for name, forge := range cases {
		t.Run(name, func(t *testing.T) {
			u, err := c.VerifyIDToken(context.Background(), forge(t), nonce)
			assertIDTokenRejected(t, u, err)
		})
	}
}

// TestSecurity_IDTokenMalformedInputIsRejectedQuickly feeds tokens of every
// shape and size: each is an *TokenError within a few milliseconds (a
// generous bound under -race), never a panic, never a JWKS fetch.
func TestSecurity_IDTokenMalformedInputIsRejectedQuickly(t *testing.T) {
	p := linetest.NewServer(t, linetest.Config{CallbackURLs: []string{"https://app.example/callback"}})
	c := newClient(t, p, nil)
	valid, _ := p.SignIDToken(map[string]any{"alg": "HS256"}, liffClaims(p, ""))
	parts := strings.Split(valid, ".")
	nested := `{"alg":"HS256","x":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`
	jsonSerialized := `{"payload":"` + parts[1] + `","signatures":[{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"},{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"}]}`
	cases := map[string]string{
		"empty":                        "",
		"one dot":                      ".",
		"two dots":                     "..",
		"three dots":                   "...",
		"a megabyte of dots":           strings.Repeat(".", 1<<20),
		"just under the cap, dots":     strings.Repeat(".", 16<<10-1),
		"just over the cap, dots":      strings.Repeat(".", 16<<10+1),
		"a megabyte of base64":         strings.Repeat("A", 1<<20),
		"a valid token padded to 1 MB": valid + strings.Repeat("A", 1<<20),
		"a.b.c":                        "a.b.c",
		"header not base64":            "!!!." + parts[1] + "." + parts[2],
		"header not JSON":              segment("not json") + "." + parts[1] + "." + parts[2],
		"header a JSON list":           segment("[]") + "." + parts[1] + "." + parts[2],
		"header nested 5000 deep":      segment(nested) + "." + parts[1] + "." + parts[2],
		"payload nested 5000 deep":     parts[0] + "." + segment(`{"a":`+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+`}`) + "." + parts[2],
		"padding in segments":          parts[0] + "==." + parts[1] + "." + parts[2],
		"standard base64 alphabet":     strings.NewReplacer("-", "+", "_", "/").Replace(valid) + "+/",
		"JWE shape (five parts)":       parts[0] + "." + parts[1] + "." + parts[2] + ".x.y",
		"four parts":                   valid + ".x",
		"two parts":                    parts[0] + "." + parts[1],
		"JSON serialization":           jsonSerialized,
		"NUL bytes":                    "\x00.\x00.\x00",
		"non-ASCII":                    "ü.ü.ü",
		"whitespace around":            " " + valid + " ",
		"Bearer prefix":                "Bearer " + valid,
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			u, err := c.VerifyIDToken(context.Background(), raw, "")
			assertIDTokenRejected(t, u, err)
			// A hang detector, not a speed test (benchmarks measure speed).
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v to reject", d)
			}
		})
	}
	if n := p.Count(linetest.PathCerts); n != 0 {
		t.Errorf("malformed HS256-shaped tokens fetched the JWKS %d times", n)
	}
	if _, err := c.VerifyIDToken(context.Background(), valid, ""); err != nil {
		t.Fatalf("control: the valid token: %v", err)
	}
}

// TestSecurity_IDTokenWithWhitespaceIsMalformed: a compact JWS is three
// base64url segments and nothing else (RFC 7515 section 7.1). go-jose
// strips whitespace before parsing, so a signed token with a line break or
// a space inside would still verify: the same token under many spellings,
// each a distinct key for anything keyed by the raw token (the bearer
// cache). Such input must be rejected as malformed.
func TestSecurity_IDTokenWithWhitespaceIsMalformed(t *testing.T) {
	p := linetest.NewServer(t, linetest.Config{CallbackURLs: []string{"https://app.example/callback"}})
	c := newClient(t, p, nil)
	valid, _ := p.SignIDToken(map[string]any{"alg": "HS256"}, liffClaims(p, ""))
	if _, err := c.VerifyIDToken(context.Background(), valid, ""); err != nil {
		t.Fatalf("control: %v", err)
	}
	parts := strings.Split(valid, ".")
	for name, raw := range map[string]string{
		"line feed in the payload":    parts[0] + "." + parts[1][:10] + "\n" + parts[1][10:] + "." + parts[2],
		"CRLF before the payload":     parts[0] + ".\r\n" + parts[1] + "." + parts[2],
		"space before the signature":  parts[0] + "." + parts[1] + ". " + parts[2],
		"tab inside the signature":    parts[0] + "." + parts[1] + "." + parts[2][:5] + "\t" + parts[2][5:],
		"trailing newline":            valid + "\n",
		"space inside the ES256 form": strings.Replace(mustIssueLIFF(t, p), ".", ". ", 2),
	} {
		t.Run(name, func(t *testing.T) {
			u, err := c.VerifyIDToken(context.Background(), raw, "")
			assertIDTokenRejected(t, u, err)
		})
	}
}

func mustIssueLIFF(t *testing.T, p *linetest.Server) string {
	t.Helper()
	tok, err := p.IssueLIFFIDToken(p.Users()[0].ID, "")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestSecurity_SigningKeyRotation follows LINE rotating its ES256 key:
// tokens under the old key verify while it is published, tokens under the
// new key verify without a restart, and once the old key is withdrawn its
// tokens fail.
func TestSecurity_SigningKeyRotation(t *testing.T) {
	p := linetest.NewServer(t, linetest.Config{CallbackURLs: []string{"https://app.example/callback"}})
	clock := testkit.NewClock(time.Now())
	c := newClient(t, p, clock)
	ctx := context.Background()
	es := func() map[string]any { return map[string]any{"alg": "ES256"} }
	oldTok, _ := p.SignIDToken(es(), liffClaims(p, ""))
	if _, err := c.VerifyIDToken(ctx, oldTok, ""); err != nil {
		t.Fatalf("token under the first key: %v", err)
	}
	newKID := p.RotateSigningKey()
	clock.Advance(callback.DefaultKeyCooldown + time.Second)
	newTok, _ := p.SignIDToken(es(), liffClaims(p, ""))
	if !strings.Contains(string(mustDecodeSegment(t, newTok)), newKID) {
		t.Fatal("the new token does not name the new kid")
	}
	if _, err := c.VerifyIDToken(ctx, newTok, ""); err != nil {
		t.Fatalf("token under the rotated key: %v", err)
	}
	if _, err := c.VerifyIDToken(ctx, oldTok, ""); err != nil {
		t.Fatalf("token under the old key, still published: %v", err)
	}
	p.RemoveOldSigningKeys()
	// Force a refetch: a token naming an unknown kid after the cooldown.
	clock.Advance(callback.DefaultKeyCooldown + time.Second)
	unknown, _ := p.SignIDToken(map[string]any{"alg": "ES256", "kid": "unknown"}, liffClaims(p, ""))
	u, err := c.VerifyIDToken(ctx, unknown, "")
	assertIDTokenRejected(t, u, err)
	u, err = c.VerifyIDToken(ctx, oldTok, "")
	assertIDTokenRejected(t, u, err)
	if _, err := c.VerifyIDToken(ctx, newTok, ""); err != nil {
		t.Errorf("token under the current key after the old one went: %v", err)
	}
}

func mustDecodeSegment(t *testing.T, tok string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSecurity_JWKSKeysOfTheWrongKindNeverVerify serves JWKS entries
// linetest does not publish (RSA, P-384, symmetric, encryption keys, keys
// declared for another alg) from a JWKS server of our own: a token signed by
// the matching private key is rejected every time, while the control (a
// P-256 signing key) verifies.
func TestSecurity_JWKSKeysOfTheWrongKindNeverVerify(t *testing.T) {
	const issuer, channel, secret = "https://access.line.test", "1234567890", linetest.DefaultChannelSecret
	now := time.Now()
	claims := map[string]any{"iss": issuer, "sub": "Uabc", "aud": channel, "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
	p256 := newECKey(t, elliptic.P256())
	p384 := newECKey(t, elliptic.P384())
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	octKey := []byte(strings.Repeat("o", 32))
	type jwksCase struct {
		published jose.JSONWebKey
		token     func(t *testing.T) string
		accept    bool
	}
	cases := map[string]jwksCase{
		"control: P-256 signing key": {
			published: jose.JSONWebKey{Key: &p256.PublicKey, KeyID: "k", Algorithm: "ES256", Use: "sig"},
			token: func(t *testing.T) string {
				return joseSign(t, jose.ES256, jose.JSONWebKey{Key: p256, KeyID: "k"}, claims, nil)
			},
			accept: true,
		},
		"P-256 key for encryption": {
			published: jose.JSONWebKey{Key: &p256.PublicKey, KeyID: "k", Use: "enc"},
			token: func(t *testing.T) string {
				return joseSign(t, jose.ES256, jose.JSONWebKey{Key: p256, KeyID: "k"}, claims, nil)
			},
		},
		"P-256 key declared for ES384": {
			published: jose.JSONWebKey{Key: &p256.PublicKey, KeyID: "k", Algorithm: "ES384"},
			token: func(t *testing.T) string {
				return joseSign(t, jose.ES256, jose.JSONWebKey{Key: p256, KeyID: "k"}, claims, nil)
			},
		},
		"RSA key, RS256 token": {
			published: jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "k", Algorithm: "RS256", Use: "sig"},
			token: func(t *testing.T) string {
				return joseSign(t, jose.RS256, jose.JSONWebKey{Key: rsaKey, KeyID: "k"}, claims, nil)
			},
		},
		"RSA key, ES256 token naming it": {
			published: jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "k", Use: "sig"},
			token: func(t *testing.T) string {
				return joseSign(t, jose.ES256, jose.JSONWebKey{Key: p256, KeyID: "k"}, claims, nil)
			},
		},
		"P-384 key, ES384 token": {
			published: jose.JSONWebKey{Key: &p384.PublicKey, KeyID: "k", Use: "sig"},
			token: func(t *testing.T) string {
				return joseSign(t, jose.ES384, jose.JSONWebKey{Key: p384, KeyID: "k"}, claims, nil)
			},
		},
		"symmetric key, HS256 token naming it": {
			published: jose.JSONWebKey{Key: octKey, KeyID: "k", Algorithm: "HS256", Use: "sig"},
			token: func(t *testing.T) string {
				return hs256(octKey, map[string]any{"alg": "HS256", "kid": "k"}, claims)
			},
		},
		"symmetric key, ES256 token naming it": {
			published: jose.JSONWebKey{Key: octKey, KeyID: "k", Use: "sig"},
			token: func(t *testing.T) string {
				return joseSign(t, jose.ES256, jose.JSONWebKey{Key: p256, KeyID: "k"}, claims, nil)
			},
		},
		"private P-256 key published by mistake, token by another key": {
			published: jose.JSONWebKey{Key: p256, KeyID: "k", Use: "sig"},
			token: func(t *testing.T) string {
				return joseSign(t, jose.ES256, jose.JSONWebKey{Key: newECKey(t, elliptic.P256()), KeyID: "k"}, claims, nil)
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			body, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{tc.published}})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != linetest.PathCerts {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write(body)
			}))
			defer srv.Close()
			c, err := callback.New(callback.Config{
				ChannelID: channel, ChannelSecret: secret, RedirectURL: "https://app.example/callback",
				AccessURL: issuer, APIURL: srv.URL, Timeout: time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			u, err := c.VerifyIDToken(context.Background(), tc.token(t), "")
			if tc.accept {
				if err != nil {
					t.Fatalf("control rejected: %v", err)
				}
				return
			}
			assertIDTokenRejected(t, u, err)
		})
	}
}

// TestSecurity_CertsOutageIsUpstreamNotABadToken: when LINE's JWKS cannot
// be fetched, an ES256 token is not "forged" but unverifiable for now; the
// error must say LINE is unavailable (502 at the callback, 503 in bearer
// mode), within the timeout, and never let the token through.
func TestSecurity_CertsOutageIsUpstreamNotABadToken(t *testing.T) {
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	for name, fault := range map[string]linetest.Fault{
		"500":            {Status: http.StatusInternalServerError},
		"429":            {Status: http.StatusTooManyRequests},
		"HTML":           {Body: "<html>maintenance</html>", Header: http.Header{"Content-Type": {"text/html"}}},
		"truncated JSON": {Body: `{"keys":[{"kty":"EC",`, Header: jsonHeader},
		"hang":           {Delay: 10 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			p := linetest.NewServer(t, linetest.Config{CallbackURLs: []string{"https://app.example/callback"}})
			c := newClient(t, p, nil) // Timeout: 1s
			tok, err := p.IssueLIFFIDToken(p.Users()[0].ID, "")
			if err != nil {
				t.Fatal(err)
			}
			p.SetFault(linetest.PathCerts, fault)
			start := time.Now()
			u, err := c.VerifyIDToken(context.Background(), tok, "")
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v with a 1s timeout", d)
			}
			if u != nil || err == nil {
				t.Fatalf("token accepted with the JWKS unavailable: %+v", u)
			}
			if !errors.Is(err, callback.ErrUpstream) {
				t.Errorf("error %q: want errors.Is(err, callback.ErrUpstream), so that the app answers 502/503, not 401", err)
			}
		})
	}
}

// TestSecurity_JWKSRecoversAfterAnOutage: once LINE's JWKS is back, ES256
// tokens verify again within a couple of seconds; until then they are
// ErrUpstream (LINE unavailable), never ErrInvalidToken: a failed fetch must not
// leave an empty key set that rejects good tokens as forged for a whole
// refetch cooldown.
func TestSecurity_JWKSRecoversAfterAnOutage(t *testing.T) {
	p := linetest.NewServer(t, linetest.Config{CallbackURLs: []string{"https://app.example/callback"}})
	clock := testkit.NewClock(time.Now())
	c := newClient(t, p, clock)
	tok := mustIssueLIFF(t, p)
	p.SetFault(linetest.PathCerts, linetest.Fault{Status: http.StatusServiceUnavailable})
	if _, err := c.VerifyIDToken(context.Background(), tok, ""); !errors.Is(err, callback.ErrUpstream) {
		t.Fatalf("during the outage: %v, want ErrUpstream", err)
	}
	p.ClearFaults()
	// Within the back-off after a failed fetch, the failure stands: LINE
	// is not asked again at once.
	if _, err := c.VerifyIDToken(context.Background(), tok, ""); !errors.Is(err, callback.ErrUpstream) {
		t.Fatalf("right after LINE recovered: %v, want ErrUpstream while backing off", err)
	}
	clock.Advance(time.Second)
	if u, err := c.VerifyIDToken(context.Background(), tok, ""); err != nil || u.ID != p.Users()[0].ID {
		t.Fatalf("after the back-off: %v, %v; want the user", u, err)
	}
}

// authorizeCode sends the browser to LINE's authorize URL (auto-approved)
// and returns the code LINE redirects back with.
func authorizeCode(t *testing.T, p *linetest.Server, authorizeURL string) string {
	t.Helper()
	client := testkit.NoRedirects(&http.Client{})
	resp, err := client.Get(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %v", resp.StatusCode, err)
	}
	if e := loc.Query().Get("error"); e != "" {
		t.Fatalf("authorize error %s: %s", e, loc.Query().Get("error_description"))
	}
	return loc.Query().Get("code")
}

func newAutoApprovePlatform(t *testing.T) *linetest.Server {
	t.Helper()
	p := linetest.NewServer(t, linetest.Config{CallbackURLs: []string{"https://app.example/callback"}})
	p.SetAutoApprove(p.Users()[0].ID)
	return p
}

// TestSecurity_ExchangeChecksTheFlowBeforeCallingLINE: a forged, foreign,
// expired or empty callback fails before the token endpoint is called, so a
// code an attacker injects is never spent on their behalf.
func TestSecurity_ExchangeChecksTheFlowBeforeCallingLINE(t *testing.T) {
	p := newAutoApprovePlatform(t)
	c := newClient(t, p, nil)
	other := newAttempt()
	cases := map[string]struct {
		resp func(f callback.Attempt, code string) callback.Response
		want error
	}{
		"state of another flow (CSRF)": {
			resp: func(_ callback.Attempt, code string) callback.Response {
				return callback.Response{Code: code, State: other.State}
			},
			want: callback.ErrState,
		},
		"state missing": {
			resp: func(_ callback.Attempt, code string) callback.Response { return callback.Response{Code: code} },
			want: callback.ErrState,
		},
		"state with a different case": {
			resp: func(f callback.Attempt, code string) callback.Response {
				return callback.Response{Code: code, State: strings.ToLower(f.State)}
			},
			want: callback.ErrState,
		},
		"state as a prefix": {
			resp: func(f callback.Attempt, code string) callback.Response {
				return callback.Response{Code: code, State: f.State[:len(f.State)-1]}
			},
			want: callback.ErrState,
		},
		"code missing": {
			resp: func(f callback.Attempt, _ string) callback.Response { return callback.Response{State: f.State} },
			want: callback.ErrCodeRejected,
		},
		"LINE's error with a code alongside": {
			resp: func(f callback.Attempt, code string) callback.Response {
				return callback.Response{Code: code, State: f.State, Err: &callback.AuthError{Code: "ACCESS_DENIED"}}
			},
			want: callback.ErrAuthorization,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newAttempt()
			code := authorizeCode(t, p, authURL(t, c, f))
			before := p.Count(linetest.PathToken)
			login, err := c.Exchange(context.Background(), f, tc.resp(f, code))
			if !errors.Is(err, tc.want) || login != nil {
				t.Errorf("Exchange = %v, %v; want %v", login, err, tc.want)
			}
			if n := p.Count(linetest.PathToken) - before; n != 0 {
				t.Errorf("the token endpoint was called %d times", n)
			}
		})
	}
	// The control: the same flow and code, untouched, log in.
	f := newAttempt()
	code := authorizeCode(t, p, authURL(t, c, f))
	if _, err := c.Exchange(context.Background(), f, callback.Response{Code: code, State: f.State}); err != nil {
		t.Fatalf("control: %v", err)
	}
}

// TestSecurity_PKCEIsS256AndBindsTheCodeToItsFlow: every authorize URL
// asks for S256 (never plain) with the challenge of the verifier the token
// request sends; a code issued for another flow (code injection), or to an
// authorize request stripped of its challenge or given an attacker's
// (PKCE downgrade), is refused by LINE.
func TestSecurity_PKCEIsS256AndBindsTheCodeToItsFlow(t *testing.T) {
	p := newAutoApprovePlatform(t)
	c := newClient(t, p, nil)
	ctx := context.Background()

	t.Run("S256 challenge of the verifier sent", func(t *testing.T) {
		for range 20 {
			f := newAttempt()
			u, _ := url.Parse(authURL(t, c, f))
			q := u.Query()
			sum := sha256.Sum256([]byte(f.Verifier))
			if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") != base64.RawURLEncoding.EncodeToString(sum[:]) {
				t.Fatalf("authorize URL %s: want S256 of the flow's verifier", u)
			}
			if strings.Contains(u.RawQuery, "plain") || strings.Contains(u.RawQuery, f.Verifier) {
				t.Fatalf("authorize URL leaks the verifier or asks for plain: %s", u)
			}
			if len(f.Verifier) < 43 || len(f.Verifier) > 128 {
				t.Fatalf("verifier of %d characters", len(f.Verifier))
			}
		}
		f := newAttempt()
		p.ResetRequests()
		code := authorizeCode(t, p, authURL(t, c, f))
		if _, err := c.Exchange(ctx, f, callback.Response{Code: code, State: f.State}); err != nil {
			t.Fatal(err)
		}
		var sent string
		for _, r := range p.Requests() {
			if r.Path == linetest.PathToken {
				sent = r.Form.Get("code_verifier")
			}
		}
		if sent != f.Verifier {
			t.Errorf("token request sent code_verifier %q, want the flow's", sent)
		}
	})

	downgrades := map[string]func(q url.Values){
		"challenge stripped": func(q url.Values) {
			q.Del("code_challenge")
			q.Del("code_challenge_method")
		},
		"attacker's challenge": func(q url.Values) {
			sum := sha256.Sum256([]byte(newAttempt().Verifier))
			q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		},
	}
	for name, tamper := range downgrades {
		t.Run(name, func(t *testing.T) {
			f := newAttempt()
			u, _ := url.Parse(authURL(t, c, f))
			q := u.Query()
			tamper(q)
			u.RawQuery = q.Encode()
			code := authorizeCode(t, p, u.String())
			login, err := c.Exchange(ctx, f, callback.Response{Code: code, State: f.State})
			if !errors.Is(err, callback.ErrCodeRejected) || login != nil {
				t.Errorf("Exchange after %s: %v, %v; want ErrCodeRejected", name, login, err)
			}
		})
	}

	t.Run("code of another flow injected", func(t *testing.T) {
		victim, attacker := newAttempt(), newAttempt()
		victimCode := authorizeCode(t, p, authURL(t, c, victim))
		login, err := c.Exchange(ctx, attacker, callback.Response{Code: victimCode, State: attacker.State})
		if !errors.Is(err, callback.ErrCodeRejected) || login != nil {
			t.Errorf("victim's code in the attacker's flow: %v, %v; want ErrCodeRejected", login, err)
		}
	})
}

// TestSecurity_ParseResponseIgnoresInjectedParameters: only LINE's
// parameters are read, the first of repeated ones, and none of them can
// name a token endpoint, issuer or redirect (mix-up).
func TestSecurity_ParseResponseIgnoresInjectedParameters(t *testing.T) {
	v := url.Values{
		"code":         {"c1", "c2"},
		"state":        {"s1", "s2"},
		"iss":          {"https://evil.example"},
		"redirect_uri": {"https://evil.example/cb"},
		"token_uri":    {"https://evil.example/token"},
		"id_token":     {"forged"},
	}
	r := callback.ParseResponse(v)
	if r.Code != "c1" || r.State != "s1" || r.Err != nil || r.FriendshipStatusChanged != nil {
		t.Errorf("ParseResponse = %+v", r)
	}
	for _, bad := range []string{"error", "errorCode"} {
		r := callback.ParseResponse(url.Values{bad: {strings.Repeat("x", 3000)}, "code": {"c"}, "state": {"s"}})
		if r.Err != nil {
			t.Errorf("over-long %s kept: %+v", bad, r.Err)
		}
	}
	for _, s := range []string{"yes", "1x", strings.Repeat("t", 3000)} {
		if r := callback.ParseResponse(url.Values{"friendship_status_changed": {s}}); r.FriendshipStatusChanged != nil {
			t.Errorf("friendship_status_changed=%q parsed as %v", s, *r.FriendshipStatusChanged)
		}
	}
}
