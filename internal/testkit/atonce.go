package testkit

import "sync"

// AtOnce runs f(0) … f(n-1), each on a goroutine of its own, released
// together so that they race as simultaneous requests do. meanwhile, if not
// nil, runs once they are released (to hold a gate, say). AtOnce returns
// when meanwhile and every f have returned.
func AtOnce(n int, f func(i int), meanwhile func()) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	if meanwhile != nil {
		meanwhile()
	}
	wg.Wait()
}
