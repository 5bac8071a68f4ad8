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
