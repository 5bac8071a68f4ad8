package middleware

import (
	"testing"
	"time"
)

// TestSessionData_KeepsScopesAsTaggedFields: the scopes asked for and
// granted travel in tagged fields, so that a cookie with them still reads
// on an instance of the version before (which skips unknown tags), and one
// without them reads here with no scopes known.
func TestSessionData_KeepsScopesAsTaggedFields(t *testing.T) {
	d := &sessionData{accessToken: "at", tokenExpiry: time.Unix(1_900_000_000, 0)}
	d.user.ID = "U1"
	plain := d.encode()
	d.granted, d.asked = "profile openid", "profile openid email"
	b := d.encode()
	got, err := decodeSessionData(b)
	if err != nil || got.granted != "profile openid" || got.asked != "profile openid email" {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	if string(b[:len(plain)]) != string(plain) {
		t.Errorf("the scopes changed the fields before the tagged ones")
	}
	if got, err := decodeSessionData(plain); err != nil || got.granted != "" || got.asked != "" {
		t.Errorf("a cookie without scopes: %+v, %v", got, err)
	}
}
