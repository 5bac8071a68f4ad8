// Package middleware adds LINE Login to a net/http app. An *Auth mounts
// /login, /callback and /logout, keeps the logged-in LINE user in an
// encrypted session cookie, and puts that user in each request's context.
//
//	auth, err := middleware.New(middleware.Config{
//		LINE: callback.Config{
//			ChannelID:     os.Getenv("LINE_CHANNEL_ID"),
//			ChannelSecret: os.Getenv("LINE_CHANNEL_SECRET"),
//			RedirectURL:   "https://example.com/callback",
//		},
//		SessionKeys: keys,
//	})
//	mux := http.NewServeMux()
//	mux.Handle("/me", auth.RequireLINEUser(meHandler))
//	http.ListenAndServe(addr, auth.Handler(mux))
//
// Handler has the func(http.Handler) http.Handler shape, so it also works as
// chi's r.Use(auth.Handler). Inside a handler, UserFromContext returns the
// user. Routers that want explicit routes can mount LoginHandler,
// CallbackHandler and LogoutHandler themselves.
//
// Native and LIFF apps send an access token (Authorization: Bearer) or an
// ID token (X-Line-ID-Token) instead of a cookie. They are checked only on
// routes that ask for a LINE user: RequireLINEUser, OptionalLINEUser and
// LinkAPIHandler. Handler alone asks LINE nothing, and an Authorization
// header of another scheme is never a LINE credential.
//
// Config.Linking links LINE users to the app's own accounts (see package
// link): LinkedAccountFromContext then gives the linked account for every
// kind of credential (or the store's failure, never a silent "unlinked"), ConnectHandler and UnlinkHandler serve a signed-in
// user's "Connect LINE" and "Unlink" buttons, and LinkAPIHandler links
// LIFF and native apps' users with a proof of the app's own identity.
//
// In production, Config.MeterProvider (or the global OpenTelemetry one)
// receives metrics of logins, their failures by Reason, and bearer checks;
// Config.OnEvent feeds an audit log. The pages the middleware shows are in
// English, Japanese, Traditional Chinese and Thai, chosen from
// Accept-Language (Config.Messages and Config.Language change the texts
// and the choice). New refuses configurations that can never work, and a
// configuration mistake LINE reveals is logged as one.
package middleware
