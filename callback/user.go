package callback

import (
	"time"

	"golang.org/x/oauth2"
)

// User is a LINE user whose identity the LINE Platform vouched for: read
// from a verified ID token, or from GET /v2/profile with a verified access
// token. Never build one from data a client sent.
type User struct {
	// ID is the user ID ("U" and 32 hex digits), unique per channel
	// provider. It is the key to link to an app's own accounts.
	ID          string
	DisplayName string
	PictureURL  string
	// Email is present only with the "email" scope and the user's consent.
	// LINE does not say it was verified: do not treat it as proof of
	// ownership.
	Email string
	// AMR lists the authentication methods, e.g. "pwd", "lineautologin",
	// "lineqr", "linesso", "mfa".
	AMR []string
	// AuthTime is when the user authenticated; zero unless max_age was
	// sent.
	AuthTime time.Time
	// ChannelID is the LINE Login channel that vouched for the user: the
	// configured channel for a web login, or the one a bearer token was
	// issued to, which may be one of Config.ExtraChannels.
	ChannelID string
	// FriendshipStatusChanged is LINE's friendship_status_changed: nil
	// unless LINE sent it (only with bot_prompt).
	FriendshipStatusChanged *bool
}

// Login is the result of a completed login.
type Login struct {
	User *User
	// Token holds the access token (and refresh token); the raw ID token is
	// not kept once verified.
	Token *oauth2.Token
	// Scopes are the scopes the user granted: LINE's token response lists
	// them, except email, which is here when the ID token carried an
	// address. A user may grant fewer than were asked for.
	Scopes []string
}
