package link

import (
	"context"
	"time"
)

// Attempts limits how many proofs are checked per key (a LINE user, a
// membership number), so that guessing stops after a few. An attempt is
// reserved before its proof is checked, atomically with the test of the
// limit: of any number of simultaneous attempts for one key, at most max
// hold a reservation within the window, and only those are checked.
//
// A reservation whose proof is refused is kept: it is that refusal, and
// counts until it is window old. One whose proof succeeded, or could not
// be checked (an outage), is given back with Release, so that only
// refusals lock a key, as LINE's ID-linking guide asks ("after 5 refused
// proofs ... further tries get 429"). A reservation never released (the
// process died) counts as a refusal: the limit fails closed.
//
// Times come from the caller, so that one injected clock rules. Without
// one configured, a linking keeps its attempts in the process's memory;
// apps of several instances share redislink.NewAttempts.
type Attempts interface {
	// Reserve takes one attempt at now for each of keys, in order. When a
	// key already holds max attempts within the window, it takes none
	// (giving back what it took for the keys before it) and returns how
	// long until that key's oldest attempt leaves the window. Otherwise
	// it returns the reservation's ID, for Release.
	Reserve(ctx context.Context, keys []string, now time.Time) (id string, wait time.Duration, err error)
	// Release gives back the reservation id of keys: its proof was not
	// refused.
	Release(ctx context.Context, keys []string, id string) error
}
