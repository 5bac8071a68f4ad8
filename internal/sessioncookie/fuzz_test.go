package sessioncookie_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/cookie"
	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/session"
)

// fuzzKey is fixed so that the seeds mean the same in every run.
var fuzzKey = bytes.Repeat([]byte{7}, session.KeySize)

// FuzzCodecDecode decodes arbitrary names and values: never a panic, every
// failure ErrInvalid, and nothing decodes but a value the codec made (the
// fuzzer holds no key). Whatever the name and non-empty payload, Encode
// then Decode gives the payload back.
func FuzzCodecDecode(f *testing.F) {
	c, err := cookie.NewCodec(time.Hour, fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	made := map[string]string{} // payload by name
	for name, payload := range map[string]string{
		"linelogin_session": "\x00\x00\x00\x00\x70\x00\x00\x00payload",
		"linelogin_flow_0123456789abcdef0123456789abcdef": `{"s":"0123456789abcdef0123456789abcdef","n":"n","v":"v","r":"/"}`,
	} {
		v, err := c.Encode(name, []byte(payload))
		if err != nil {
			f.Fatal(err)
		}
		made[name] = payload
		f.Add(name, v)
		f.Add(name, v[:len(v)/2])
		f.Add("other", v)
	}
	f.Add("linelogin_session", "")
	f.Add("linelogin_session", "junk|junk|junk")
	f.Add("", "MTIzfA==")
	f.Fuzz(func(t *testing.T, name, value string) {
		plain, _, err := c.Decode(name, value)
		switch {
		case err != nil && !errors.Is(err, cookie.ErrInvalid):
			t.Fatalf("Decode error %v is not ErrInvalid", err)
		case err == nil:
			if want, ok := made[name]; !ok || string(plain) != want {
				t.Fatalf("forged a value: %q decodes under %q to %q", value, name, plain)
			}
		}
		if value == "" {
			return // securecookie cannot decrypt an empty plaintext; no caller encodes one
		}
		v, err := c.Encode(name, []byte(value))
		if err != nil {
			return // too large for a cookie
		}
		got, old, err := c.Decode(name, v)
		if err != nil || old || string(got) != value {
			t.Fatalf("round trip of %q under %q: %q, %v, %v", value, name, got, old, err)
		}
	})
}

// FuzzManagerLoad loads a session from arbitrary Cookie headers: never a
// panic, never an error other than ErrNoSession (which would be a 503), and
// never a payload but the one issued.
func FuzzManagerLoad(f *testing.F) {
	m, err := sessioncookie.NewManager(sessioncookie.Config{Keys: [][]byte{fuzzKey}, Lifetime: time.Hour})
	if err != nil {
		f.Fatal(err)
	}
	const payload = "the issued payload"
	rec := httptest.NewRecorder()
	if err := m.Issue(rec, httptest.NewRequest(http.MethodGet, "/", nil), "owner", []byte(payload)); err != nil {
		f.Fatal(err)
	}
	good := rec.Result().Cookies()[0]
	f.Add(good.String())
	f.Add(good.Name + "=" + good.Value)
	f.Add(good.Name + "=" + good.Value[:len(good.Value)-3])
	f.Add("a=b; " + good.Name + "=junk; " + good.Name + "=" + good.Value)
	f.Add(good.Name + `="` + good.Value + `"`)
	f.Add("__Host-" + good.Name + "=" + good.Value)
	f.Add(good.Name + "=")
	f.Add(";;;=;")
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Cookie", header)
		got, err := m.Load(httptest.NewRecorder(), r)
		switch {
		case err != nil && !errors.Is(err, sessioncookie.ErrNoSession):
			t.Fatalf("Load error %v is not ErrNoSession", err)
		case err == nil && string(got) != payload:
			t.Fatalf("Load gave %q from %q", got, header)
		}
	})
}
