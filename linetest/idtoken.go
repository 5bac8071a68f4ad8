package linetest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// SetIDTokenHook installs h, called for every ID token the token endpoint
// issues from now on, until SetIDTokenHook(nil). h receives the JOSE header
// ({"alg":"HS256","typ":"JWT"}) and the claims, and may change both; the
// token is then signed according to header["alg"], as SignIDToken does.
// h runs without the platform's lock held.
func (p *Platform) SetIDTokenHook(h func(header, claims map[string]any)) {
	p.mu.Lock()
	p.idTokenHook = h
	p.mu.Unlock()
}

// webIDToken returns the HS256 ID token of a web login for code c.
func (p *Platform) webIDToken(c *authCode, now time.Time) (string, error) {
	u, _ := p.user(c.userID)
	claims := map[string]any{
		"iss": p.Issuer(),
		"sub": u.ID,
		"aud": p.channelID,
		"exp": now.Add(p.idTokenTTL).Unix(),
		"iat": now.Unix(),
	}
	if len(u.AMR) > 0 {
		claims["amr"] = u.AMR
	}
	if c.req.nonce != "" {
		claims["nonce"] = c.req.nonce
	}
	if c.req.maxAge {
		claims["auth_time"] = c.authTime.Unix()
	}
	if hasScope(c.req.scopes, "profile") {
		claims["name"] = u.DisplayName
		if u.PictureURL != "" {
			claims["picture"] = u.PictureURL
		}
	}
	if hasScope(c.req.scopes, "email") && u.Email != "" {
		claims["email"] = u.Email
	}
	// Web-login ID tokens are HS256 with the channel secret, and name no key.
	header := map[string]any{"alg": "HS256", "typ": "JWT"}

	p.mu.Lock()
	hook := p.idTokenHook
	p.mu.Unlock()
	if hook != nil {
		hook(header, claims)
	}
	return p.SignIDToken(header, claims)
}

// IssueLIFFIDToken returns an ID token like the one LIFF's liff.getIDToken()
// gives an app: ES256, signed with the current key (whose kid it names and
// which the JWKS publishes), with aud the channel ID and iss Issuer(). The nonce
// claim is left out when nonce is empty.
func (p *Platform) IssueLIFFIDToken(userID, nonce string) (string, error) {
	u, ok := p.user(userID)
	if !ok {
		return "", fmt.Errorf("linetest: issue LIFF ID token: %w: %q", ErrUnknownUser, userID)
	}
	now := p.clock()
	claims := map[string]any{
		"iss":  p.Issuer(),
		"sub":  u.ID,
		"aud":  p.channelID,
		"exp":  now.Add(p.idTokenTTL).Unix(),
		"iat":  now.Unix(),
		"name": u.DisplayName,
	}
	if u.PictureURL != "" {
		claims["picture"] = u.PictureURL
	}
	if len(u.AMR) > 0 {
		claims["amr"] = u.AMR
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	return p.SignIDToken(map[string]any{"alg": "ES256", "typ": "JWT"}, claims)
}

// SignIDToken returns a compact JWT of claims, signed according to
// header["alg"], for forging test tokens:
//
//   - "HS256": signed with the channel secret (never with a key the header
//     names);
//   - "ES256": signed with the current EC key, whose kid is set unless the
//     header names one; a kid of an older key still in the JWKS signs with
//     that key, and an unknown kid is kept, with the current key signing;
//   - "none": unsigned, "header.payload.";
//   - anything else, or no alg: the header as given and a garbage signature.
//
// The other header members are kept as given.
func (p *Platform) SignIDToken(header, claims map[string]any) (string, error) {
	var es *jose.JSONWebKey
	if alg, _ := header["alg"].(string); alg == "ES256" {
		k := p.currentKey()
		if kid, ok := header["kid"].(string); ok {
			if named := p.keyByID(kid); named != nil {
				k = named
			}
		}
		es = &jose.JSONWebKey{Key: k.priv, KeyID: k.kid}
	}
	token, err := signJWT(header, claims, []byte(p.channelSecret), es)
	if err != nil {
		return "", fmt.Errorf("linetest: sign ID token: %w", err)
	}
	return token, nil
}

// signJWT returns a compact JWT of claims signed according to
// header["alg"]: HS256 with hsKey, ES256 with es, "none" unsigned, and
// anything else with a garbage signature. The other header members are
// kept as given.
func signJWT(header, claims map[string]any, hsKey []byte, es *jose.JSONWebKey) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("claims: %w", err)
	}
	alg, _ := header["alg"].(string)
	if alg == "ES256" && es != nil {
		return signES256(header, payload, es)
	}
	h, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(payload)
	switch alg {
	case "HS256":
		// An HMAC over the signing input, as RFC 7515 defines it.
		mac := hmac.New(sha256.New, hsKey)
		io.WriteString(mac, input)
		return input + "." + enc.EncodeToString(mac.Sum(nil)), nil
	case "none":
		return input + ".", nil
	}
	return input + "." + randomURLSafe(32), nil
}

