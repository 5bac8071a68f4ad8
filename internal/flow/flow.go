// Package flow keeps login flows: what /login must remember for /callback
// (state, nonce, PKCE verifier, where to land), each in its own encrypted
// cookie named by its state.
package flow

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"golang.org/x/oauth2"

	"github.com/linelogin/linelogin/callback"
)

// TTL is how long a login flow lives: LINE's codes expire after ten
// minutes, so a flow older than that cannot finish anyway.
const TTL = 10 * time.Minute

// Flow is one login attempt. Each attempt has its own, so logins started
// in several tabs each finish.
type Flow struct {
	// State is sent to LINE and comes back at the callback; it names the
	// flow and proves the callback answers a login this browser started.
	State string `json:"s"`
	// Nonce is sent to LINE and must come back inside the ID token.
	Nonce string `json:"n"`
	// Verifier is the PKCE code_verifier; LINE receives only its S256
	// challenge, so a stolen code is useless without it.
	Verifier string `json:"v"`
	// ReturnTo is the local path to land on after login.
	ReturnTo string `json:"r"`
	// Created is when the flow began.
	Created time.Time `json:"c"`
	// LinkAccount, when set, makes the flow a connect: the app account
	// that was signed in when it started, and that must still be when it
	// ends, gets the LINE user linked.
	LinkAccount string `json:"l,omitempty"`
	// The login's own authorize parameters (callback.LoginOptions), chosen
	// by the app's code: the callback checks auth_time against this
	// MaxAge, not against anything the callback's request says.
	Scopes            []string `json:"sc,omitempty"`
	Prompt            string   `json:"p,omitempty"`
	MaxAge            int64    `json:"ma,omitempty"` // seconds
	BotPrompt         string   `json:"bp,omitempty"`
	UILocales         string   `json:"ul,omitempty"`
	InitialAMRDisplay string   `json:"ia,omitempty"`
}

// SetOptions binds the login's own authorize parameters to the flow.
func (f *Flow) SetOptions(o callback.LoginOptions) {
	f.Scopes, f.Prompt, f.BotPrompt = o.Scopes, o.Prompt, o.BotPrompt
	f.UILocales, f.InitialAMRDisplay = o.UILocales, o.InitialAMRDisplay
	// Whole seconds, rounded up: what LINE is sent is what is checked.
	f.MaxAge = int64((o.MaxAge + time.Second - 1) / time.Second)
}

// New starts a flow at now that lands on returnTo, which the caller has
// already checked is a local path.
func New(returnTo string, now time.Time) *Flow {
	return &Flow{
		State:    randomToken(),
		Nonce:    randomToken(),
		Verifier: oauth2.GenerateVerifier(),
		ReturnTo: returnTo,
		Created:  now,
	}
}

// Attempt returns what the flow sent LINE, for callback.Client.
func (f *Flow) Attempt() callback.Attempt {
	return callback.Attempt{State: f.State, Nonce: f.Nonce, Verifier: f.Verifier, LoginOptions: callback.LoginOptions{
		Scopes:            f.Scopes,
		Prompt:            f.Prompt,
		MaxAge:            time.Duration(f.MaxAge) * time.Second,
		BotPrompt:         f.BotPrompt,
		UILocales:         f.UILocales,
		InitialAMRDisplay: f.InitialAMRDisplay,
	}}
}

// randomToken returns 128 random bits as 32 hex digits. LINE wants state
// alphanumeric and rejects URL-encoded values, so hex, not base64.
func randomToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ValidState reports whether s has the shape New gives a state, so that a
// callback's state can be checked before anything is looked up by it.
func ValidState(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Expired reports whether the flow is older than TTL at now.
func (f *Flow) Expired(now time.Time) bool {
	return now.Sub(f.Created) > TTL
}

// MarshalBinary encodes the flow for an encrypted cookie.
func (f *Flow) MarshalBinary() ([]byte, error) { return json.Marshal(f) }

// UnmarshalBinary decodes a flow made by MarshalBinary. Fields it does not
// know are skipped, so that a flow started before an upgrade still ends.
func (f *Flow) UnmarshalBinary(b []byte) error {
	if err := json.Unmarshal(b, f); err != nil {
		return err
	}
	if !ValidState(f.State) || f.Nonce == "" || f.Verifier == "" {
		return errors.New("flow: incomplete flow")
	}
	return nil
}
