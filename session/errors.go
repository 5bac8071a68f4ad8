package session

import "errors"

// The errors of this package. Each is one category, and errors.Is matches
// exactly one of them:
//
//   - ErrBadKey: a configuration mistake, found when the app starts;
//   - ErrNotFound: a Store's "no such session", which means "not logged in";
//   - ErrStoreUnavailable: an outage of the Store; the request is neither
//     logged in nor out, and gets 503;
//   - ErrCookieTooLarge: a session that does not fit in a cookie;
//   - ErrRevocationUnsupported: the Store cannot find sessions by owner;
//   - ErrListingUnsupported: the Store cannot list sessions.
var (
	// ErrBadKey reports session keys that are missing or not KeySize
	// random bytes each.
	ErrBadKey = errors.New("session: bad key")

	// ErrNotFound is returned by a Store for a session it does not hold (never
	// saved, deleted, or expired). The Manager treats it as "not logged in";
	// any other Store error is an outage, and the Manager passes it on so that
	// callers can answer 503 instead of logging the user out.
	ErrNotFound = errors.New("session: not found")

	// ErrStoreUnavailable wraps every error the Store returned other than
	// ErrNotFound: the store could not be reached or failed, so the request is
	// neither logged in nor out, and the answer is 503.
	ErrStoreUnavailable = errors.New("session: store unavailable")

	// ErrCookieTooLarge reports a cookie that would pass 4096 bytes. It is
	// never sent; store less in the session or use a server-side Store.
	ErrCookieTooLarge = errors.New("session: cookie would exceed 4096 bytes")

	// ErrRevocationUnsupported is returned by Manager.RevokeOwner when the Store
	// cannot find sessions by owner, as the default cookie store cannot: a cookie session
	// lives in the browser and ends only by expiry or logout.
	ErrRevocationUnsupported = errors.New("session: the store cannot revoke sessions by owner")

	// ErrListingUnsupported is returned when the Store cannot list an owner's
	// sessions or end one by its ID (it is not a Lister), as the default
	// cookie store cannot: a cookie session is known only to the browser that holds it.
	ErrListingUnsupported = errors.New("session: the store cannot list sessions")
)
