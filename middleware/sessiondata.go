package middleware

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/linelogin/linelogin/callback"
)

// sessionData is what a session holds. It is encoded by hand, not with gob
// or JSON, because it is decoded on every authenticated request: a flat
// length-prefixed layout decodes in a few hundred nanoseconds and keeps the
// cookie small.
type sessionData struct {
	user         callback.User
	accountID    string
	accessToken  string    // for logout's revoke and Token; never logged
	tokenExpiry  time.Time // when accessToken expires
	refreshToken string    // only with Config.Session.KeepRefreshToken
	// granted are the scopes the user granted at login, space-separated
	// (callback.Login.Scopes); asked are those the login asked for. A
	// scope asked for and not granted is one the user declined.
	granted, asked string
}

// The tags of the fields appended after the version-2 layout.
const (
	tagGranted = 1
	tagAsked   = 2
)

// sessionVersion is the first byte of an encoded sessionData; a payload of
// another version reads as "not logged in".
//
// The version changes only when the fields it lists change meaning. New
// fields are appended after them as tagged fields (tag, length, value),
// which a decoder that does not know the tag skips: during a rolling
// deploy, a cookie written by a newer instance still reads on an older one,
// and an older cookie on a newer one, so nobody is logged out by an
// upgrade.
const sessionVersion = 2

var errSessionData = errors.New("middleware: unreadable session data")

func (d *sessionData) encode() []byte {
	u := &d.user
	b := make([]byte, 0, 64+len(u.ID)+len(u.DisplayName)+len(u.PictureURL)+len(u.Email)+len(d.accountID)+len(d.accessToken)+len(d.refreshToken))
	b = append(b, sessionVersion)
	for _, s := range []string{u.ID, u.DisplayName, u.PictureURL, u.Email, d.accountID, d.accessToken, d.refreshToken} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, unixOrZero(d.tokenExpiry))
	b = binary.AppendUvarint(b, uint64(len(u.AMR)))
	for _, s := range u.AMR {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, unixOrZero(u.AuthTime))
	switch {
	case u.FriendshipStatusChanged == nil:
		b = append(b, 0)
	case *u.FriendshipStatusChanged:
		b = append(b, 2)
	default:
		b = append(b, 1)
	}
	for _, f := range [...]struct {
		tag   uint64
		value string
	}{{tagGranted, d.granted}, {tagAsked, d.asked}} {
		if f.value != "" {
			b = binary.AppendUvarint(b, f.tag)
			b = appendString(b, f.value)
		}
	}
	return b
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func timeOrZero(unix int64) time.Time {
	if unix == 0 {
		return time.Time{}
	}
	return time.Unix(unix, 0)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func decodeSessionData(b []byte) (*sessionData, error) {
	if len(b) == 0 || b[0] != sessionVersion {
		return nil, errSessionData
	}
	// One string for the whole payload; the fields are slices of it.
	r := reader{s: string(b[1:])}
	d := &sessionData{}
	u := &d.user
	for _, p := range []*string{&u.ID, &u.DisplayName, &u.PictureURL, &u.Email, &d.accountID, &d.accessToken, &d.refreshToken} {
		*p = r.string()
	}
	d.tokenExpiry = timeOrZero(r.varint())
	if n := r.uvarint(); n > 0 && n <= 16 {
		u.AMR = make([]string, n)
		for i := range u.AMR {
			u.AMR[i] = r.string()
		}
	} else if n > 16 {
		r.err = true
	}
	u.AuthTime = timeOrZero(r.varint())
	switch r.byte() {
	case 1:
		u.FriendshipStatusChanged = new(bool)
	case 2:
		u.FriendshipStatusChanged = new(bool)
		*u.FriendshipStatusChanged = true
	}
	// Tagged fields: those of later versions are skipped; a malformed one
	// still fails the whole payload.
	for len(r.s) > 0 && !r.err {
		tag := r.uvarint()
		value := r.string()
		switch tag {
		case tagGranted:
			d.granted = value
		case tagAsked:
			d.asked = value
		}
	}
	if r.err || u.ID == "" {
		return nil, errSessionData
	}
	return d, nil
}

// reader walks an encoded sessionData; a short read sets err.
type reader struct {
	s   string
	err bool
}

func (r *reader) uvarint() uint64 {
	var v uint64
	for i := 0; i < len(r.s) && i < binary.MaxVarintLen64; i++ {
		c := r.s[i]
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.s = r.s[i+1:]
			return v
		}
	}
	r.err = true
	return 0
}

func (r *reader) varint() int64 {
	u := r.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (r *reader) string() string {
	n := r.uvarint()
	if r.err || n > uint64(len(r.s)) {
		r.err = true
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

func (r *reader) byte() byte {
	if len(r.s) == 0 {
		r.err = true
		return 0
	}
	c := r.s[0]
	r.s = r.s[1:]
	return c
}
