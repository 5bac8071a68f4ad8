package middleware

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/session"
)

// refreshBefore is how long before its expiry an access token is renewed,
// so that a token handed out is good for a call or two.
const refreshBefore = 5 * time.Minute

// A renewal is remembered, by the SHA-256 of the access token it replaced,
// for refreshMemory and for at most refreshCacheSize sessions: long enough
// for the requests that still carry the old token (in flight when it was
// renewed, or a second tab) to get the same new token instead of renewing
// again, which LINE would refuse once the refresh token has been used.
const (
	refreshMemory    = 10 * time.Minute
	refreshCacheSize = 1000
)

// Token returns a valid access token of the request's session, to call
// LINE's APIs on the user's behalf (see callback.Client.Profile and
// Friendship). When the token is near its expiry and Config.Session.KeepRefreshToken
// is set, it is renewed with LINE and the session cookie is updated through
// w; concurrent renewals of one session make one call to LINE. When LINE
// rejects the refresh token, the session ends and Token fails with
// ErrLoginRequired: the next protected request asks the user to log in.
func (a *Auth) Token(w http.ResponseWriter, r *http.Request) (*oauth2.Token, error) {
	a, err := a.at(r)
	if err != nil {
		return nil, err
	}
	_, st := a.state(w, r)
	if st.unavailable != nil {
		return nil, st.unavailable
	}
	if st.session == nil || st.session.accessToken == "" {
		return nil, ErrLoginRequired
	}
	d := st.session
	tok := oauth2.Token{AccessToken: d.accessToken, TokenType: "Bearer", Expiry: d.tokenExpiry}
	now := a.cfg.Now()
	if d.tokenExpiry.IsZero() || d.tokenExpiry.Sub(now) > refreshBefore {
		return &tok, nil
	}
	if d.refreshToken == "" {
		if now.Before(d.tokenExpiry) {
			return &tok, nil
		}
		return nil, ErrLoginRequired
	}
	// Keyed by the old access token: every request still carrying it, at
	// once or later, gets the one renewal, and the session is swapped once,
	// inside it, not once per request (which would leave a session per
	// request, and could bring back one a logout had just ended).
	value := a.sessions.Value(r)
	rn, err := a.refreshes.get(sha256.Sum256([]byte(d.accessToken)), func() (renewal, time.Time, error) {
		// Others may wait on this renewal: it outlives a client that hangs
		// up, but not the configured timeouts.
		ctx := context.WithoutCancel(r.Context())
		t, err := a.client.Refresh(ctx, d.refreshToken)
		if err != nil {
			return renewal{}, time.Time{}, err
		}
		next := *d
		next.accessToken, next.tokenExpiry = t.AccessToken, t.Expiry
		if t.RefreshToken != "" {
			next.refreshToken = t.RefreshToken
		}
		saved, err := a.sessions.Renew(ctx, value, next.user.ID, next.encode())
		if errors.Is(err, sessioncookie.ErrNoSession) {
			// Logged out while LINE renewed the token: the new token must
			// not outlive the login either.
			if err := a.client.Revoke(ctx, t.AccessToken); err != nil {
				a.log.Warn("linelogin: revoking the token of a session ended during its renewal failed", "error", err)
			}
			return renewal{}, time.Time{}, ErrLoginRequired
		}
		if err != nil {
			return renewal{}, time.Time{}, err
		}
		a.sessionCache.forget(value)
		tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: "Bearer", Expiry: t.Expiry}
		return renewal{token: tok, session: saved}, t.Expiry, nil
	})
	if errors.Is(err, callback.ErrRefreshRejected) {
		a.log.Info("linelogin: refresh token rejected, session ended", "error", err.Error())
		a.sessionCache.forget(value)
		if err := a.sessions.Destroy(w, r); err != nil {
			return nil, err
		}
		return nil, ErrLoginRequired
	}
	if err != nil {
		return nil, err
	}
	if err := a.sessions.SetRenewal(w, rn.session); err != nil {
		return nil, err
	}
	tok = *rn.token
	return &tok, nil
}

// renewal is what a shared renewal of a session's access token gives
// every request that took part: the new token and the renewed session's
// cookie.
type renewal struct {
	token   *oauth2.Token
	session sessioncookie.Renewal
}

// Unregister carries out a user's request to delete their account, as
// LINE's guidelines require: it deauthorizes the app at LINE with the
// channel's channelAccessToken (every token the user granted stops
// working), ends the user's sessions on every instance when the session
// store can (see RevokeUser), and ends this one.
func (s *UserSessions) Unregister(w http.ResponseWriter, r *http.Request, channelAccessToken string) error {
	a, err := s.a.at(r)
	if err != nil {
		return err
	}
	r, st := a.state(w, r)
	tok, err := a.Token(w, r)
	if err != nil {
		return err
	}
	if err := a.client.Deauthorize(r.Context(), channelAccessToken, tok.AccessToken); err != nil {
		return err
	}
	if err := a.sessions.RevokeOwner(r.Context(), st.user.ID); err != nil && !errors.Is(err, session.ErrRevocationUnsupported) {
		return err
	}
	a.sessionCache.forget(a.sessions.Value(r))
	a.emit(r.Context(), Event{Kind: EventRevoke, UserID: st.user.ID, AccountID: st.session.accountID})
	return a.sessions.Destroy(w, r)
}
