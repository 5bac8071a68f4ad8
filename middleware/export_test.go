package middleware

// Names the tests of package middleware_test need that users do not.
var (
	DeviceHint   = deviceHint
	SafeReturnTo = safeReturnTo
)

// The link API's guessing limits, for the tests that reach them.
const (
	MaxRefusedProofs   = maxRefusedProofs
	RefusedProofWindow = refusedProofWindow
)

// MaxFlows is how many logins a browser can have in progress.
const MaxFlows = maxFlows

// Defaults the tests compare with.
const (
	DefaultSessionLifetime     = defaultSessionLifetime
	DefaultRefusedTokenTTL     = defaultRefusedTokenTTL
	DefaultMaxConcurrentChecks = defaultMaxConcurrentChecks
)
