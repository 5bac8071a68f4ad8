package callback

import "crypto/subtle"

// Attempt is what one login attempt sent LINE, and what the callback that
// answers it must match. The middleware keeps one per login in an
// encrypted cookie; an app driving Client by hand keeps it wherever it
// keeps per-browser secrets, uses it once, and makes a new one per login.
type Attempt struct {
	// State names the attempt at the callback. LINE wants it alphanumeric
	// (it refuses URL-encoded values), with at least 128 random bits.
	State string
	// Nonce must come back inside the ID token.
	Nonce string
	// Verifier is the PKCE code_verifier (oauth2.GenerateVerifier); LINE
	// receives only its S256 challenge, so a stolen code is useless
	// without it.
	Verifier string
	// LoginOptions are this login's own authorize parameters, each
	// replacing the Config's when set; for example UILocales, the language
	// of the page the user came from, so that LINE's screens speak it too.
	// Exchange checks the ID token against this MaxAge, and a login whose
	// Scopes lack openid reads the user from the profile.
	LoginOptions
}

// matches compares state with the attempt's in constant time.
func (a Attempt) matches(state string) bool {
	return subtle.ConstantTimeCompare([]byte(a.State), []byte(state)) == 1
}
