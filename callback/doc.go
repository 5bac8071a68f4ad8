// Package callback owns LINE Login v2.1's protocol: the authorize URL
// (state, nonce and an S256 PKCE challenge), LINE's answer at the
// callback, the code exchange with golang.org/x/oauth2, the ID token checks
// with github.com/coreos/go-oidc/v3 (HS256 under the channel secret for web
// login, ES256 from LINE's JWKS for LIFF and native apps, and the nonce
// that go-oidc leaves to its callers), and LINE's APIs: verify, profile,
// friendship, refresh, revoke and deauthorize.
//
// It knows nothing of cookies or sessions: the middleware package keeps
// each login's Attempt in an encrypted cookie between /login and
// /callback, and the resulting User in the session. Apps on net/http use
// that package; this one is for calling LINE's APIs (Client from
// middleware.Auth.Client) and for apps that drive the protocol by hand:
//
//	c, err := callback.New(callback.Config{
//		ChannelID:     "1234567890",
//		ChannelSecret: secret,
//		RedirectURL:   "https://example.com/callback",
//	})
//	attempt := callback.Attempt{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier()}
//	// keep attempt for this browser, then:
//	authorize, err := c.AuthCodeURL(attempt)
//	http.Redirect(w, r, authorize, http.StatusFound)
//	// ... at /callback, with the attempt found by the response's state:
//	login, err := c.Exchange(ctx, attempt, callback.ParseResponse(r.URL.Query()))
//
// A Client that only checks bearer tokens (UserFromAccessToken,
// VerifyIDToken) needs no RedirectURL. New's options set what the Client
// observes: WithClock, WithMeterProvider, WithTracerProvider (the Client
// traces its calls to LINE itself, never recording an access token).
//
// Every error matches exactly one of the package's categories (see
// ErrConfig) with errors.Is.
package callback
