package middleware

import "testing"

// TestMakeRoom: a map below its limit keeps every entry; one at its limit
// is cut to three quarters of it, so that the next put has room.
func TestMakeRoom(t *testing.T) {
	m := map[int]bool{}
	for i := range 99 {
		m[i] = true
	}
	makeRoom(m, 100)
	if len(m) != 99 {
		t.Fatalf("below the limit: %d entries left, want 99", len(m))
	}
	m[99] = true
	makeRoom(m, 100)
	if len(m) != 75 {
		t.Fatalf("at the limit: %d entries left, want 75", len(m))
	}
}
