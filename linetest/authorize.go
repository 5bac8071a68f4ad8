package linetest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Error codes LINE sends back to the redirect_uri (v2.1), as the v2.1
// guide lists them. The guide writes them in capitals; its older
// translation (zh-TW) shows access_denied in lower case, so clients should
// compare them without regard to case.
const (
	errInvalidRequest          = "INVALID_REQUEST"
	errAccessDenied            = "ACCESS_DENIED"
	errUnsupportedResponseType = "UNSUPPORTED_RESPONSE_TYPE"
	errInvalidScope            = "INVALID_SCOPE"
	errLoginRequired           = "LOGIN_REQUIRED"
	errInteractionRequired     = "INTERACTION_REQUIRED"
)

// accessDeniedDescription is LINE's description when the user cancels.
const accessDeniedDescription = "The resource owner denied the request."

// Response modes LINE accepts (v2.1 guide, response_mode). jwt is
// query.jwt under another name.
const (
	modeQuery       = "query"
	modeFormPost    = "form_post"
	modeQueryJWT    = "query.jwt"
	modeJWT         = "jwt"
	modeFormPostJWT = "form_post.jwt"
)

// authRequest is a validated authorization request.
type authRequest struct {
	v20              bool // LINE Login v2.0's /dialog/oauth/weblogin
	redirectURI      string
	state            string
	scopes           []string
	nonce            string
	codeChallenge    string // S256; "" without PKCE
	maxAge           bool   // max_age was sent: the ID token carries auth_time
	responseMode     string // one of the mode constants; query when not sent
	botPrompt        bool   // bot_prompt was sent
	promptNone       bool
	disableAutoLogin bool      // disable_auto_login=true
	uiLocales        string    // ui_locales: the consent page's language
	expires          time.Time // of the pending consent page
}

// authorizeError is an error response set with SetAuthorizeError.
type authorizeError struct {
	code, description string
}

// SetAuthorizeError makes authorize answer every valid request by
// redirecting back to redirect_uri with error=code, error_description and
// state, as LINE v2.1 does (for example SERVER_ERROR or ACCESS_DENIED).
// An empty code clears it.
func (p *Platform) SetAuthorizeError(code, description string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if code == "" {
		p.authErr = nil
		return
	}
	p.authErr = &authorizeError{code: code, description: description}
}

// serveAuthorize starts a login: it validates the request as LINE does,
// then answers as the signed-in client's user (signIn), as the AutoApprove
// user, or with the consent page.
//
// prompt=none never shows a page, so it fails where a page would be
// needed: LOGIN_REQUIRED when nobody is signed in (no signIn, no
// AutoApprove), and INTERACTION_REQUIRED when automatic login is off
// (disable_auto_login=true) or the user has not yet consented to every
// requested scope for this channel.
func (p *Platform) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, ok := p.checkClientAndRedirect(w, q)
	if !ok {
		return
	}
	// response_mode decides how every later answer, errors included, is
	// delivered, so it is read first.
	if len(q["response_mode"]) > 1 {
		p.redirectError(w, req, errInvalidRequest, "response_mode was given more than once")
		return
	}
	switch mode := q.Get("response_mode"); mode {
	case "", modeQuery:
		req.responseMode = modeQuery
	case modeFormPost, modeQueryJWT, modeJWT, modeFormPostJWT:
		req.responseMode = mode
	default:
		req.responseMode = modeQuery
		p.redirectError(w, req, errInvalidRequest, "response_mode must be query, form_post, query.jwt, jwt or form_post.jwt")
		return
	}
	// A missing or unusable state is reported to the callback like any
	// other bad parameter: LINE redirects for every failure except a bad
	// client_id or redirect_uri.
	if !q.Has("state") || req.state == "" {
		p.log.Warn("linetest: authorize rejected", "reason", "state")
		p.redirectError(w, req, errInvalidRequest, "state is required")
		return
	}
	if !isAlphanumeric(req.state) {
		p.log.Warn("linetest: authorize rejected", "reason", "state")
		p.redirectError(w, req, errInvalidRequest, "state must be alphanumeric (URL-encoded strings cannot be used)")
		return
	}
	if code, desc := parseAuthorize(q, req); code != "" {
		p.log.Warn("linetest: authorize rejected", "error", code)
		p.redirectError(w, req, code, desc)
		return
	}

	p.mu.Lock()
	authErr := p.authErr
	p.mu.Unlock()
	if authErr != nil {
		p.redirectError(w, req, authErr.code, authErr.description)
		return
	}
	ans, signedIn, err := p.answerFor(r)
	if err != nil {
		p.errorPage(w, http.StatusInternalServerError, err.Error())
		return
	}
	if req.promptNone {
		switch {
		case !signedIn:
			p.redirectError(w, req, errLoginRequired, "the user is not logged in")
		case req.disableAutoLogin || !p.hasConsented(ans.UserID, req.scopes):
			p.redirectError(w, req, errInteractionRequired, "automatic login is not available")
		default:
			// Nothing is shown, so neither is the add-friend option.
			p.approve(w, req, ans.UserID, false, false)
		}
		return
	}
	if !signedIn {
		p.showConsent(w, r, req)
		return
	}
	if ans.Deny {
		p.redirectError(w, req, errAccessDenied, accessDeniedDescription)
		return
	}
	if ans.DeclineEmail {
		req = req.withoutEmail()
	}
	p.approve(w, req, ans.UserID, true, ans.AddFriend)
}

