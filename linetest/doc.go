// Package linetest is a fake LINE Platform for tests, demos and local
// development: it serves LINE Login v2.1 (OAuth 2.0 and OpenID Connect),
// LINE Login v2.0's web login, and the LINE Login APIs, with no network
// access.
//
// The fake is as strict as LINE, so that code which passes against it also
// passes against LINE; where a test needs it laxer, it asks explicitly
// (Config.AnyCallbackURL, AutoApprove, SetFault). A Server listens on two
// origins, the access host (AccessURL, for access.line.me) and the API host
// (APIURL, for api.line.me): an endpoint asked on the wrong host gets 404,
// and ID tokens name the access origin as their issuer, so a client that
// mixes the two up fails here as it would at LINE.
//
// A test of an app typically starts a server, points the app at it with
// CallbackConfig (which also registers the app's callback URL), and logs
// in as a chosen test user with Login:
//
//	srv := linetest.NewServer(t, linetest.Config{})
//	app := httptest.NewUnstartedServer(nil)
//	line, err := srv.CallbackConfig("http://" + app.Listener.Addr().String() + "/callback")
//	// ... build the app from line, set app.Config.Handler, app.Start() ...
//	client, res, err := srv.Login(ctx, app.URL+"/me", linetest.Consent{UserID: srv.Users()[3].ID})
//
// A main package can do the same with a nil testing.TB:
//
//	srv := linetest.NewServer(nil, linetest.Config{CallbackURLs: []string{"http://localhost:8080/callback"}})
//	defer srv.Close()
//
// # Who logs in
//
// Without anything else, authorize shows a consent page on which a person
// picks a test user, ticks the add-friend option (with bot_prompt) or
// cancels: for the example app and browser tests. The client Login makes
// is answered as its Consent says, without the page; otherwise Config.AutoApprove answers as one user for
// every client. Consent.AddFriend and Config.AutoAddFriend tick the
// add-friend option. The sign-in is a cookie on the access host, standing
// for the login session LINE keeps in the browser.
//
// prompt=none never shows the page. It fails with LOGIN_REQUIRED when
// nobody is signed in (no Login client, no AutoApprove), and with
// INTERACTION_REQUIRED when automatic login is off (disable_auto_login=true)
// or the user has not yet approved every requested scope for the channel
// (never, or not since a deauthorize); otherwise it approves at once.
//
// # What it reproduces
//
// Checked line by line against LINE's "Integrating LINE Login with your web
// app" (v2.1, Japanese, 2025, and its older Traditional Chinese
// translation), the v2.0 guide, "Creating a secure login process between
// your app and server", and, where the seeds say nothing, the LINE Login
// v2.1 API reference (marked "ref") and the v2.0 API reference (marked
// "v2.0 ref"):
//
//	LINE's behaviour                                         linetest
//	-------------------------------------------------------  ------------------------------------------------
//	authorize on access.line.me, token/verify/... on         two origins; the wrong host gives 404; discovery
//	  api.line.me; ID token iss https://access.line.me         names each endpoint's host; iss = AccessURL
//	several callback URLs per channel                        Config.CallbackURLs, AddCallbackURL
//	redirect_uri: a registered URL, "any query parameters    the same; the parameters come back on the
//	  may be added"                                            callback; AnyCallbackURL is the lax knob
//	bad client_id or redirect_uri: no redirect               LINE-styled 400 page (also when none registered)
//	every other failure redirects with error,                yes, in the request's response mode; state left
//	  error_description, state                                 out when there was none
//	state required, alphanumeric, not URL-encoded            INVALID_REQUEST redirect when missing or not
//	                                                           alphanumeric
//	response_type code only                                  UNSUPPORTED_RESPONSE_TYPE
//	scope: profile or openid needed; email needs openid      INVALID_SCOPE
//	nonce copied into the ID token                           yes; left out when not sent
//	prompt=consent, none, login                              all accepted; none as described above
//	max_age: auth_time in the ID token                       yes; auth_time only when max_age was sent; after
//	                                                           prompt=none, the earlier authentication's time
//	bot_prompt normal/aggressive; friendship_status_changed  only when bot_prompt was sent and the option was
//	  only when the add-friend option was shown                shown (the user not yet a friend); true when
//	                                                           ticked, and the user becomes a friend
//	PKCE: S256 only                                          plain refused; the verifier checked at token
//	response_mode query, form_post, query.jwt, jwt,          all five; JARM: one HS256 JWT under the channel
//	  form_post.jwt (FAPI JARM 4.3)                            secret, iss/aud/exp, in "response"
//	error codes INVALID_REQUEST, ACCESS_DENIED,              all; SERVER_ERROR and others on demand with
//	  UNSUPPORTED_RESPONSE_TYPE, INVALID_SCOPE,                SetAuthorizeError
//	  SERVER_ERROR, LOGIN_REQUIRED, INTERACTION_REQUIRED
//	cancel: ACCESS_DENIED, "The resource owner denied the    exactly
//	  request."
//	code valid 10 minutes, once                              yes; burned even by a failed exchange
//	token: form body, client_secret in the body,             yes; HTTP Basic refused; redirect_uri compared
//	  redirect_uri repeated                                    exactly
//	token answer: access_token (30 days), expires_in,        yes; scope never lists email; id_token only
//	  id_token, refresh_token (90 days), scope, token_type     with openid
//	ID token HS256 under the channel secret: iss, sub, aud,  yes; name/picture only with profile, email only
//	  exp, iat, auth_time, nonce, amr, name, picture, email    with email and when the user has one
//	amr: pwd, lineautologin, lineqr, linesso; mfa (ref);     per user (User.AMR, the AMR constants); a default
//	  "not included under certain conditions" (ref)            user has none and the claim is left out
//	verify access token: client_id, expires_in > 0;          yes; 400 "access token expired" (ref)
//	verify ID token error texts (ref)                        the six texts, exactly
//	refresh: "invalid refresh token" (ref)                   exactly
//	profile: pictureUrl and statusMessage only when set      yes (User.NoPicture, empty StatusMessage)
//	  (ref)
//	picture URLs are https (ref)                             yes: generated avatars on a TLS picture host of
//	                                                           their own, trusted by Server.Client
//	413 over 2MB (ref, status codes)                         yes, wherever a request body is read
//	userinfo (ref), friendship status (ref)                  yes; friendship needs the profile scope
//	deauthorize: 204; 400 {"message":"invalid token"} (ref)  exactly; consent forgotten
//	x-line-request-id on API answers (ref)                   yes, a random UUID
//	v2.0 web login /dialog/oauth/weblogin, token             yes; callback code and state only; token scope
//	  /v2/oauth/accessToken: no ID token, scope "P"            "P"; v2.0 and v2.1 codes do not cross
//	v2.0 refusal: error_description, errorMessage            exactly, in the guide's order
//	  DISALLOWED, errorCode 417, state, error access_denied
//	v2.0 verify POST /v2/oauth/verify (access_token):        yes; 400 invalid_request "access token
//	  scope "P", client_id, expires_in (v2.0 ref)              expired"
//	v2.0 refresh: grant_type=refresh_token at                yes; same fields; 400 invalid_grant "invalid
//	  /v2/oauth/accessToken (v2.0 ref)                         refresh token"
//	v2.0 revoke POST /v2/oauth/revoke (refresh_token):       yes; the login's tokens all stop working
//	  200, empty body (v2.0 ref)
//
// # What it does not reproduce
//
//	LINE's behaviour                               why not
//	---------------------------------------------  ---------------------------------------------------------
//	login screens (email and password, QR code,    they are LINE's own, between the user and LINE; a user's
//	  SSO confirmation, automatic login)             amr says how they logged in, and does not change with
//	                                                 prompt=login or initial_amr_display
//	switch_amr, initial_amr_display,               accepted and checked, recorded for tests to assert, but
//	  disable_ios_auto_login                         they only change LINE's screens (ui_locales, then
//	                                                 Accept-Language, does choose the consent page's
//	                                                 language: English, Japanese, Traditional Chinese, Thai)
//	consent screen skipped for returning users     the page doubles as the user picker; prompt=none does
//	                                                 honour earlier consent
//	bot_prompt=aggressive's separate screen        one checkbox serves both values
//	email permission applied for in the console    every channel has it; the seeds do not say what LINE
//	                                                 does without it
//	error_description texts other than             not in the seeds or the reference: the fake's texts are
//	  ACCESS_DENIED's; token and revoke error        its own (the status codes and JSON shapes follow the
//	  texts; profile, friendship and userinfo        reference), and clients must not match on them
//	  401/403 messages
//	the case of error codes                        the v2.1 guide writes ACCESS_DENIED, its zh-TW
//	                                                 translation access_denied: the fake sends capitals;
//	                                                 compare without regard to case
//	friendship_status_changed's JSON type inside   not documented; the fake puts the query's string
//	  a JARM JWT                                     ("true") in the claim
//	liffClientId, liffRedirectUri (liff.login())   no LIFF SDK here; IssueLIFFIDToken gives LIFF ID tokens
//	ID token lifetime                              not in the seeds; an hour (Config.IDTokenTTL)
//	rate limits (429)                              thresholds are not disclosed; use SetFault
//
// Faults (status, body, headers, delay) can be injected per endpoint, hooks
// can mutate the ID tokens (SetIDTokenHook) and the JARM responses
// (SetJARMHook), and every request is recorded so that tests can assert
// what a client sent.
package linetest
