package callback

import (
	"context"

	"golang.org/x/oauth2"
)

// Refresh gets a new access token with refreshToken (grant_type
// refresh_token). LINE answers with the same refresh token and no ID token.
// A refresh token LINE no longer accepts gives an error matching
// ErrRefreshRejected: the user must log in again.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(withEndpoint(ctx, "refresh"), c.cfg.Timeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.http.Client)
	// An expired token with only the refresh token makes x/oauth2 refresh.
	tok, err := c.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, tokenError("refresh", err)
	}
	c.setExpiry(tok)
	return tok, nil
}
