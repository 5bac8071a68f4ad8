package testkit

import (
	"sync/atomic"
	"testing"
)

// TestAtOnce: every f runs, each with its own index, all at the same time
// (none returns before the last has started), and meanwhile runs too.
func TestAtOnce(t *testing.T) {
	const n = 20
	var started atomic.Int32
	all := make(chan struct{})
	seen := make([]bool, n)
	ranMeanwhile := false
	AtOnce(n, func(i int) {
		if started.Add(1) == n {
			close(all)
		}
		<-all // would hang if they ran one by one
		seen[i] = true
	}, func() { ranMeanwhile = true })
	for i, ok := range seen {
		if !ok {
			t.Errorf("f(%d) did not run", i)
		}
	}
	if !ranMeanwhile {
		t.Error("meanwhile did not run")
	}
}
