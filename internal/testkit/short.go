package testkit

import "testing"

// LongOnly marks tb as a long test: it skips under go test -short, saying
// why. It is the one way this module's tests skip; none skips for a
// missing tool or service: make test installs and starts what the tests
// need, and a test without it fails.
func LongOnly(tb testing.TB, why string) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("-short: " + why)
	}
}
