package linetest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

// TestConsent_UserMayDeclineEmail: LINE's consent screen lets the user
// untick the email permission; the login still succeeds, without the
// address. On the consent page the box is ticked by default.
func TestConsent_UserMayDeclineEmail(t *testing.T) {
	s := newServer(t, linetest.Config{})
	for _, share := range []bool{true, false} {
		l := newLogin("profile openid email")
		page := readBody(t, authorize(t, s, l.params))
		if !strings.Contains(page, `id="share-email" name="share_email" value="1" checked`) {
			t.Fatalf("the consent page has no ticked email box: %s", page)
		}
		form := url.Values{"request": {requestIDPattern.FindStringSubmatch(page)[1]}, "user": {cony().ID}, "email_asked": {"1"}}
		if share {
			form.Set("share_email", "1")
		}
		res, err := noRedirects(s).PostForm(s.AccessURL()+linetest.PathConsent, form)
		if err != nil {
			t.Fatal(err)
		}
		res, tok := postForm(t, s, linetest.PathToken, exchangeForm(redirectQuery(t, res).Get("code"), l))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("token: %d %v", res.StatusCode, tok)
		}
		_, claims := hs256Claims(t, tok["id_token"].(string))
		if got, want := claims["email"] != nil, share; got != want {
			t.Errorf("email shared %v: email claim present %v (%v)", share, got, claims["email"])
		}
	}

	// A signed-in test user who declines it.
	l := newLogin("profile openid email")
	res := authorizeAs(t, s, linetest.Consent{UserID: cony().ID, DeclineEmail: true}, l)
	res, tok := postForm(t, s, linetest.PathToken, exchangeForm(redirectQuery(t, res).Get("code"), l))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %v", res.StatusCode, tok)
	}
	if _, claims := hs256Claims(t, tok["id_token"].(string)); claims["email"] != nil || claims["name"] != "Cony" {
		t.Errorf("DeclineEmail: claims %v, want Cony's without email", claims)
	}
}
