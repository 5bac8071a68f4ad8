package callback

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Exchange completes the attempt a with LINE's response at the callback:
// it checks the state, swaps the code for tokens (sending the PKCE
// verifier), and verifies the ID token against a's nonce. Without the
// openid scope, the user is read from GET /v2/profile instead.
//
// The caller must have found a by resp.State, must not let it live past
// LINE's ten minutes for a code, and must never use it again, whatever the
// outcome: attempts are single-use. Like AuthCodeURL, it fails with
// ErrConfig if the Config has no RedirectURL.
func (c *Client) Exchange(ctx context.Context, a Attempt, resp Response) (*Login, error) {
	if err := c.webLogin(); err != nil {
		return nil, err
	}
	if resp.Err != nil {
		return nil, resp.Err
	}
	if !a.matches(resp.State) {
		return nil, ErrState
	}
	if resp.Code == "" {
		return nil, ErrCodeRejected
	}
	tok, err := c.exchange(ctx, resp.Code, a.Verifier)
	if err != nil {
		return nil, err
	}
	openid := c.openid
	if a.Scopes != nil {
		openid = slices.Contains(a.Scopes, "openid")
	}
	var user *User
	if openid {
		raw, _ := tok.Extra("id_token").(string)
		if raw == "" {
			return nil, &UpstreamError{Op: "token", Err: errors.New("no id_token although openid was requested")}
		}
		if user, err = c.verifyIDToken(ctx, raw, a.Nonce, c.maxAge(a)); err != nil {
			return nil, err
		}
	} else {
		p, err := c.Profile(ctx, tok.AccessToken)
		if err != nil {
			return nil, err
		}
		user = &User{ID: p.UserID, DisplayName: p.DisplayName, PictureURL: p.PictureURL, ChannelID: c.cfg.ChannelID}
	}
	user.FriendshipStatusChanged = resp.FriendshipStatusChanged
	asked := a.Scopes
	if asked == nil {
		asked = c.cfg.Scopes
	}
	return &Login{User: user, Token: tok, Scopes: grantedScopes(tok, asked, user)}, nil
}

func (c *Client) exchange(ctx context.Context, code, verifier string) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(withEndpoint(ctx, "token"), c.cfg.Timeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.http.Client)
	tok, err := c.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, tokenError("token", err)
	}
	c.setExpiry(tok)
	return tok, nil
}

// setExpiry dates the token's expiry by the configured clock, like every
// other time check here (x/oauth2 uses the wall clock).
func (c *Client) setExpiry(tok *oauth2.Token) {
	if tok.ExpiresIn > 0 {
		tok.Expiry = c.now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
}

// tokenError turns an x/oauth2 error into an *UpstreamError. A
// RetrieveError's message holds LINE's whole response body: only the
// status, the error code and the request ID are kept.
func tokenError(op string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		e := &UpstreamError{Op: op, Code: safeCode(re.ErrorCode), Message: capMessage(re.ErrorDescription)}
		if re.Response != nil {
			e.Status = re.Response.StatusCode
			e.RequestID = requestID(re.Response)
		}
		return e
	}
	return upstream(op, 0, err)
}

// grantedScopes are the scopes the user granted: the token response's
// scope, or those asked for when it has none (RFC 6749 section 5.1 lets a
// server leave out scope when it granted what was asked), with email only
// when the ID token carries an address: LINE never lists email in scope,
// even when the user granted it.
func grantedScopes(tok *oauth2.Token, asked []string, user *User) []string {
	scope, ok := tok.Extra("scope").(string)
	var granted []string
	if ok {
		granted = strings.Fields(scope)
	} else {
		granted = slices.DeleteFunc(slices.Clone(asked), func(s string) bool { return s == "email" })
	}
	if user.Email != "" && !slices.Contains(granted, "email") {
		granted = append(granted, "email")
	}
	return granted
}
