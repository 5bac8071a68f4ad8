// Package session keeps a logged-in user's session between requests: it
// encrypts and authenticates cookie values under a list of rotating keys
// (gorilla/securecookie), enforces expiry on the server, and stores the
// session payload either in the cookie itself or in a server-side Store.
//
// The package knows nothing of LINE: a session payload is opaque bytes that
// the caller encodes. The middleware package builds on it.
//
//	keys, _ := session.ParseKeys(os.Getenv("SESSION_KEYS"))
//	m, err := session.NewManager(session.Config{Keys: keys, Secure: true})
//	...
//	err = m.Issue(w, r, userID, payload) // at login: always a new value
//	payload, err := m.Load(w, r)        // on each request
//	err = m.Destroy(w, r)               // at logout
package session
