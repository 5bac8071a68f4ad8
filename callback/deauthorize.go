package callback

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
)

const pathDeauthorize = "/user/v1/deauthorize"

// Deauthorize removes the user's permission for the app, as LINE's
// guidelines require when a user deletes their account (POST
// /user/v1/deauthorize). channelAccessToken is a channel access token of
// the LINE Login channel (not the user's token); userAccessToken is the
// user's access token. Every token the user granted the channel stops
// working.
func (c *Client) Deauthorize(ctx context.Context, channelAccessToken, userAccessToken string) error {
	body, err := json.Marshal(map[string]string{"userAccessToken": userAccessToken})
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, c.cfg.APIURL+pathDeauthorize, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+channelAccessToken)
	req.Header.Set("Content-Type", "application/json")
	return c.http.do(ctx, "deauthorize", req, nil)
}
