package middleware

import (
	"encoding/binary"
	"strings"
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
	if _, err := decodeSessionData(append(b, 7)); err == nil {
		t.Error("a truncated tagged field was accepted")
	}
}

// TestSessionData_SurvivesARollingDeploy: during a deploy, instances of the
// old and the new version serve the same users. A cookie written by the
// new version (with a field the old one does not know) reads on the old
// one, and one written by the old version reads on the new one: nobody is
// logged out by an upgrade or a rollback.
func TestSessionData_SurvivesARollingDeploy(t *testing.T) {
	d := &sessionData{accountID: "acct-1", accessToken: "at", tokenExpiry: time.Unix(1_900_000_000, 0)}
	d.user.ID, d.user.DisplayName = "U1", "Alice"

	// Written by this version, before any tagged field existed: the bytes
	// are pinned, as if from a cookie issued before the upgrade.
	old := []byte("\x02\x02U1\x05Alice\x00\x00\x06acct-1\x02at\x00\x80\xcc\xfd\x93\x0e\x00\x00\x00")
	if got, err := decodeSessionData(old); err != nil || got.user.ID != "U1" || got.accountID != "acct-1" || got.accessToken != "at" || !got.tokenExpiry.Equal(d.tokenExpiry) {
		t.Errorf("old cookie on the new version: %+v, %v", got, err)
	}
	if string(d.encode()) != string(old) {
		t.Errorf("the encoding changed without a tagged field: %q", d.encode())
	}

	// Written by a newer version: two tagged fields this one does not know.
	newer := d.encode()
	newer = appendString(binary.AppendUvarint(newer, 9), "device: iPhone")
	newer = appendString(binary.AppendUvarint(newer, 300), strings.Repeat("x", 200))
	got, err := decodeSessionData(newer)
	if err != nil || got.user.ID != "U1" || got.accountID != "acct-1" || got.accessToken != "at" {
		t.Errorf("newer cookie on this version: %+v, %v", got, err)
	}
}
