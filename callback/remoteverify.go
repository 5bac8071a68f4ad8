package callback

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// IDTokenVerifier verifies an ID token that a LIFF or native app sent, and
// returns its user. *Client verifies locally (HS256 with the channel
// secret, ES256 with LINE's JWKS); LINEVerifier asks LINE.
type IDTokenVerifier interface {
	VerifyIDToken(ctx context.Context, raw, nonce string) (*User, error)
}

var (
	_ IDTokenVerifier = (*Client)(nil)
	_ IDTokenVerifier = LINEVerifier{}
)

// LINEVerifier verifies ID tokens with LINE's own endpoint, POST
// /oauth2/v2.1/verify, at the cost of a round trip per token (cache the
// result). Use it when the app would rather not hold the verification
// logic; *Client verifies the same tokens locally.
type LINEVerifier struct {
	Client *Client
}

// VerifyIDToken sends raw (and the nonce, when not empty) to LINE. A token
// LINE refuses gives an error matching ErrInvalidToken.
func (v LINEVerifier) VerifyIDToken(ctx context.Context, raw, nonce string) (*User, error) {
	c := v.Client
	if c == nil {
		return nil, fmt.Errorf("%w: LINEVerifier has no Client", ErrConfig)
	}
	if len(raw) > maxIDToken {
		return nil, &TokenError{Kind: kindIDToken, Reason: "ID token too large"}
	}
	// LINE checks aud against client_id: send the channel the token names
	// when it is one configured here, else the main one (and LINE refuses).
	ch := c.tokenChannel(raw)
	form := url.Values{"id_token": {raw}, "client_id": {ch.id}}
	if nonce != "" {
		form.Set("nonce", nonce)
	}
	req, err := http.NewRequest(http.MethodPost, c.cfg.APIURL+pathVerify, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var claims struct {
		Issuer   string   `json:"iss"`
		Subject  string   `json:"sub"`
		Audience string   `json:"aud"`
		Expiry   int64    `json:"exp"`
		Name     string   `json:"name"`
		Picture  string   `json:"picture"`
		Email    string   `json:"email"`
		AMR      []string `json:"amr"`
		AuthTime int64    `json:"auth_time"`
	}
	if err := c.http.do(ctx, "verify", req, &claims); err != nil {
		var ue *UpstreamError
		if errors.As(err, &ue) && ue.Status == http.StatusBadRequest {
			return nil, &TokenError{Kind: kindIDToken, Reason: ue.refusal()}
		}
		return nil, err
	}
	// LINE checked the signature, audience and expiry; check what it
	// returned anyway, so a broken answer cannot log anyone in.
	switch {
	case claims.Subject == "" || claims.Audience != ch.id || claims.Issuer != c.cfg.Issuer:
		return nil, &UpstreamError{Op: "verify", Status: http.StatusOK, Err: errors.New("unexpected claims")}
	case !time.Unix(claims.Expiry, 0).After(c.now().Add(-c.cfg.ClockSkew)):
		return nil, &TokenError{Kind: kindIDToken, Reason: "ID token expired"}
	}
	u := &User{ID: claims.Subject, DisplayName: claims.Name, PictureURL: claims.Picture, Email: claims.Email, AMR: claims.AMR, ChannelID: ch.id}
	if claims.AuthTime != 0 {
		u.AuthTime = time.Unix(claims.AuthTime, 0)
	}
	return u, nil
}
