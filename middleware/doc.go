// Package middleware adds LINE Login to a net/http app. An *Auth mounts
// the login, callback and logout endpoints, keeps the logged-in LINE user
// in an encrypted session, checks the credentials of LIFF and native apps,
// and puts the user in each request's context.
//
// # A web login
//
//	auth, err := middleware.New(middleware.Config{
//		LINE: callback.Config{
//			ChannelID:     os.Getenv("LINE_CHANNEL_ID"),
//			ChannelSecret: os.Getenv("LINE_CHANNEL_SECRET"),
//			RedirectURL:   "https://example.com/callback",
//		},
//		Session: middleware.SessionConfig{Keys: keys}, // session.ParseKeys
//	})
//	mux := http.NewServeMux()
//	mux.Handle("/me", auth.RequireLINEUser(meHandler))
//	http.ListenAndServe(addr, auth.Handler(mux))
//
// Handler has the func(http.Handler) http.Handler shape, so it also works as
// chi's r.Use(auth.Handler). It serves Config.Routes (/login and /logout by
// default) and the path of LINE.RedirectURL, and passes every other
// request on with the session's user in its context. Routers that want
// explicit routes mount LoginHandler, CallbackHandler and LogoutHandler
// themselves. A plain-http callback URL is accepted on the developer's
// machine only (localhost, *.localhost, 127.0.0.0/8, ::1).
//
// # In a handler
//
// UserFromContext returns the user (User.ChannelID says which channel
// vouched for it), SourceFromContext how it was authenticated, and
// LinkedAccountFromContext the app's own account linked to it.
// RequireLINEUser lets only requests with a user through (a browser goes to
// the login page, an API client gets 401); RequireLINEUserFrom accepts
// chosen sources only; OptionalLINEUser checks a bearer credential without
// requiring one; RequireSameOrigin guards the app's own forms. Token gives
// the session's access token for LINE's APIs, through Client.
//
// # LIFF and native apps
//
// They send an access token (Authorization: Bearer) or an ID token
// (X-Line-ID-Token) instead of a cookie. They are checked only on routes
// that ask for a LINE user: RequireLINEUser, OptionalLINEUser and
// Links().APIHandler. Handler alone asks LINE nothing, and an Authorization
// header of another scheme is never a LINE credential. Config.Bearer sets
// the ID token verifier, the cache of verified tokens and the limits on
// what unknown tokens can cost at LINE.
//
// An API that only serves such apps leaves LINE.RedirectURL and
// Session.Keys empty: Handler then mounts nothing, and RequireLINEUser
// answers 401 to every request without a bearer credential.
//
// # Many channels
//
// Config.Tenants gives one Auth a LINE channel per tenant (a brand, a
// country, a shop), each with its own credentials, callback URL, scopes
// and bot_prompt, chosen per request by its host (or Config.TenantKey).
// The app may Add and Remove tenants while it runs. A session, a login in
// progress, the token renewal, logout's revocation, the bearer checks,
// link lockout counts and metrics are each tenant's own; a request of no
// tenant gets a 421 page. Auth.ClientFor returns the client of a
// request's channel.
//
// # Rooms
//
// What is not mounted on every app lives in rooms of its own.
// Auth.Sessions manages users' sessions: a "where you're signed in" page,
// an operator's ban (RevokeUser) and account deletion (Unregister).
// Auth.Links serves account linking (Config.Linking, package link): the
// "Connect LINE" and "Unlink" buttons of a user signed in to the app, and
// linking from LIFF and native apps with a proof of the app's own
// identity.
//
// # Pages, logs and metrics
//
// The pages the middleware shows are in English, Japanese, Traditional
// Chinese and Thai, chosen from Accept-Language; Config.Pages changes the
// texts, the choice, and who answers a failure (OnError, which can fall
// back to ServeError). Config.Logger (slog.Default() if nil) gets one line
// per login, logout and failure; Config.MeterProvider (or the global
// OpenTelemetry one) gets metrics of logins, their failures by Reason, and
// bearer checks; Config.OnEvent feeds an audit log.
//
// # Mistakes
//
// New refuses, with an error wrapping ErrConfig, every configuration that
// could only fail later: a missing key or callback URL, a plain-http
// callback URL on a public host, Linking without SignedInAccount, and so
// on. A configuration mistake LINE reveals (a wrong channel secret, an
// unregistered callback URL) is logged as one, with what to fix.
package middleware
