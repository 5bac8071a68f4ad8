package callback

import (
	"context"
	"errors"

	"golang.org/x/oauth2"
)

// Exchange completes the flow f with LINE's response at the callback: it
// checks the state, swaps the code for tokens (sending the PKCE verifier),
// and verifies the ID token against f's nonce. Without the openid scope,
// the user is read from GET /v2/profile instead.
//
// The caller must have found f by resp.State and must never use f again,
// whatever the outcome: flows are single-use.
func (c *Client) Exchange(ctx context.Context, f *Flow, resp Response) (*Login, error) {
	if resp.Err != nil {
		return nil, resp.Err
	}
	if err := f.CheckState(resp.State); err != nil {
		return nil, err
	}
	if f.Expired(c.cfg.Now()) {
		return nil, ErrState
	}
	if resp.Code == "" {
		return nil, ErrCodeRejected
	}
	tok, err := c.exchange(ctx, resp.Code, f.Verifier)
	if err != nil {
		return nil, err
	}
	var user *User
	if c.openid {
		raw, _ := tok.Extra("id_token").(string)
		if raw == "" {
			return nil, &UpstreamError{Op: "token", Err: errors.New("no id_token although openid was requested")}
		}
		if user, err = c.verifyIDToken(ctx, raw, f.Nonce, c.cfg.MaxAge); err != nil {
			return nil, err
		}
	} else {
		p, err := c.Profile(ctx, tok.AccessToken)
		if err != nil {
			return nil, err
		}
		user = &User{ID: p.UserID, DisplayName: p.DisplayName, PictureURL: p.PictureURL}
	}
	user.FriendshipStatusChanged = resp.FriendshipStatusChanged
	return &Login{User: user, Token: tok, Flow: f}, nil
}

func (c *Client) exchange(ctx context.Context, code, verifier string) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.http.Client)
	tok, err := c.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err == nil {
		return tok, nil
	}
	// RetrieveError's message holds LINE's whole response body: keep the
	// status and the error code only.
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		e := &UpstreamError{Op: "token", Code: safeCode(re.ErrorCode)}
		if re.Response != nil {
			e.Status = re.Response.StatusCode
		}
		return nil, e
	}
	return nil, upstream("token", 0, err)
}
