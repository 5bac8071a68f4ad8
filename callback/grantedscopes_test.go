package callback

import (
	"slices"
	"testing"

	"golang.org/x/oauth2"
)

// TestGrantedScopes: the token response's scope when it has one, what was
// asked for when it has none (RFC 6749 section 5.1), and email only with
// an address in the ID token, since LINE never lists it.
func TestGrantedScopes(t *testing.T) {
	asked := []string{"openid", "profile", "email"}
	withScope := func(scope string) *oauth2.Token {
		return (&oauth2.Token{}).WithExtra(map[string]any{"scope": scope})
	}
	for _, c := range []struct {
		name  string
		tok   *oauth2.Token
		email string
		want  []string
	}{
		{"listed, address", withScope("profile openid"), "a@example.com", []string{"profile", "openid", "email"}},
		{"listed, no address", withScope("profile openid"), "", []string{"profile", "openid"}},
		{"not listed, no address", &oauth2.Token{}, "", []string{"openid", "profile"}},
		{"not listed, address", &oauth2.Token{}, "a@example.com", []string{"openid", "profile", "email"}},
	} {
		if got := grantedScopes(c.tok, asked, &User{Email: c.email}); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if asked[2] != "email" {
		t.Error("grantedScopes changed the scopes asked for")
	}
}