// checkClientAndRedirect checks what LINE must trust before it can send
// the user back to the app: client_id and redirect_uri, each given once,
// and state given at most once. When one is wrong it shows LINE's error
// page, not a redirect, and returns false.
func (p *Platform) checkClientAndRedirect(w http.ResponseWriter, q url.Values) (*authRequest, bool) {
	for _, k := range []string{"client_id", "redirect_uri", "state"} {
		if len(q[k]) > 1 {
			p.errorPage(w, http.StatusBadRequest, "The "+k+" parameter was given more than once.")
			return nil, false
		}
	}
	if q.Get("client_id") != p.channelID {
		p.log.Warn("linetest: authorize rejected", "reason", "client_id")
		p.errorPage(w, http.StatusBadRequest, "The client_id is missing or is not this channel's ID.")
		return nil, false
	}
	req := &authRequest{redirectURI: q.Get("redirect_uri"), state: q.Get("state"), responseMode: modeQuery}
	if !p.redirectURIAllowed(req.redirectURI) {
		p.log.Warn("linetest: authorize rejected", "reason", "redirect_uri")
		p.errorPage(w, http.StatusBadRequest, "The redirect_uri is missing or is not a callback URL registered for the channel (with, perhaps, more query parameters).")
		return nil, false
	}
	return req, true
}

// parseAuthorize checks the parameters that are reported to the
// redirect_uri, filling in req. It returns an error code and description,
// or "" when the request is valid.
func parseAuthorize(q url.Values, req *authRequest) (code, description string) {
	// OAuth parameters must not be repeated; a repeated client_id,
	// redirect_uri or state got the error page already.
	for _, k := range [...]string{
		"response_type", "scope", "nonce", "prompt", "max_age", "ui_locales",
		"bot_prompt", "initial_amr_display", "switch_amr", "disable_auto_login",
		"disable_ios_auto_login", "code_challenge", "code_challenge_method",
	} {
		if len(q[k]) > 1 {
			return errInvalidRequest, k + " was given more than once"
		}
	}
	switch rt := q.Get("response_type"); rt {
	case "code":
	case "":
		return errInvalidRequest, "response_type is required"
	default:
		return errUnsupportedResponseType, "response_type must be code"
	}

	scopes, desc := parseScopes(q.Get("scope"))
	if desc != "" {
		return errInvalidScope, desc
	}
	req.scopes = scopes
	req.nonce = q.Get("nonce")

	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method == "":
	case method != "S256":
		// LINE supports S256 only; plain would send the verifier in the clear.
		return errInvalidRequest, "code_challenge_method must be S256"
	case !validChallenge(challenge):
		return errInvalidRequest, "code_challenge must be 43 base64url characters"
	default:
		req.codeChallenge = challenge
	}

	if v := q.Get("prompt"); v != "" {
		for _, pr := range strings.Fields(v) {
			switch pr {
			case "consent", "login":
			case "none":
				req.promptNone = true
			default:
				return errInvalidRequest, "prompt must be consent, none or login"
			}
		}
		if req.promptNone && len(strings.Fields(v)) > 1 {
			return errInvalidRequest, "prompt=none cannot be combined with other values"
		}
	}
	if q.Has("max_age") {
		if !isDigits(q.Get("max_age")) {
			return errInvalidRequest, "max_age must be a non-negative integer"
		}
		req.maxAge = true
	}
	if q.Has("bot_prompt") {
		if v := q.Get("bot_prompt"); v != "normal" && v != "aggressive" {
			return errInvalidRequest, "bot_prompt must be normal or aggressive"
		}
		req.botPrompt = true
	}
	if q.Has("initial_amr_display") && q.Get("initial_amr_display") != "lineqr" {
		return errInvalidRequest, "initial_amr_display must be lineqr"
	}
	for _, k := range []string{"switch_amr", "disable_auto_login", "disable_ios_auto_login"} {
		if q.Has(k) {
			if v := q.Get(k); v != "true" && v != "false" {
				return errInvalidRequest, k + " must be true or false"
			}
		}
	}
	req.disableAutoLogin = q.Get("disable_auto_login") == "true"
	req.uiLocales = q.Get("ui_locales")
	return "", ""
}

