package sessioncookie_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/cookie"
	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/session"
)

// This file pins the session-cookie rules (the OWASP ASVS session rules) against hostile cookie values:
// whatever a client sends, the answer is "no session", never an error that
// could become a 500, and never someone else's session.

func newCodec(t *testing.T, maxAge time.Duration, keys ...[]byte) *cookie.Codec {
	t.Helper()
	c, err := cookie.NewCodec(maxAge, keys...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSecurity_CodecRejectsEveryAlteredByte flips each byte of a value in
// turn, and cuts it at every length: the MAC covers all of it.
func TestSecurity_CodecRejectsEveryAlteredByte(t *testing.T) {
	c := newCodec(t, time.Hour, session.GenerateKey())
	v, err := c.Encode("name", []byte("a payload of some length"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := c.Decode("name", v); err != nil || string(got) != "a payload of some length" {
		t.Fatalf("control: %q, %v", got, err)
	}
	for i := range len(v) {
		for _, repl := range []byte{'A', '_', '-', '='} {
			if v[i] == repl {
				continue
			}
			b := []byte(v)
			b[i] = repl
			if sameBytes(v, string(b)) {
				continue // only base64's unused bits changed: the same value
			}
			if got, _, err := c.Decode("name", string(b)); !errors.Is(err, cookie.ErrInvalid) {
				t.Fatalf("byte %d set to %q: decoded %q, %v", i, repl, got, err)
			}
		}
	}
	for n := range len(v) {
		if got, _, err := c.Decode("name", v[:n]); !errors.Is(err, cookie.ErrInvalid) {
			t.Fatalf("cut to %d bytes: decoded %q, %v", n, got, err)
		}
	}
	for name, bad := range map[string]string{
		"appended data":       v + "AAAA",
		"doubled":             v + v,
		"padding added":       v + "==",
		"standard base64":     strings.NewReplacer("-", "+", "_", "/").Replace(v) + "+/",
		"whitespace":          " " + v,
		"over 4096 bytes":     strings.Repeat("A", 5000),
		"over a megabyte":     strings.Repeat("A", 1<<20),
		"NUL":                 "\x00",
		"pipe-separated junk": "a|b|c",
		"empty":               "",
	} {
		if got, _, err := c.Decode("name", bad); !errors.Is(err, cookie.ErrInvalid) {
			t.Errorf("%s: decoded %q, %v", name, got, err)
		}
	}
}

// sameBytes reports whether two cookie values decode to the same bytes:
// base64 ignores the unused bits of a value's last character.
func sameBytes(a, b string) bool {
	x, errA := base64.URLEncoding.DecodeString(a)
	y, errB := base64.URLEncoding.DecodeString(b)
	return errA == nil && errB == nil && string(x) == string(y)
}

// TestSecurity_CodecRejectsValuesOfOtherKeysAndOtherNames: a value made
// under a key that is not in the list, or for another cookie name, does
// not decode, even when the rest of the key list matches.
func TestSecurity_CodecRejectsValuesOfOtherKeysAndOtherNames(t *testing.T) {
	k1, k2, k3 := session.GenerateKey(), session.GenerateKey(), session.GenerateKey()
	v, err := newCodec(t, time.Hour, k1).Encode("linelogin_session", []byte("p"))
	if err != nil {
		t.Fatal(err)
	}
	if _, old, err := newCodec(t, time.Hour, k2, k1).Decode("linelogin_session", v); err != nil || !old {
		t.Fatalf("control: under an old key: old=%v %v", old, err)
	}
	for name, dec := range map[string]func() error{
		"a removed key": func() error {
			_, _, err := newCodec(t, time.Hour, k2, k3).Decode("linelogin_session", v)
			return err
		},
		"the __Host- name": func() error {
			_, _, err := newCodec(t, time.Hour, k1).Decode("__Host-linelogin_session", v)
			return err
		},
		"a flow cookie's name": func() error {
			_, _, err := newCodec(t, time.Hour, k1).Decode("linelogin_flow_0123456789abcdef0123456789abcdef", v)
			return err
		},
		"a name differing in case": func() error {
			_, _, err := newCodec(t, time.Hour, k1).Decode("Linelogin_session", v)
			return err
		},
	} {
		if err := dec(); !errors.Is(err, cookie.ErrInvalid) {
			t.Errorf("value decoded under %s: %v", name, err)
		}
	}
}

// TestSecurity_CodecValuesRevealNothing: the same payload encodes to a new
// value each time (no equality leak), and the value does not contain the
// payload in any readable form.
func TestSecurity_CodecValuesRevealNothing(t *testing.T) {
	c := newCodec(t, time.Hour, session.GenerateKey())
	const secret = "U4af4980629a3d1e8d1a0e6f0c3e0b0b1 access-token-canary"
	seen := map[string]bool{}
	for range 50 {
		v, err := c.Encode("n", []byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		if seen[v] {
			t.Fatal("the same payload encoded to the same value twice")
		}
		seen[v] = true
		raw, _ := base64.URLEncoding.DecodeString(v)
		for _, s := range []string{secret, "access-token-canary", "U4af4980629a3d1e8"} {
			if strings.Contains(v, s) || strings.Contains(string(raw), s) {
				t.Fatalf("value shows %q", s)
			}
		}
	}
}

// TestSecurity_ManagerTreatsHostileCookiesAsNoSession: every hostile value
// is ErrNoSession (logged out), never another error (which the middleware
// would answer with 503), and Load sets no cookie in reply.
func TestSecurity_ManagerTreatsHostileCookiesAsNoSession(t *testing.T) {
	ck := testkit.NewClock(time.Unix(1_800_000_000, 0))
	key := session.GenerateKey()
	m := testkit.NewManager(t, ck, nil, key)
	_, good := testkit.Issue(t, m, []byte("payload"))
	other := testkit.NewManager(t, ck, nil, session.GenerateKey())
	_, foreign := testkit.Issue(t, other, []byte("payload"))
	codec := newCodec(t, time.Hour, key)
	// Values that authenticate under the right key and name, but whose
	// envelope is broken: only a holder of the key could make them, yet the
	// Manager must not trust their shape.
	forge := func(plain []byte) string {
		v, err := codec.Encode(sessioncookie.DefaultCookieName, plain)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	envelope := func(expiry time.Time, ref string) []byte {
		b := make([]byte, 8)
		u := uint64(expiry.Unix())
		for i := 7; i >= 0; i-- {
			b[i] = byte(u)
			u >>= 8
		}
		return append(b, ref...)
	}
	cases := map[string]*http.Cookie{
		"junk":                 {Name: sessioncookie.DefaultCookieName, Value: "junk"},
		"empty":                {Name: sessioncookie.DefaultCookieName, Value: ""},
		"huge":                 {Name: sessioncookie.DefaultCookieName, Value: strings.Repeat("A", 64<<10)},
		"foreign key":          {Name: sessioncookie.DefaultCookieName, Value: foreign.Value},
		"truncated":            {Name: sessioncookie.DefaultCookieName, Value: good.Value[:len(good.Value)-4]},
		"tampered":             {Name: sessioncookie.DefaultCookieName, Value: good.Value[:10] + "x" + good.Value[11:]},
		"envelope too short":   {Name: sessioncookie.DefaultCookieName, Value: forge([]byte{1, 2, 3})},
		"envelope empty":       {Name: sessioncookie.DefaultCookieName, Value: forge(nil)},
		"envelope expired":     {Name: sessioncookie.DefaultCookieName, Value: forge(envelope(ck.Now().Add(-time.Second), "p"))},
		"envelope at expiry":   {Name: sessioncookie.DefaultCookieName, Value: forge(envelope(ck.Now(), "p"))},
		"envelope at epoch":    {Name: sessioncookie.DefaultCookieName, Value: forge(envelope(time.Unix(0, 0), "p"))},
		"envelope negative":    {Name: sessioncookie.DefaultCookieName, Value: forge(envelope(time.Unix(-1, 0), "p"))},
		"good value, bad name": {Name: "linelogin_sessionx", Value: good.Value},
		"good value, __Host-":  {Name: "__Host-" + sessioncookie.DefaultCookieName, Value: good.Value},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(c)
			rec := httptest.NewRecorder()
			got, err := m.Load(rec, r)
			if !errors.Is(err, sessioncookie.ErrNoSession) {
				t.Errorf("Load = %q, %v; want ErrNoSession", got, err)
			}
			if sc := rec.Result().Cookies(); len(sc) != 0 {
				t.Errorf("Load answered a hostile cookie with Set-Cookie %v", sc)
			}
		})
	}
	// The control: the good value loads.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(good)
	if got, err := m.Load(httptest.NewRecorder(), r); err != nil || string(got) != "payload" {
		t.Fatalf("control: %q, %v", got, err)
	}
}

// TestSecurity_SecureManagerIgnoresCookiesWithoutTheHostPrefix: over https
// the session lives in a __Host- cookie, which no sibling subdomain can
// set; a tossed cookie under the bare name is ignored, and does not
// shadow the real one.
func TestSecurity_SecureManagerIgnoresCookiesWithoutTheHostPrefix(t *testing.T) {
	key := session.GenerateKey()
	m, err := sessioncookie.NewManager(sessioncookie.Config{Keys: [][]byte{key}, Secure: true, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if err := m.Issue(rec, httptest.NewRequest(http.MethodGet, "/", nil), "owner", []byte("mine")); err != nil {
		t.Fatal(err)
	}
	real := rec.Result().Cookies()[0]
	if real.Name != "__Host-"+sessioncookie.DefaultCookieName || !real.Secure || real.Path != "/" || real.Domain != "" || !real.HttpOnly {
		t.Fatalf("secure session cookie %+v", real)
	}
	// A cookie tossed from a sibling subdomain: the bare name, a value the
	// attacker got from their own session on the same app.
	rec = httptest.NewRecorder()
	m.Issue(rec, httptest.NewRequest(http.MethodGet, "/", nil), "attacker", []byte("attacker's"))
	attackers := rec.Result().Cookies()[0]
	tossed := &http.Cookie{Name: sessioncookie.DefaultCookieName, Value: attackers.Value}

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(tossed)
	if got, err := m.Load(httptest.NewRecorder(), r); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("bare-name cookie loaded as a session: %q, %v", got, err)
	}
	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(tossed)
	r.AddCookie(real)
	if got, err := m.Load(httptest.NewRecorder(), r); err != nil || string(got) != "mine" {
		t.Errorf("tossed cookie shadowed the real session: %q, %v", got, err)
	}
}

// TestSecurity_ServerSideLogoutEndsTheSessionEverywhere (ASVS 3.3.1): with
// a server-side store, a copy of the cookie taken before logout is worth
// nothing after it, and a new login ends the session it replaces.
func TestSecurity_ServerSideLogoutEndsTheSessionEverywhere(t *testing.T) {
	store := &memStore{m: map[string][]byte{}}
	m := testkit.NewManager(t, testkit.NewClock(time.Now()), store, session.GenerateKey())
	r, cookie := testkit.Issue(t, m, []byte("p"))
	stolen := httptest.NewRequest(http.MethodGet, "/", nil)
	stolen.AddCookie(cookie)
	if _, err := m.Load(httptest.NewRecorder(), stolen); err != nil {
		t.Fatalf("control: %v", err)
	}
	rec := httptest.NewRecorder()
	if err := m.Destroy(rec, r); err != nil {
		t.Fatal(err)
	}
	del := rec.Result().Cookies()
	if len(del) != 1 || del[0].Name != cookie.Name || del[0].MaxAge >= 0 || del[0].Value != "" || del[0].Path != "/" {
		t.Errorf("Destroy's cookie %+v does not delete %s", del, cookie.Name)
	}
	if _, err := m.Load(httptest.NewRecorder(), stolen); !errors.Is(err, sessioncookie.ErrNoSession) {
		t.Errorf("a copy of the cookie after logout: %v, want ErrNoSession", err)
	}
}

// TestSecurity_SessionValuesAreFreshAndUnpredictable (ASVS 3.2.1, 3.2.2):
// every Issue gives a new value, even for the same owner and payload.
func TestSecurity_SessionValuesAreFreshAndUnpredictable(t *testing.T) {
	m := testkit.NewManager(t, testkit.NewClock(time.Now()), nil, session.GenerateKey())
	seen := map[string]bool{}
	for range 100 {
		_, c := testkit.Issue(t, m, []byte("same payload"))
		if seen[c.Value] {
			t.Fatal("Issue repeated a session value")
		}
		seen[c.Value] = true
	}
}

// TestSecurity_CookieAttributesCannotBeWeakened: whatever CookieOptions
// say, cookies are HttpOnly with Path=/ and no Domain; SameSite=None is
// always Secure; and a cookie over 4096 bytes is an error, never sent.
func TestSecurity_CookieAttributesCannotBeWeakened(t *testing.T) {
	for name, o := range map[string]cookie.Options{
		"zero":          {},
		"default mode":  {SameSite: http.SameSiteDefaultMode},
		"strict":        {SameSite: http.SameSiteStrictMode},
		"none":          {SameSite: http.SameSiteNoneMode},
		"secure":        {Secure: true},
		"secure + none": {Secure: true, SameSite: http.SameSiteNoneMode},
	} {
		for _, c := range []*http.Cookie{mustCookie(t, o, "v"), o.Expired(o.Name("n"))} {
			if !c.HttpOnly || c.Path != "/" || c.Domain != "" {
				t.Errorf("%s: cookie %+v", name, c)
			}
			if c.SameSite == http.SameSiteNoneMode && !c.Secure {
				t.Errorf("%s: SameSite=None without Secure", name)
			}
			if c.SameSite == http.SameSiteDefaultMode || c.SameSite == 0 {
				t.Errorf("%s: no SameSite", name)
			}
			if o.Secure && (!c.Secure || !strings.HasPrefix(c.Name, "__Host-")) {
				t.Errorf("%s: secure cookie %+v lacks Secure or __Host-", name, c)
			}
		}
		if _, err := o.New(o.Name("n"), strings.Repeat("v", 4096), time.Hour); !errors.Is(err, session.ErrCookieTooLarge) {
			t.Errorf("%s: a 4 KB value: %v, want ErrCookieTooLarge", name, err)
		}
	}
}

func mustCookie(t *testing.T, o cookie.Options, value string) *http.Cookie {
	t.Helper()
	c, err := o.New(o.Name("n"), value, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
