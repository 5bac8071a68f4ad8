package linetest_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/linelogin/linelogin/linetest"
)

func TestAuthorize_MissingStateRedirectsWithError(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	for name, change := range map[string]func(url.Values){
		"no state":    func(q url.Values) { q.Del("state") },
		"empty state": func(q url.Values) { q.Set("state", "") },
	} {
		t.Run(name, func(t *testing.T) {
			l := newLogin("openid")
			change(l.params)
			q := redirectQuery(t, authorize(t, s, l.params))
			if q.Get("error") != "INVALID_REQUEST" || q.Get("error_description") == "" || q.Has("state") || q.Has("code") {
				t.Fatalf("callback query = %v, want INVALID_REQUEST with no state and no code", q)
			}
		})
	}
}

func TestAuthorize_PromptNone(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     linetest.Config
		before  func(t *testing.T, s *linetest.Server) // a login made first, with the consent page
		change  func(url.Values)
		wantErr string // "" for a code
	}{
		{
			name:    "nobody logged in",
			wantErr: "LOGIN_REQUIRED",
		},
		{
			name:    "logged in, never consented to the channel",
			cfg:     linetest.Config{AutoApprove: brown().ID},
			wantErr: "INTERACTION_REQUIRED",
		},
		{
			name:   "logged in and consented",
			cfg:    linetest.Config{AutoApprove: brown().ID},
			before: func(t *testing.T, s *linetest.Server) { code(t, s, newLogin("profile openid")) },
		},
		{
			name:    "consented, but automatic login disabled",
			cfg:     linetest.Config{AutoApprove: brown().ID},
			before:  func(t *testing.T, s *linetest.Server) { code(t, s, newLogin("profile openid")) },
			change:  func(q url.Values) { q.Set("disable_auto_login", "true") },
			wantErr: "INTERACTION_REQUIRED",
		},
		{
			name:    "consented, but to fewer scopes",
			cfg:     linetest.Config{AutoApprove: brown().ID},
			before:  func(t *testing.T, s *linetest.Server) { code(t, s, newLogin("openid")) },
			wantErr: "INTERACTION_REQUIRED",
		},
		{
			name: "consented, then deauthorized",
			cfg:  linetest.Config{AutoApprove: brown().ID},
			before: func(t *testing.T, s *linetest.Server) {
				at := tokens(t, s, newLogin("profile openid"))["access_token"].(string)
				if status := deauthorize(t, s, linetest.DefaultChannelAccessToken, at); status != http.StatusNoContent {
					t.Fatalf("deauthorize: %d", status)
				}
			},
			wantErr: "INTERACTION_REQUIRED",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, tc.cfg)
			if tc.before != nil {
				tc.before(t, s)
			}
			l := newLogin("profile openid")
			l.params.Set("prompt", "none")
			l.params.Set("bot_prompt", "normal")
			if tc.change != nil {
				tc.change(l.params)
			}
			q := redirectQuery(t, authorize(t, s, l.params))
			if q.Get("state") != l.params.Get("state") {
				t.Errorf("state = %q", q.Get("state"))
			}
			if tc.wantErr == "" {
				// No screen is shown, so neither is the add-friend option.
				if q.Get("code") == "" || q.Has("error") || q.Has("friendship_status_changed") {
					t.Fatalf("callback query = %v, want a code alone", q)
				}
				return
			}
			if q.Get("error") != tc.wantErr || q.Has("code") {
				t.Fatalf("callback query = %v, want %s", q, tc.wantErr)
			}
		})
	}
}

func TestAuthorize_SignedInUserWhoCancelsGetsAccessDenied(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	l := newLogin("openid")
	q := redirectQuery(t, authorizeAs(t, s, linetest.Consent{UserID: cony().ID, Deny: true}, l))
	if q.Get("error") != "ACCESS_DENIED" || q.Get("error_description") != "The resource owner denied the request." || q.Get("state") != l.params.Get("state") {
		t.Fatalf("callback query = %v", q)
	}
}

func TestAuthorize_PromptNoneKeepsTheEarlierAuthTime(t *testing.T) {
	clock := newClock()
	s := newServer(t, linetest.Config{AutoApprove: brown().ID, Now: clock.Now})
	first := clock.Now()
	l := newLogin("profile openid")
	l.params.Set("max_age", "3600")
	tokens(t, s, l)

	clock.Advance(2 * time.Hour)
	l.params.Set("prompt", "none")
	_, claims := hs256Claims(t, tokens(t, s, l)["id_token"].(string))
	if claims["auth_time"] != float64(first.Unix()) {
		t.Errorf("silent login: auth_time = %v, want the first login's %d", claims["auth_time"], first.Unix())
	}

	l.params.Del("prompt")
	_, claims = hs256Claims(t, tokens(t, s, l)["id_token"].(string))
	if claims["auth_time"] != float64(clock.Now().Unix()) {
		t.Errorf("login with a page: auth_time = %v, want now %d", claims["auth_time"], clock.Now().Unix())
	}
}
