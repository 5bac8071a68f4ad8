package middleware

import (
	"testing"
	"time"
)

func TestSessionData_RoundTripAndTruncation(t *testing.T) {
	changed := true
	d := &sessionData{accountID: "acct-1", accessToken: "at", refreshToken: "rt", tokenExpiry: time.Unix(1_900_000_000, 0)}
	d.user.ID, d.user.DisplayName, d.user.PictureURL, d.user.Email = "U1", "名前", "https://p", "e@x"
	d.user.AMR, d.user.AuthTime, d.user.FriendshipStatusChanged = []string{"pwd", "mfa"}, time.Unix(1_800_000_000, 0), &changed
	b := d.encode()
	got, err := decodeSessionData(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.user.ID != "U1" || got.user.DisplayName != "名前" || got.accountID != "acct-1" || got.refreshToken != "rt" ||
		!got.tokenExpiry.Equal(d.tokenExpiry) || !got.user.AuthTime.Equal(d.user.AuthTime) ||
		len(got.user.AMR) != 2 || got.user.FriendshipStatusChanged == nil || !*got.user.FriendshipStatusChanged {
		t.Errorf("round trip: %+v", got)
	}
	for i := range b {
		if _, err := decodeSessionData(b[:i]); err == nil {
			t.Errorf("a payload cut at %d bytes decoded", i)
		}
	}
	if _, err := decodeSessionData(append(b, 0)); err == nil {
		t.Error("trailing bytes accepted")
	}
}
