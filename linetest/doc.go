// Package linetest is a fake LINE Platform for tests, demos and local
// development: it serves LINE Login v2.1 (OAuth 2.0 and OpenID Connect) and the
// LINE Login APIs that linelogin calls, on one host, with no network access.
//
// The fake is strict in the ways the real platform is strict, so that code
// which passes against it also passes against LINE:
//
//   - the client ID and the channel secret are checked, and the secret is only
//     accepted in the request body (client_secret_post), never with HTTP Basic;
//   - redirect_uri must match a registered callback URL exactly, and must be
//     repeated unchanged at the token endpoint;
//   - state must be a non-empty alphanumeric string;
//   - authorization codes are single use, burned on first use even when the
//     exchange fails, and expire after ten minutes;
//   - PKCE accepts S256 only and checks the verifier;
//   - web-login ID tokens are HS256 JWTs signed with the channel secret, while
//     LIFF ID tokens are ES256 JWTs whose keys are published at the JWKS
//     endpoint;
//   - access tokens are JWT-shaped strings that only the platform can verify,
//     and verify, profile, friendship, revoke and deauthorize understand them.
//
// A consent page lets a person pick one of the test users (for the example
// app and browser tests); Config.AutoApprove skips it for automated tests.
// Faults (status, body, headers, delay) can be injected per endpoint, a hook can
// mutate the claims and header of the ID tokens the token endpoint issues, and
// every request is recorded so that tests can assert what a client sent.
//
// A test typically starts a server and points both the LINE access host and
// the LINE API host at it:
//
//	srv := linetest.NewServer(t, linetest.Config{
//		CallbackURLs: []string{"http://127.0.0.1:8080/callback"},
//		AutoApprove:  linetest.DefaultUsers()[0].ID,
//	})
//	accessURL, apiURL := srv.URL(), srv.URL()
//
// A main package can do the same with a nil testing.TB:
//
//	srv := linetest.NewServer(nil, linetest.Config{})
//	defer srv.Close()
package linetest
