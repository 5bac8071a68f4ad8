package linetest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

func TestAuthorize_FriendshipStatusChangedOnlyWhenTheOptionWasShown(t *testing.T) {
	for _, tc := range []struct {
		name        string
		user        linetest.User
		botPrompt   bool
		addFriend   bool
		want        string // friendship_status_changed; "" when absent
		friendAfter bool
	}{
		{"no bot_prompt", cony(), false, true, "", false},
		{"already a friend: no option shown", brown(), true, true, "", true},
		{"not a friend, left unticked", cony(), true, false, "false", false},
		{"not a friend, ticked", cony(), true, true, "true", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, linetest.Config{AutoApprove: tc.user.ID, AutoAddFriend: tc.addFriend})
			l := newLogin("profile openid")
			if tc.botPrompt {
				l.params.Set("bot_prompt", "aggressive")
			}
			q := redirectQuery(t, authorize(t, s, l.params))
			if got, ok := q["friendship_status_changed"]; strings.Join(got, ",") != tc.want || ok != (tc.want != "") {
				t.Errorf("friendship_status_changed = %v, want %q", got, tc.want)
			}
			at := tokens(t, s, l)["access_token"].(string)
			if _, fr := get(t, s, linetest.PathFriendship, at); fr["friendFlag"] != tc.friendAfter {
				t.Errorf("friendFlag after login = %v, want %v", fr["friendFlag"], tc.friendAfter)
			}
		})
	}
}

func TestConsent_AddFriendCheckboxOnlyWithBotPrompt(t *testing.T) {
	s := newServer(t, linetest.Config{})
	l := newLogin("profile")
	if page := readBody(t, authorize(t, s, l.params)); strings.Contains(page, `name="add_friend"`) {
		t.Error("add-friend option shown without bot_prompt")
	}
	l.params.Set("bot_prompt", "normal")
	page := readBody(t, authorize(t, s, l.params))
	if !strings.Contains(page, `<input type="checkbox" id="add-friend" name="add_friend" value="1">`) {
		t.Fatalf("no add-friend option with bot_prompt:\n%s", page)
	}
	res, err := noRedirects(s).PostForm(s.AccessURL()+linetest.PathConsent, url.Values{
		"request": {requestIDPattern.FindStringSubmatch(page)[1]}, "user": {cony().ID}, "add_friend": {"1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if q := redirectQuery(t, res); q.Get("friendship_status_changed") != "true" {
		t.Fatalf("callback query = %v, want friendship_status_changed=true", q)
	}
	if u := s.Users()[1]; u.ID != cony().ID || !u.Friend {
		t.Fatalf("Cony is not a friend after adding the account: %+v", u)
	}
}

func TestSetFriend_ChangesFriendshipAndTheOption(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	s.SetFriend(brown().ID, false) // Brown blocked the account
	l := newLogin("profile")
	l.params.Set("bot_prompt", "normal")
	if q := redirectQuery(t, authorize(t, s, l.params)); q.Get("friendship_status_changed") != "false" {
		t.Fatalf("callback query = %v, want the option shown again", q)
	}
	at, _ := s.IssueAccessToken(brown().ID, nil)
	if res, fr := get(t, s, linetest.PathFriendship, at); res.StatusCode != http.StatusOK || fr["friendFlag"] != false {
		t.Fatalf("friendship: %d %v", res.StatusCode, fr)
	}
}
