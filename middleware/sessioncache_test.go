package middleware

import (
	"fmt"
	"testing"
	"time"
)

func TestSessionCache_ExpiresAndStaysBounded(t *testing.T) {
	c := newSessionCache()
	now := time.Unix(1_800_000_000, 0)
	c.now = func() time.Time { return now }
	st := &requestState{source: SourceSession}
	c.put("v", st, now.Add(time.Minute))
	if c.get("v") != st {
		t.Fatal("fresh entry missed")
	}
	now = now.Add(time.Minute)
	if c.get("v") != nil {
		t.Error("entry served at its expiry")
	}
	for i := range sessionCacheSize * 2 {
		c.put(fmt.Sprint(i), st, now.Add(time.Hour))
	}
	if n := len(c.entries); n > sessionCacheSize {
		t.Errorf("%d entries, want at most %d", n, sessionCacheSize)
	}
	c.forget("19999")
	if c.get("19999") != nil {
		t.Error("forgotten entry served")
	}
}
