package link

import "errors"

// The errors of this package. Each failure matches exactly one of them with
// errors.Is.
var (
	// ErrAlreadyLinked reports a link refused because the LINE user or the
	// account is already linked to another. Nothing was changed. The error
	// is a *ConflictError, which says which side.
	ErrAlreadyLinked = errors.New("link: already linked")

	// ErrNotLinked reports that the LINE user or the account has no link.
	ErrNotLinked = errors.New("link: not linked")

	// ErrInvalidID reports an empty or over-long LINE user ID or account ID.
	ErrInvalidID = errors.New("link: invalid ID")

	// ErrUnavailable wraps a failure of the database or of Redis: the
	// answer is unknown, try again later.
	ErrUnavailable = errors.New("link: store unavailable")

	// ErrProofRefused is what a FactsChecker returns (wrapped or not) when
	// the facts name no account, or not the same account. Callers never
	// say which fact was wrong.
	ErrProofRefused = errors.New("link: proof refused")
)

// ConflictError is the error of a refused link: LINEUser is set when the
// LINE user is linked to another account, Account when the account is
// linked to another LINE user. It matches ErrAlreadyLinked.
type ConflictError struct {
	LINEUser bool // the LINE user is linked to another account
	Account  bool // the account is linked to another LINE user
}

// Error describes the conflict without naming either party.
func (e *ConflictError) Error() string {
	switch {
	case e.LINEUser && e.Account:
		return "link: already linked: both the LINE user and the account are linked elsewhere"
	case e.Account:
		return "link: already linked: the account is linked to another LINE user"
	}
	return "link: already linked: the LINE user is linked to another account"
}

// Is makes errors.Is(err, ErrAlreadyLinked) true.
func (e *ConflictError) Is(target error) bool { return target == ErrAlreadyLinked }
