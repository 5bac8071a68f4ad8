package callback

import (
	"context"
	"errors"
	"net/http"
)

// Profile is a LINE user's profile from GET /v2/profile.
type Profile struct {
	UserID        string `json:"userId"`
	DisplayName   string `json:"displayName"`
	PictureURL    string `json:"pictureUrl,omitempty"`
	StatusMessage string `json:"statusMessage,omitempty"`
}

// Profile fetches the profile of the user an access token belongs to.
func (c *Client) Profile(ctx context.Context, accessToken string) (*Profile, error) {
	req, err := http.NewRequest(http.MethodGet, c.cfg.APIURL+pathProfile, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	var p Profile
	if err := c.http.do(ctx, "profile", req, &p); err != nil {
		return nil, err
	}
	if p.UserID == "" {
		return nil, &UpstreamError{Op: "profile", Status: http.StatusOK, Err: errors.New("no userId in profile")}
	}
	return &p, nil
}
