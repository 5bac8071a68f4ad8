package cookie

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/linelogin/linelogin/session"
)

// backdate rewrites the timestamp that securecookie puts in value (for the
// cookie called name) to at, and signs it again under key, as a value
// issued then would be: the test of the maximum age needs no sleep.
func backdate(t *testing.T, key []byte, name, value string, at time.Time) string {
	t.Helper()
	raw, err := base64.URLEncoding.DecodeString(value)
	if err != nil {
		t.Fatal(err)
	}
	parts := bytes.SplitN(raw, []byte("|"), 3) // date, encrypted value, MAC
	if len(parts) != 3 {
		t.Fatalf("not a securecookie value: %q", raw)
	}
	hashKey, _, err := derive(key)
	if err != nil {
		t.Fatal(err)
	}
	date := []byte(strconv.FormatInt(at.UTC().Unix(), 10))
	mac := hmac.New(sha256.New, hashKey)
	mac.Write([]byte(name + "|" + string(date) + "|" + string(parts[1])))
	forged := bytes.Join([][]byte{date, parts[1], mac.Sum(nil)}, []byte("|"))
	return base64.URLEncoding.EncodeToString(forged)
}

// TestCodec_EnforcesMaxAge: the codec rejects a value older than its
// maximum age, whatever the browser kept, and accepts one just younger.
func TestCodec_EnforcesMaxAge(t *testing.T) {
	key := session.GenerateKey()
	c, err := NewCodec(time.Hour, key)
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Encode("n", []byte("p"))
	if err != nil {
		t.Fatal(err)
	}
	young := backdate(t, key, "n", v, time.Now().Add(-time.Hour+time.Minute))
	if plain, _, err := c.Decode("n", young); err != nil || string(plain) != "p" {
		t.Fatalf("control: a value 59 minutes old: %q, %v", plain, err)
	}
	old := backdate(t, key, "n", v, time.Now().Add(-time.Hour-time.Minute))
	if _, _, err := c.Decode("n", old); !errors.Is(err, ErrInvalid) {
		t.Errorf("a value older than the maximum age: %v, want ErrInvalid", err)
	}
}
