package linetest

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// Consent is how a test user answers LINE's login and consent screens,
// chosen per client with Login instead of platform-wide with AutoApprove.
type Consent struct {
	// UserID is the user who logs in.
	UserID string
	// AddFriend ticks the option to add the channel's official account as
	// a friend, when LINE shows it: bot_prompt was sent and the user is not
	// a friend yet. The callback then carries
	// friendship_status_changed=true.
	AddFriend bool
	// Deny presses Cancel: the app gets ACCESS_DENIED.
	Deny bool
	// DeclineEmail unticks the email permission when the email scope is
	// asked for: the login succeeds without it (no email claim in the ID
	// token), as LINE lets users decline it.
	DeclineEmail bool
}

// signInCookie names the cookie that signIn sets on the access host. It
// stands for the login session LINE keeps in the browser (the cookie its
// single sign-on relies on), with the user's answer to the consent screen.
const signInCookie = "linetest_login"

// SignIn puts into jar a cookie for the access host that makes authorize
// answer as c says, for every login made with that jar, without the
// consent page and whatever AutoApprove says. Cookie jars ignore ports,
// so an app on the same host name as the platform also receives the
// cookie; it means nothing to the app.
func (p *Platform) SignIn(jar http.CookieJar, c Consent) error {
	if _, ok := p.userIndex[c.UserID]; !ok {
		return fmt.Errorf("linetest: sign in: %w: %q", ErrUnknownUser, c.UserID)
	}
	u, err := url.Parse(p.AccessURL())
	if err != nil || u.Host == "" {
		return fmt.Errorf("linetest: sign in: the access URL %q is not set", p.AccessURL())
	}
	value := c.UserID
	if c.AddFriend {
		value += ".add_friend"
	}
	if c.Deny {
		value += ".deny"
	}
	if c.DeclineEmail {
		value += ".no_email"
	}
	jar.SetCookies(u, []*http.Cookie{{Name: signInCookie, Value: value, Path: "/", HttpOnly: true}})
	return nil
}

// clientFor returns a new HTTP client with a cookie jar of its own, signed
// in at the platform as c says (signIn): a browser of one test user. It
// follows redirects, as browsers do.
func (p *Platform) clientFor(c Consent) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("linetest: client: %w", err)
	}
	if err := p.SignIn(jar, c); err != nil {
		return nil, err
	}
	return &http.Client{Jar: jar}, nil
}

// answerFor returns how the user behind r answers authorize: the signed-in
// client's Consent, else the AutoApprove user's; signedIn is false when
// the consent page must ask. An AutoApprove user who does not exist is an
// error.
func (p *Platform) answerFor(r *http.Request) (c Consent, signedIn bool, err error) {
	if ck, err := r.Cookie(signInCookie); err == nil {
		parts := strings.Split(ck.Value, ".")
		if _, ok := p.userIndex[parts[0]]; ok {
			c.UserID = parts[0]
			for _, flag := range parts[1:] {
				switch flag {
				case "add_friend":
					c.AddFriend = true
				case "deny":
					c.Deny = true
				case "no_email":
					c.DeclineEmail = true
				}
			}
			return c, true, nil
		}
	}
	p.mu.Lock()
	auto, addFriend := p.autoApprove, p.autoAddFriend
	p.mu.Unlock()
	if auto == "" {
		return Consent{}, false, nil
	}
	if _, ok := p.userIndex[auto]; !ok {
		return Consent{}, false, fmt.Errorf("linetest: the auto-approve user %s does not exist", auto)
	}
	return Consent{UserID: auto, AddFriend: addFriend}, true, nil
}
