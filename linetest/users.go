package linetest

import (
	"fmt"
	"strings"
)

// User is a LINE user known to the fake platform.
type User struct {
	// ID is the user ID: "U" followed by 32 lowercase hexadecimal digits,
	// the shape of LINE user IDs.
	ID string
	// DisplayName is the user's display name, returned by the profile API and
	// as the ID token's name claim.
	DisplayName string
	// PictureURL is the profile picture. When empty, the platform serves a
	// generated SVG avatar at /linetest/avatar/{ID}.svg on itself and uses
	// that absolute URL.
	PictureURL string
	// StatusMessage is the profile's status message; it may be empty.
	StatusMessage string
	// Email is returned as the ID token's email claim when the email scope
	// was granted; it may be empty.
	Email string
	// Friend reports whether the user is a friend of the official account
	// linked to the channel (the friendship status API's friendFlag).
	Friend bool
}

// DefaultUsers returns the three test users a Platform knows when
// Config.Users is empty: Brown, Cony and Sally, with fixed IDs. Each call
// returns a new slice.
func DefaultUsers() []User {
	return []User{
		{
			ID:            "U4af4980629a3d1e8d1a0e6f0c3e0b0b1",
			DisplayName:   "Brown",
			StatusMessage: "Hello, LINE!",
			Email:         "brown@example.com",
			Friend:        true,
		},
		{
			ID:            "U2c5f1e9a7b3d4c6e8f0a1b2c3d4e5f60",
			DisplayName:   "Cony",
			StatusMessage: "",
			Email:         "cony@example.com",
			Friend:        false,
		},
		{
			ID:            "U9d8c7b6a5f4e3d2c1b0a998877665544",
			DisplayName:   "Sally",
			StatusMessage: "Tweet tweet",
			Email:         "",
			Friend:        true,
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
		if _, dup := index[u.ID]; dup {
			return nil, fmt.Errorf("user %s: duplicate ID", u.ID)
		}
		index[u.ID] = i
	}
	return index, nil
}

// user returns the user with the given ID, with PictureURL filled in.
func (p *Platform) user(id string) (User, bool) {
	i, ok := p.userIndex[id]
	if !ok {
		return User{}, false
	}
	u := p.users[i]
	if u.PictureURL == "" {
		u.PictureURL = p.URL() + avatarPath(u.ID)
	}
	return u, true
}

// Users returns the platform's test users, in the configured order. A user
// without a PictureURL gets the URL of its generated avatar.
func (p *Platform) Users() []User {
	out := make([]User, len(p.users))
	for i := range p.users {
		out[i], _ = p.user(p.users[i].ID)
	}
	return out
}
