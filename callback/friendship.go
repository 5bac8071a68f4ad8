package callback

import (
	"context"
	"errors"
	"net/http"
)

const pathFriendship = "/friendship/v1/status"

// Friendship reports whether the user an access token belongs to is a
// friend of the LINE Official Account linked to the channel (GET
// /friendship/v1/status; needs the profile scope).
func (c *Client) Friendship(ctx context.Context, accessToken string) (bool, error) {
	req, err := http.NewRequest(http.MethodGet, c.cfg.APIURL+pathFriendship, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	var body struct {
		FriendFlag *bool `json:"friendFlag"`
	}
	if err := c.http.do(ctx, "friendship", req, &body); err != nil {
		return false, err
	}
	if body.FriendFlag == nil {
		return false, &UpstreamError{Op: "friendship", Status: http.StatusOK, Err: errors.New("no friendFlag")}
	}
	return *body.FriendFlag, nil
}
