package link

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxIDLength bounds the IDs a Store accepts, in bytes; LINE user IDs are
// 33 characters. IDs are also valid UTF-8 without NUL bytes.
const MaxIDLength = 255

// Store keeps the links, one to one: a LINE user ID is linked to at most
// one account ID, and an account ID to at most one LINE user ID.
// Implementations are safe for concurrent use and enforce both rules
// atomically.
type Store interface {
	// Link links lineUserID and accountID. It fails with a *ConflictError
	// (ErrAlreadyLinked) when either is linked to another, and changes
	// nothing then; linking a pair that is already linked is not an error.
	Link(ctx context.Context, lineUserID, accountID string) error
	// AccountOf returns the account linked to lineUserID, or ErrNotLinked.
	AccountOf(ctx context.Context, lineUserID string) (accountID string, err error)
	// LINEUserOf returns the LINE user linked to accountID, or ErrNotLinked.
	LINEUserOf(ctx context.Context, accountID string) (lineUserID string, err error)
	// Unlink removes the link of accountID and returns the LINE user it
	// was linked to, or ErrNotLinked.
	Unlink(ctx context.Context, accountID string) (lineUserID string, err error)
}

// Facts are what a user types to prove they own an account of the app
// (methods 2 and 3 of LINE's ID-linking guide): a membership number and a
// birth date, YYYY-MM-DD.
type Facts struct {
	MemberNumber string
	BirthDate    string
}

// FactsChecker returns the account that facts prove, or an error wrapping
// ErrProofRefused when they prove none; any other error means the check
// could not be made (the app's API is down). Method 2 calls the app's own
// API; method 3 looks the facts up in a table the app imported. It must
// compare in constant time (see Equal) and never tell which fact was
// wrong.
type FactsChecker func(ctx context.Context, f Facts) (accountID string, err error)

// Equal compares two facts in constant time, so that the time a refusal
// takes does not tell how much of a guess was right.
func Equal(a, b Facts) bool {
	m := subtle.ConstantTimeCompare([]byte(a.MemberNumber), []byte(b.MemberNumber))
	d := subtle.ConstantTimeCompare([]byte(a.BirthDate), []byte(b.BirthDate))
	return m&d == 1
}

// ReplayMemory remembers proofs that may be used once, such as the app's
// own ID tokens, until they could no longer be accepted anyway.
type ReplayMemory interface {
	// FirstUse records key as used until expiry and reports whether this
	// is its first use. Two concurrent calls for one key: one is first.
	FirstUse(ctx context.Context, key string, expiry time.Time) (first bool, err error)
}

// validID: not empty, at most MaxIDLength bytes, and text every database
// stores (PostgreSQL refuses invalid UTF-8 and NUL bytes, which would
// otherwise read as an outage there and be accepted elsewhere).
func validID(s string) bool {
	return s != "" && len(s) <= MaxIDLength && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
