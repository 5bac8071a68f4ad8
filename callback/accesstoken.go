package callback

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// UserFromAccessToken returns the user an access token belongs to and when
// the token expires, as LINE's guide for native apps prescribes: verify the
// token with GET /oauth2/v2.1/verify (its client_id must be this channel or
// one of Config.ExtraChannels, which the user's ChannelID then names, and
// its expires_in positive), and read the user from GET /v2/profile. Never
// trust a profile a client sends. The two calls run concurrently; the
// profile is discarded unless the token verifies.
//
// A token LINE refuses gives an error matching ErrInvalidToken; an
// unreachable or broken LINE one matching ErrUpstream.
func (c *Client) UserFromAccessToken(ctx context.Context, token string) (*User, time.Time, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg         sync.WaitGroup
		profile    *Profile
		profileErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		profile, profileErr = c.Profile(ctx, token)
	}()
	expiresIn, channelID, err := c.verifyAccessToken(ctx, token)
	if err != nil {
		cancel() // the profile is of no use now
		wg.Wait()
		return nil, time.Time{}, err
	}
	wg.Wait()
	if profileErr != nil {
		var ue *UpstreamError
		if errors.As(profileErr, &ue) && ue.Status == http.StatusUnauthorized {
			return nil, time.Time{}, &TokenError{Kind: kindAccessToken, Reason: "profile refused the token"}
		}
		return nil, time.Time{}, profileErr
	}
	user := &User{ID: profile.UserID, DisplayName: profile.DisplayName, PictureURL: profile.PictureURL, ChannelID: channelID}
	return user, c.now().Add(expiresIn), nil
}

// verifyAccessToken checks token with LINE and returns how long it lives
// and the channel it was issued to.
func (c *Client) verifyAccessToken(ctx context.Context, token string) (time.Duration, string, error) {
	refuse := func(reason string) (time.Duration, string, error) {
		return 0, "", &TokenError{Kind: kindAccessToken, Reason: reason}
	}
	u := c.cfg.APIURL + pathVerify + "?" + url.Values{"access_token": {token}}.Encode()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return refuse("unusable token")
	}
	var body struct {
		ClientID  string          `json:"client_id"`
		ExpiresIn json.RawMessage `json:"expires_in"`
	}
	if err := c.http.do(ctx, "verify", req, &body); err != nil {
		var ue *UpstreamError
		if errors.As(err, &ue) && ue.Status >= 400 && ue.Status < 500 && ue.Status != http.StatusTooManyRequests {
			// LINE answers 400 for expired, revoked and unknown tokens.
			return refuse(ue.refusal())
		}
		return 0, "", err
	}
	if c.channelFor(body.ClientID) == nil {
		// A token for a channel not configured here: using it would let
		// any LINE app's users log in here (the "confused deputy" LINE's
		// guide warns of).
		return refuse("token issued to another channel")
	}
	// expires_in must be a positive JSON number; a string, a fraction,
	// zero or nothing is not a live token.
	secs, err := strconv.ParseInt(string(body.ExpiresIn), 10, 64)
	if err != nil || secs <= 0 {
		return refuse("expires_in is not a positive number")
	}
	return time.Duration(secs) * time.Second, body.ClientID, nil
}
