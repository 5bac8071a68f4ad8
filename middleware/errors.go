package middleware

import (
	"errors"

	"github.com/linelogin/linelogin/callback"
)

// The errors of this package. With those of callback and session, each
// failure matches exactly one category with errors.Is; OnError hooks and
// the error table behind ServeError and Event.Reason rely on it.
var (
	// ErrConfig is wrapped by every error New returns for a bad Config, and
	// by failures that only a change of configuration fixes. It is the same
	// value as callback.ErrConfig: one category, whichever package names it.
	ErrConfig = callback.ErrConfig

	// ErrLoginRequired reports that a request has no session whose tokens can
	// call LINE's APIs: it never had one, its refresh token was rejected (the
	// session has then ended), or it was authenticated by a bearer token.
	ErrLoginRequired = errors.New("middleware: login required")

	// ErrMalformedCredential reports an Authorization or X-Line-ID-Token
	// header that is not a well-formed bearer credential. RequireLINEUser
	// answers it with 400 and a token LINE refuses (callback.ErrInvalidToken)
	// with 401, as RFC 6750 says.
	ErrMalformedCredential = errors.New("middleware: malformed credential header")

	// ErrRateLimited reports a bearer credential left unchecked because
	// checking it with LINE now would pass a limit (see BearerLimits): the
	// client's address used its allowance (RequireLINEUser answers 429), or
	// the instance is at its cap of concurrent checks or backing off after
	// LINE answered 429 (503). Both carry Retry-After.
	ErrRateLimited = errors.New("middleware: bearer check rate-limited")

	// ErrLoginRejected is wrapped by the error the OnLogin hook returned when
	// it refused a login.
	ErrLoginRejected = errors.New("middleware: login rejected by the app")

	// ErrCrossSiteRequest reports a logout, connect, unlink or end-session
	// POST that did not prove it came from the app's own pages.
	ErrCrossSiteRequest = errors.New("middleware: cross-site request refused")
)

// The errors of account linking (see Config.Linking). A conflict is
// link.ErrAlreadyLinked.
var (
	// ErrNotSignedIn reports a connect or unlink with no app account
	// signed in (Linking.SignedInAccount returned "" and no error).
	ErrNotSignedIn = errors.New("middleware: no app account signed in")

	// ErrConnectSessionChanged reports a connect whose callback arrived
	// when the app's session no longer named the account that started it:
	// nothing was linked.
	ErrConnectSessionChanged = errors.New("middleware: app session changed during connect")

	// ErrUnlinkRefused reports an unlink that Linking.BeforeUnlink
	// refused: the link is kept (409).
	ErrUnlinkRefused = errors.New("middleware: unlink refused by the app")

	// ErrUnknownTenant reports a request whose tenant (its host, or what
	// Config.TenantKey says) is none of Config.Tenants: 421, never another
	// tenant's login.
	ErrUnknownTenant = errors.New("middleware: unknown tenant")
)
