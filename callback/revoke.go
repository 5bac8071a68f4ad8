package callback

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// Revoke revokes an access token at LINE (POST /oauth2/v2.1/revoke), as
// logout should. The refresh token dies with it.
func (c *Client) Revoke(ctx context.Context, accessToken string) error {
	form := url.Values{
		"access_token":  {accessToken},
		"client_id":     {c.cfg.ChannelID},
		"client_secret": {c.cfg.ChannelSecret},
	}
	req, err := http.NewRequest(http.MethodPost, c.cfg.APIURL+pathRevoke, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.http.do(ctx, "revoke", req, nil)
}
