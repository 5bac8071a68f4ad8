package linetest_test

import (
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

func TestDefaultUsers_HaveTheShapesRealUsersHave(t *testing.T) {
	users := linetest.DefaultUsers()
	has := func(f func(linetest.User) bool) bool { return slices.ContainsFunc(users, f) }
	for name, ok := range map[string]bool{
		"a user with no picture": has(func(u linetest.User) bool { return u.NoPicture }),
		"a user with a picture":  has(func(u linetest.User) bool { return !u.NoPicture }),
		"a user with no email":   has(func(u linetest.User) bool { return u.Email == "" }),
		"a user with no status":  has(func(u linetest.User) bool { return u.StatusMessage == "" }),
		"a friend":               has(func(u linetest.User) bool { return u.Friend }),
		"a user not a friend":    has(func(u linetest.User) bool { return !u.Friend }),
		"a user with no amr":     has(func(u linetest.User) bool { return len(u.AMR) == 0 }),
		"a user with two amr":    has(func(u linetest.User) bool { return len(u.AMR) > 1 }),
	} {
		if !ok {
			t.Errorf("DefaultUsers has no %s", name)
		}
	}
	for _, amr := range []string{linetest.AMRPassword, linetest.AMRAutoLogin, linetest.AMRQRCode, linetest.AMRSSO, linetest.AMRMFA} {
		if !has(func(u linetest.User) bool { return slices.Contains(u.AMR, amr) }) {
			t.Errorf("no default user logged in with amr %q", amr)
		}
	}
}

func TestUsers_TokensAndProfileLeaveOutWhatTheUserLacks(t *testing.T) {
	s := newServer(t, linetest.Config{})
	for _, u := range s.Users() {
		t.Run(u.DisplayName, func(t *testing.T) {
			s.SetAutoApprove(u.ID)
			tok := tokens(t, s, newLogin("profile openid email"))
			_, claims := hs256Claims(t, tok["id_token"].(string))

			_, hasPicture := claims["picture"]
			if hasPicture == u.NoPicture || (hasPicture && claims["picture"] != u.PictureURL) {
				t.Errorf("picture claim = %v, NoPicture %v", claims["picture"], u.NoPicture)
			}
			if email, ok := claims["email"]; ok != (u.Email != "") || (ok && email != u.Email) {
				t.Errorf("email claim = %v, want %q", email, u.Email)
			}
			amr, hasAMR := claims["amr"].([]any)
			if hasAMR != (len(u.AMR) > 0) || len(amr) != len(u.AMR) {
				t.Errorf("amr claim = %v, want %v", claims["amr"], u.AMR)
			}
			for i := range amr {
				if amr[i] != u.AMR[i] {
					t.Errorf("amr claim = %v, want %v", amr, u.AMR)
				}
			}

			res, prof := get(t, s, linetest.PathProfile, tok["access_token"].(string))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("profile: %d", res.StatusCode)
			}
			if pic, ok := prof["pictureUrl"]; ok == u.NoPicture || (ok && pic != u.PictureURL) {
				t.Errorf("pictureUrl = %v, NoPicture %v", pic, u.NoPicture)
			}
			if msg, ok := prof["statusMessage"]; ok != (u.StatusMessage != "") || (ok && msg != u.StatusMessage) {
				t.Errorf("statusMessage = %v, want %q", msg, u.StatusMessage)
			}
		})
	}
}

func TestUserInfo_NeedsOpenIDAndGivesNameOnlyWithProfile(t *testing.T) {
	s := newServer(t, linetest.Config{})
	for _, tc := range []struct {
		scopes    []string
		status    int
		wantName  bool
		wantNoPic bool
	}{
		{[]string{"openid", "profile"}, http.StatusOK, true, false},
		{[]string{"openid"}, http.StatusOK, false, true},
		{[]string{"profile"}, http.StatusForbidden, false, true},
	} {
		at, err := s.IssueAccessToken(brown().ID, tc.scopes)
		if err != nil {
			t.Fatal(err)
		}
		res, info := get(t, s, linetest.PathUserInfo, at)
		if res.StatusCode != tc.status {
			t.Errorf("%v: %d, want %d", tc.scopes, res.StatusCode, tc.status)
			continue
		}
		if tc.status != http.StatusOK {
			continue
		}
		if info["sub"] != brown().ID || (info["name"] == "Brown") != tc.wantName {
			t.Errorf("%v: userinfo = %v", tc.scopes, info)
		}
		if _, ok := info["picture"]; ok == tc.wantNoPic {
			t.Errorf("%v: userinfo picture = %v", tc.scopes, info["picture"])
		}
	}
}

func TestProviderUsers(t *testing.T) {
	defaults, a, a2, b := linetest.DefaultUsers(), linetest.ProviderUsers("shop-a"), linetest.ProviderUsers("shop-a"), linetest.ProviderUsers("shop-b")
	shape := regexp.MustCompile(`^U[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for i := range defaults {
		if a[i].ID != a2[i].ID {
			t.Errorf("user %d: provider shop-a gave %s, then %s", i, a[i].ID, a2[i].ID)
		}
		if a[i].DisplayName != defaults[i].DisplayName {
			t.Errorf("user %d: %q, want the same person %q", i, a[i].DisplayName, defaults[i].DisplayName)
		}
		for _, id := range []string{defaults[i].ID, a[i].ID, b[i].ID} {
			if !shape.MatchString(id) || seen[id] {
				t.Errorf("user %d: ID %s is not of LINE's shape, or not its provider's own", i, id)
			}
			seen[id] = true
		}
	}
	p, err := linetest.New(linetest.Config{Users: a})
	if err != nil {
		t.Fatalf("a platform of ProviderUsers: %v", err)
	}
	if p.Users()[0].ID != a[0].ID {
		t.Errorf("the platform's first user is %s, want %s", p.Users()[0].ID, a[0].ID)
	}
}
