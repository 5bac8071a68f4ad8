// Package session owns what an app chooses about sessions: the keys that
// encrypt and authenticate the session cookie (KeySize random bytes each,
// rotated by listing a new one first), and where a session's payload lives:
// in the cookie itself (the default) or in a server-side
// Store that can end sessions early (session/redisstore,
// session/gorillastore, or your own).
//
// The package knows nothing of LINE or HTTP: a Store keeps opaque bytes.
// The middleware package encrypts the cookie, enforces expiry and decides
// what a session holds.
//
//	keys, err := session.ParseKeys(os.Getenv("SESSION_KEYS"))
//	if err != nil {
//		log.Fatal(err) // each key is the standard base64 of 32 random bytes
//	}
//	auth, err := middleware.New(middleware.Config{Session: middleware.SessionConfig{Keys: keys}, ...})
package session
