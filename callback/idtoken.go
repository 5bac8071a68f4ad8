package callback

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"
)

// maxIDToken bounds the ID tokens looked at: LINE's are about a kilobyte.
// Anything larger is rejected before it is parsed.
const maxIDToken = 16 << 10

// idClaims are the claims go-oidc leaves to us. Their types are strict:
// go-oidc accepts a NumericDate given as a JSON string, RFC 7519 does not,
// and neither does LINE, so exp, iat and auth_time are decoded here again
// as numbers and a string fails the token.
type idClaims struct {
	Expiry   *int64   `json:"exp"`
	Name     string   `json:"name"`
	Picture  string   `json:"picture"`
	Email    string   `json:"email"`
	AMR      []string `json:"amr"`
	AuthTime *int64   `json:"auth_time"`
	IssuedAt *int64   `json:"iat"`
}

// VerifyIDToken verifies an ID token issued for this channel or one of
// Config.ExtraChannels (HS256 under that channel's own secret, or ES256
// under LINE's JWKS), and returns its user, whose ChannelID names the
// channel. The nonce is compared when nonce is not empty: a login callback
// always passes its flow's nonce, so a token without one fails there; a
// LIFF app passes the nonce it supplied, if any.
func (c *Client) VerifyIDToken(ctx context.Context, raw, nonce string) (*User, error) {
	return c.verifyChannelIDToken(ctx, c.tokenChannel(raw), raw, nonce, 0)
}

// verifyIDToken verifies a login's ID token: web login is for the main
// channel only.
func (c *Client) verifyIDToken(ctx context.Context, raw, nonce string, maxAge time.Duration) (*User, error) {
	return c.verifyChannelIDToken(ctx, c.main, raw, nonce, maxAge)
}

func (c *Client) verifyChannelIDToken(ctx context.Context, ch *channel, raw, nonce string, maxAge time.Duration) (*User, error) {
	reject := func(reason string, err error) (*User, error) {
		return nil, &TokenError{Kind: kindIDToken, Reason: reason, Err: err}
	}
	if len(raw) > maxIDToken {
		return reject("too large", nil)
	}
	if !compactJWT(raw) {
		// go-jose skips whitespace inside a compact JWT; a token with any
		// is not one LINE issued, and must not verify.
		return reject("malformed", nil)
	}
	h, err := parseHeader(raw)
	if err != nil {
		return reject("malformed header", err)
	}
	// go-oidc flattens key-set errors into text; fetch an ES256 key first
	// so that an unreachable JWKS is reported as LINE being down (503),
	// not as a bad token.
	if h.Alg == string(algES256) {
		if _, err := c.jwks.key(ctx, h.Kid); errors.Is(err, ErrUpstream) {
			return nil, err
		}
	}
	tok, err := ch.verifier.Verify(withHeader(ctx, raw, h), raw)
	if err != nil {
		return reject("verification failed", err)
	}
	var claims idClaims
	if err := tok.Claims(&claims); err != nil {
		return reject("malformed claims", errors.New("claims do not decode"))
	}
	now, skew := c.now(), c.cfg.ClockSkew
	switch {
	case len(tok.Audience) != 1:
		// go-oidc accepts any audience list containing ours; LINE issues
		// exactly one, so more means a token minted for someone else too.
		return reject("audience is not exactly the channel ID", nil)
	case tok.Subject == "":
		return reject("no sub", nil)
	case claims.IssuedAt == nil:
		return reject("no iat", nil)
	case claims.Expiry == nil:
		return reject("no exp", nil)
	case time.Unix(*claims.IssuedAt, 0).After(now.Add(skew)):
		return reject("iat in the future", nil)
	case nonce != "" && subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(nonce)) != 1:
		return reject("nonce does not match", nil)
	}
	u := &User{
		ID:          tok.Subject,
		DisplayName: claims.Name,
		PictureURL:  claims.Picture,
		Email:       claims.Email,
		AMR:         claims.AMR,
		ChannelID:   ch.id,
	}
	if claims.AuthTime != nil {
		u.AuthTime = time.Unix(*claims.AuthTime, 0)
	}
	if maxAge > 0 {
		// With max_age, OpenID Connect makes auth_time mandatory, and the
		// authentication must be recent enough.
		if u.AuthTime.IsZero() {
			return reject("no auth_time although max_age was sent", nil)
		}
		if now.Sub(u.AuthTime) > maxAge+skew {
			return reject("auth_time older than max_age", nil)
		}
	}
	return u, nil
}

// compactJWT reports whether s is three base64url segments joined by dots,
// with nothing else.
func compactJWT(s string) bool {
	dots := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			dots++
		case !base64URL[c]:
			return false
		}
	}
	return dots == 2
}

// base64URL marks the bytes of the base64url alphabet.
var base64URL = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = true
	}
	return t
}()