// signES256 signs payload with es through go-jose, keeping header's other
// members.
func signES256(header map[string]any, payload []byte, es *jose.JSONWebKey) (string, error) {
	opts := &jose.SignerOptions{ExtraHeaders: make(map[jose.HeaderKey]any, len(header))}
	for k, v := range header {
		if k != "alg" {
			opts.ExtraHeaders[jose.HeaderKey(k)] = v
		}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: *es}, opts)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// verifiedIDToken is the outcome of checking an ID token at POST verify:
// the claims, or LINE's error_description.
type verifiedIDToken struct {
	claims map[string]any
	reason string
}

// checkIDToken verifies an ID token as LINE's POST verify does: the
// signature (HS256 with the channel secret, or ES256 with a published key
// named by kid), the issuer, the audience (which must be clientID, the
// channel), the expiry, and nonce and userID when they are not empty.
func (p *Platform) checkIDToken(token, clientID, nonce, userID string) verifiedIDToken {
	invalid := func(reason string) verifiedIDToken { return verifiedIDToken{reason: reason} }
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.HS256, jose.ES256})
	if err != nil || len(jws.Signatures) != 1 {
		return invalid("Invalid IdToken.")
	}
	h := jws.Signatures[0].Protected
	var key any
	switch jose.SignatureAlgorithm(h.Algorithm) {
	case jose.HS256:
		key = []byte(p.channelSecret)
	case jose.ES256:
		k := p.keyByID(h.KeyID)
		if k == nil {
			return invalid("Invalid IdToken.")
		}
		key = &k.priv.PublicKey
	default:
		return invalid("Invalid IdToken.")
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return invalid("Invalid IdToken.")
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		// LINE's reference has one text for a malformed token and a bad
		// signature alike.
		return invalid("Invalid IdToken.")
	}

	if iss, _ := claims["iss"].(string); iss != p.Issuer() {
		return invalid("Invalid IdToken Issuer.")
	}
	if clientID != p.channelID || !audienceIs(claims["aud"], clientID) {
		return invalid("Invalid IdToken Audience.")
	}
	exp, _ := claims["exp"].(json.Number)
	if expUnix, err := exp.Int64(); err != nil || !p.clock().Before(time.Unix(expUnix, 0)) {
		return invalid("IdToken expired.")
	}
	if nonce != "" {
		if got, _ := claims["nonce"].(string); got != nonce {
			return invalid("Invalid IdToken Nonce.")
		}
	}
	if userID != "" {
		if sub, _ := claims["sub"].(string); sub != userID {
			return invalid("Invalid IdToken Subject Identifier.")
		}
	}
	return verifiedIDToken{claims: claims}
}

// audienceIs reports whether the aud claim, a string or an array of
// strings, is exactly want.
func audienceIs(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		return len(a) == 1 && a[0] == want
	}
	return false
}