// parseScopes parses a space-separated scope. LINE requires profile or
// openid, and email only with openid. Unknown scopes are refused: the
// other scopes LINE knows need a channel permission this fake does not have.
func parseScopes(scope string) (scopes []string, description string) {
	seen := make(map[string]bool, 3)
	for _, s := range strings.Fields(scope) {
		switch s {
		case "profile", "openid", "email":
		default:
			return nil, "unknown scope " + s
		}
		if !seen[s] {
			seen[s] = true
			scopes = append(scopes, s)
		}
	}
	switch {
	case !seen["profile"] && !seen["openid"]:
		return nil, "scope must contain profile or openid"
	case seen["email"] && !seen["openid"]:
		return nil, "the email scope requires openid"
	}
	return scopes, ""
}

// hasScope reports whether scopes contains s.
func hasScope(scopes []string, s string) bool {
	for _, x := range scopes {
		if x == s {
			return true
		}
	}
	return false
}

// approve issues a code for req as user and sends the user back. shown
// says whether a page was shown, on which the add-friend option appears
// when bot_prompt was sent and the user is not yet a friend; addFriend is
// whether the user ticked it.
func (p *Platform) approve(w http.ResponseWriter, req *authRequest, userID string, shown, addFriend bool) {
	now := p.clock()
	code := randomHex(16)
	p.mu.Lock()
	p.sweepLocked(now)
	// A silent login (prompt=none) rides on the user's earlier
	// authentication, so auth_time is that one's, however old: max_age is
	// the client's to enforce.
	authTime, ok := p.authTimes[userID]
	if shown || !ok {
		authTime = now
		p.authTimes[userID] = now
	}
	p.codes[code] = &authCode{req: req, userID: userID, authTime: authTime, expires: now.Add(p.codeTTL)}
	consented := p.consents[userID]
	if consented == nil {
		consented = make(map[string]bool)
		p.consents[userID] = consented
	}
	for _, s := range req.scopes {
		consented[s] = true
	}
	// LINE returns friendship_status_changed only when bot_prompt was sent
	// and the add-friend option was shown, which it is not to a friend.
	optionShown := shown && req.botPrompt && !p.friends[userID]
	if optionShown && addFriend {
		p.friends[userID] = true
	}
	p.mu.Unlock()
	p.log.Info("linetest: authorization approved", "user_id", userID, "scope", strings.Join(req.scopes, " "))

	params := []param{{"code", code}, {"state", req.state}}
	if optionShown {
		params = append(params, param{"friendship_status_changed", strconv.FormatBool(addFriend)})
	}
	p.respondToClient(w, req, params)
}

// hasConsented reports whether userID has approved every one of scopes for
// this channel before (and not been deauthorized since).
func (p *Platform) hasConsented(userID string, scopes []string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range scopes {
		if !p.consents[userID][s] {
			return false
		}
	}
	return true
}

// redirectError sends the user back with an error, in the v2.1 shape; the
// state is left out when the request had none.
func (p *Platform) redirectError(w http.ResponseWriter, req *authRequest, code, description string) {
	params := []param{{"error", code}}
	if description != "" {
		params = append(params, param{"error_description", description})
	}
	if req.state != "" {
		params = append(params, param{"state", req.state})
	}
	p.respondToClient(w, req, params)
}

// isAlphanumeric reports whether s is non-empty and only ASCII letters and
// digits.
func isAlphanumeric(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// isDigits reports whether s is a non-empty string of ASCII digits.
func isDigits(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
