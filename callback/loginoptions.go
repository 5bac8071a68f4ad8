package callback

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// LoginOptions are authorize parameters chosen for one login by the app's
// code, as x/oauth2's AuthCodeURL options are: ask for email only on the
// page that needs it, require a recent authentication before showing a
// saved card, offer the official account on a campaign page. Each field
// that is set replaces the Config's for that login; the zero value changes
// nothing. Never fill them from a request's query string: whoever wrote
// the link would choose them.
type LoginOptions struct {
	// Scopes replace Config.Scopes, with the same rules (openid or
	// profile; email needs openid).
	Scopes []string
	// Prompt is "consent", "none" or "login".
	Prompt string
	// MaxAge is sent as max_age in whole seconds (rounded up): the ID
	// token's auth_time is then required and must be within it.
	MaxAge time.Duration
	// BotPrompt is "normal" or "aggressive": offer to add the official
	// account as a friend.
	BotPrompt string
	// UILocales is the language of LINE's screens, e.g. "ja" or "zh-TW".
	UILocales string
	// InitialAMRDisplay is "lineqr" to show the QR code login first.
	InitialAMRDisplay string
}

// Check reports, as an error wrapping ErrConfig, options LINE would refuse
// or that cannot be verified: an unknown scope, a prompt or bot_prompt
// LINE does not know, a negative MaxAge, or MaxAge without the openid
// scope (auth_time comes in the ID token). openid says whether the Config's
// scopes have openid, for options that keep them.
func (o LoginOptions) Check(openid bool) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: login options: "+format, append([]any{ErrConfig}, args...)...)
	}
	if o.Scopes != nil {
		openid = slices.Contains(o.Scopes, "openid")
		switch {
		case !openid && !slices.Contains(o.Scopes, "profile"):
			return bad(`Scopes need "openid" or "profile"`)
		case slices.Contains(o.Scopes, "email") && !openid:
			return bad(`scope "email" needs "openid"`)
		}
		for _, s := range o.Scopes {
			if !slices.Contains(knownScopes, s) {
				return bad("unknown scope %q: LINE Login's scopes are %s", s, strings.Join(knownScopes, ", "))
			}
		}
	}
	switch {
	case !slices.Contains([]string{"", "consent", "none", "login"}, o.Prompt):
		return bad("Prompt %q is not consent, none or login", o.Prompt)
	case !slices.Contains([]string{"", "normal", "aggressive"}, o.BotPrompt):
		return bad("BotPrompt %q is not normal or aggressive", o.BotPrompt)
	case !slices.Contains([]string{"", "lineqr"}, o.InitialAMRDisplay):
		return bad("InitialAMRDisplay %q is not lineqr", o.InitialAMRDisplay)
	case strings.ContainsAny(o.UILocales, "\t\r\n"):
		return bad("UILocales %q is not a list of language tags", o.UILocales)
	case o.MaxAge < 0:
		return bad("MaxAge must not be negative")
	case o.MaxAge > 0 && !openid:
		return bad(`MaxAge needs the "openid" scope: auth_time comes in the ID token`)
	}
	return nil
}

// maxAgeSeconds is d in whole seconds, rounded up so that a requirement of
// 1.5s is never sent as the laxer 1.
func maxAgeSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}
