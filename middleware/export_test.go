package middleware

// For the tests of package middleware_test: the error table's lookups and
// the sentinel of each of its rows.
var (
	StatusOf = errorStatus
	ReasonOf = failureReason
)

// ErrorTableSentinels returns the sentinel of each row of errorClasses.
func ErrorTableSentinels() []error {
	s := make([]error, len(errorClasses))
	for i, c := range errorClasses {
		s[i] = c.is
	}
	return s
}

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

// LinkRecheck is how long an instance trusts the account it remembers.
const LinkRecheck = linkRecheckInterval
