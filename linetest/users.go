package linetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Authentication methods LINE lists in an ID token's amr claim.
const (
	AMRPassword  = "pwd"           // email address and password
	AMRAutoLogin = "lineautologin" // LINE's automatic login (also through the LINE SDK)
	AMRQRCode    = "lineqr"        // QR code scanned with LINE for smartphones
	AMRSSO       = "linesso"       // single sign-on ("log in as ..." confirmation)
	AMRMFA       = "mfa"           // two-factor authentication
)

// User is a LINE user known to the fake platform.
type User struct {
	// ID is the user ID: "U" followed by 32 lowercase hexadecimal digits,
	// the shape of LINE user IDs.
	ID string
	// DisplayName is the user's display name, returned by the profile API and
	// as the ID token's name claim.
	DisplayName string
	// PictureURL is the profile picture. When empty (and NoPicture is
	// false), the platform serves a generated SVG avatar at
	// /linetest/avatar/{ID}.svg on its picture host (Platform.PictureURL,
	// https as LINE's are) and uses that URL.
	PictureURL string
	// NoPicture is a user who has set no profile picture: as at LINE, the
	// profile API leaves pictureUrl out, and the ID token its picture claim.
	NoPicture bool
	// StatusMessage is the profile's status message; when empty, the
	// profile API leaves statusMessage out, as LINE does.
	StatusMessage string
	// Email is returned as the ID token's email claim when the email scope
	// was granted; when empty the claim is left out (a user who registered
	// no address, or refused to share it).
	Email string
	// Friend reports whether the user is, when the platform starts, a
	// friend of the official account linked to the channel (the friendship
	// status API's friendFlag). Adding the friend at login changes it.
	Friend bool
	// AMR is the ID token's amr claim: how the user logged in, among the
	// AMR constants. When empty the claim is left out, which LINE's
	// reference says happens "under certain conditions".
	AMR []string
}

// DefaultUsers returns the test users a Platform knows when Config.Users
// is empty, with fixed IDs, in the shapes real users have:
//
//	name     picture  email  status  friend  amr
//	Brown    yes      yes    yes     yes     pwd
//	Cony     yes      yes    no      no      lineqr
//	Sally    yes      no     yes     yes     linesso
//	Moon     no       yes    no      no      lineautologin
//	James    no       no     no      no      pwd, mfa
//	Leonard  yes      no     yes     no      (no amr claim)
//
// Each call returns a new slice; the first three are the same as in
// earlier versions.
func DefaultUsers() []User {
	return []User{
		{
			ID:            "U4af4980629a3d1e8d1a0e6f0c3e0b0b1",
			DisplayName:   "Brown",
			StatusMessage: "Hello, LINE!",
			Email:         "brown@example.com",
			Friend:        true,
			AMR:           []string{AMRPassword},
		},
		{
			ID:          "U2c5f1e9a7b3d4c6e8f0a1b2c3d4e5f60",
			DisplayName: "Cony",
			Email:       "cony@example.com",
			AMR:         []string{AMRQRCode},
		},
		{
			ID:            "U9d8c7b6a5f4e3d2c1b0a998877665544",
			DisplayName:   "Sally",
			StatusMessage: "Tweet tweet",
			Friend:        true,
			AMR:           []string{AMRSSO},
		},
		{
			ID:          "U6d4db5ff0c117864a02827bad3c361b9",
			DisplayName: "Moon",
			NoPicture:   true,
			Email:       "moon@example.com",
			AMR:         []string{AMRAutoLogin},
		},
		{
			ID:          "Ub4cc344d25a2efe540adbf2678e2304c",
			DisplayName: "James",
			NoPicture:   true,
			AMR:         []string{AMRPassword, AMRMFA},
		},
		{
			ID:            "Uc539eadb15ce2243242196e428986d70",
			DisplayName:   "Leonard",
			StatusMessage: "Zzz",
		},
	}
}

// validUserID reports whether id has the shape of a LINE user ID.
func validUserID(id string) bool {
	if len(id) != 33 || id[0] != 'U' {
		return false
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// checkUsers validates users and indexes them by ID.
func checkUsers(users []User) (map[string]int, error) {
	index := make(map[string]int, len(users))
	for i, u := range users {
		if !validUserID(u.ID) {
			return nil, fmt.Errorf("user %d: ID %q is not \"U\" followed by 32 lowercase hex digits", i, u.ID)
		}
		if strings.TrimSpace(u.DisplayName) == "" {
			return nil, fmt.Errorf("user %s: DisplayName is empty", u.ID)
		}
		if u.NoPicture && u.PictureURL != "" {
			return nil, fmt.Errorf("user %s: NoPicture with a PictureURL", u.ID)
		}
		if _, dup := index[u.ID]; dup {
			return nil, fmt.Errorf("user %s: duplicate ID", u.ID)
		}
		index[u.ID] = i
	}
	return index, nil
}

// user returns the user with the given ID, with PictureURL filled in and
// Friend as it is now.
func (p *Platform) user(id string) (User, bool) {
	i, ok := p.userIndex[id]
	if !ok {
		return User{}, false
	}
	u := p.users[i]
	u.AMR = append([]string(nil), u.AMR...)
	if u.PictureURL == "" && !u.NoPicture {
		u.PictureURL = p.pictureOrigin() + avatarPath(u.ID)
	}
	p.mu.Lock()
	u.Friend = p.friends[u.ID]
	p.mu.Unlock()
	return u, true
}

// Users returns the platform's test users, in the configured order. A user
// without a PictureURL (and not NoPicture) gets the URL of its generated
// avatar; Friend is the friendship as it is now.
func (p *Platform) Users() []User {
	out := make([]User, len(p.users))
	for i := range p.users {
		out[i], _ = p.user(p.users[i].ID)
	}
	return out
}

// setFriend makes userID a friend of the channel's official account, or
// not, as if the user had added (or blocked) it in LINE. Unknown users are
// ignored.
func (p *Platform) setFriend(userID string, friend bool) {
	if _, ok := p.userIndex[userID]; !ok {
		return
	}
	p.mu.Lock()
	p.friends[userID] = friend
	p.mu.Unlock()
}

// ProviderUsers returns DefaultUsers as another provider of LINE sees
// them: the same people, with user IDs of that provider's own (LINE gives
// a user a different ID under each provider), derived from provider. Give
// each channel of another provider its own, for example to run several
// channels of one app (one Server each).
func ProviderUsers(provider string) []User {
	users := DefaultUsers()
	for i := range users {
		sum := sha256.Sum256([]byte("linetest provider " + provider + " " + users[i].ID))
		users[i].ID = "U" + hex.EncodeToString(sum[:16])
	}
	return users
}
