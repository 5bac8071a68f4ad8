// Package callback speaks LINE Login v2.1's protocol for a web app: it
// starts a login flow (state, nonce and an S256 PKCE verifier), builds the
// authorize URL, reads LINE's answer at the callback, swaps the code for
// tokens with golang.org/x/oauth2, and verifies the ID token with
// github.com/coreos/go-oidc/v3, checking the nonce that go-oidc leaves to
// its callers.
//
// It knows nothing of cookies or sessions: the middleware package keeps a
// Flow in an encrypted cookie between /login and /callback and keeps the
// resulting User in the session.
//
//	c, err := callback.New(callback.Config{
//		ChannelID:     "1234567890",
//		ChannelSecret: secret,
//		RedirectURL:   "https://example.com/callback",
//	})
//	flow, _ := callback.NewFlow("/orders")
//	http.Redirect(w, r, c.AuthCodeURL(flow), http.StatusFound)
//	// ... at /callback, with the flow found by the response's state:
//	login, err := c.Exchange(ctx, flow, callback.ParseResponse(r.URL.Query()))
package callback
