package callback

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

// maxIDToken bounds the ID tokens looked at: LINE's are about a kilobyte.
// Anything larger is rejected before it is parsed.
const maxIDToken = 16 << 10

// idClaims are an ID token's claims, decoded once. Their types are
// strict: RFC 7519 makes exp, iat, nbf and auth_time numbers, and so does
// LINE, so a NumericDate given as a JSON string (which go-oidc would take)
// fails the token.
type idClaims struct {
	Issuer    string        `json:"iss"`
	Subject   string        `json:"sub"`
	Audience  audienceClaim `json:"aud"`
	Expiry    *int64        `json:"exp"`
	IssuedAt  *int64        `json:"iat"`
	NotBefore *int64        `json:"nbf"`
	Nonce     string        `json:"nonce"`
	AuthTime  *int64        `json:"auth_time"`
	Name      string        `json:"name"`
	Picture   string        `json:"picture"`
	Email     string        `json:"email"`
	AMR       []string      `json:"amr"`
	// ClaimNames and ClaimSources are OpenID Connect's distributed and
	// aggregated claims, which LINE never issues: a token with them is
	// refused rather than half understood.
	ClaimNames   json.RawMessage `json:"_claim_names"`
	ClaimSources json.RawMessage `json:"_claim_sources"`
}

// audienceClaim is aud, which RFC 7519 allows as one string or a list.
type audienceClaim []string

// UnmarshalJSON reads aud in either shape.
func (a *audienceClaim) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audienceClaim{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*a = list
	return nil
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
	if _, err := parseHeader(raw); err != nil {
		return reject("malformed header", err)
	}
	// The token is parsed once, here: go-jose refuses any alg but HS256 and
	// ES256 (and so "none") while parsing, and the key set verifies this
	// parse with the key the alg calls for.
	jws, err := jose.ParseSignedCompact(raw, idTokenAlgs)
	if err != nil {
		return reject("malformed or unsupported alg", err)
	}
	payload, err := ch.keys.verify(ctx, jws)
	if err != nil {
		// An unreachable JWKS is LINE being down (503), not a bad token.
		if errors.Is(err, ErrUpstream) {
			return nil, err
		}
		return reject("verification failed", err)
	}
	var claims idClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return reject("malformed claims", errors.New("claims do not decode"))
	}
	now, skew := c.cfg.Now(), c.cfg.ClockSkew
	switch {
	case claims.Issuer != c.cfg.Issuer:
		return reject("iss is not the issuer", nil)
	case len(claims.Audience) != 1 || claims.Audience[0] != ch.id:
		// LINE issues exactly one audience: more means a token minted for
		// someone else too.
		return reject("audience is not exactly the channel ID", nil)
	case claims.Subject == "":
		return reject("no sub", nil)
	case claims.ClaimNames != nil || claims.ClaimSources != nil:
		return reject("distributed or aggregated claims", nil)
	case claims.IssuedAt == nil:
		return reject("no iat", nil)
	case claims.Expiry == nil:
		return reject("no exp", nil)
	case time.Unix(*claims.Expiry, 0).Before(now.Add(-skew)):
		return reject("expired", &oidc.TokenExpiredError{Expiry: time.Unix(*claims.Expiry, 0)})
	case claims.NotBefore != nil && time.Unix(*claims.NotBefore, 0).After(now.Add(skew)):
		return reject("nbf in the future", nil)
	case time.Unix(*claims.IssuedAt, 0).After(now.Add(skew)):
		return reject("iat in the future", nil)
	case nonce != "" && subtle.ConstantTimeCompare([]byte(claims.Nonce), []byte(nonce)) != 1:
		return reject("nonce does not match", nil)
	}
	u := &User{
		ID:          claims.Subject,
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
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return dots == 2
}
