package callback

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Channel is a LINE Login channel's credentials, from the LINE Developers
// console.
type Channel struct {
	// ID is the channel ID.
	ID string
	// Secret is the channel secret. It signs the channel's HS256 ID tokens,
	// so it must be at least 32 bytes, as LINE's are.
	Secret string
}

// channel verifies the ID tokens issued to one channel: go-oidc checks that
// aud is the channel's ID, and the key set holds that channel's secret
// only, so an HS256 token naming one channel but signed with another's
// secret fails.
type channel struct {
	id       string
	verifier *oidc.IDTokenVerifier
}

func newChannel(cfg Config, now func() time.Time, ch Channel, keys *jwks) *channel {
	ks := &keySet{secret: []byte(ch.Secret), jwks: keys}
	// LINE's discovery document lists only ES256, but web-login tokens are
	// HS256: pin exactly the two algorithms LINE uses, and let keySet pick
	// the key by the token's alg.
	return &channel{id: ch.ID, verifier: oidc.NewVerifier(cfg.Issuer, ks, &oidc.Config{
		ClientID:             ch.ID,
		SupportedSigningAlgs: []string{string(algHS256), string(algES256)},
		Now:                  func() time.Time { return now().Add(-cfg.ClockSkew) },
	})}
}

// validateChannels checks ExtraChannels: each complete, and no channel
// twice (a duplicate would leave which secret applies to chance).
func (cfg *Config) validateChannels() error {
	seen := map[string]bool{cfg.ChannelID: true}
	for i, ch := range cfg.ExtraChannels {
		switch {
		case ch.ID == "" || strings.ContainsAny(ch.ID, " \t\r\n:,"):
			return fmt.Errorf("%w: ExtraChannels[%d]: ID %q is not a channel ID", ErrConfig, i, ch.ID)
		case seen[ch.ID]:
			return fmt.Errorf("%w: ExtraChannels[%d]: channel %s is configured twice", ErrConfig, i, ch.ID)
		case len(ch.Secret) < 32:
			return fmt.Errorf("%w: ExtraChannels[%d] (channel %s): Secret must be at least 32 bytes", ErrConfig, i, ch.ID)
		}
		seen[ch.ID] = true
	}
	return nil
}

// channelFor returns the channel whose tokens have audience id: the main
// channel, one of ExtraChannels, or nil.
func (c *Client) channelFor(id string) *channel {
	if id == c.main.id {
		return c.main
	}
	return c.extra[id]
}

// tokenChannel picks the channel whose verifier checks an ID token, by the
// token's unverified aud. Nothing is trusted from it: the chosen verifier
// checks aud and the signature again. A token naming no configured channel
// goes to the main channel's verifier, which refuses it.
func (c *Client) tokenChannel(raw string) *channel {
	if len(c.extra) > 0 {
		if ch := c.extra[audience(raw)]; ch != nil {
			return ch
		}
	}
	return c.main
}

// audience returns the single aud of a compact JWT, unverified, or "".
func audience(raw string) string {
	if len(raw) > maxIDToken {
		return ""
	}
	parts := strings.SplitN(raw, ".", 3)
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	var aud string
	if json.Unmarshal(claims.Aud, &aud) == nil {
		return aud
	}
	var list []string
	if json.Unmarshal(claims.Aud, &list) == nil && len(list) == 1 {
		return list[0]
	}
	return ""
}
