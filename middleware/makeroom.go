package middleware

// makeRoom bounds a cache map: once m holds limit entries, it drops entries
// chosen at random (map order is random) until a quarter of limit is free.
// Cheap when amortized; an evicted entry only costs its next request the
// work the cache saves.
func makeRoom[K comparable, V any](m map[K]V, limit int) {
	if len(m) < limit {
		return
	}
	for k := range m {
		delete(m, k)
		if len(m) <= limit*3/4 {
			return
		}
	}
}
