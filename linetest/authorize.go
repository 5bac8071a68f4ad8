package linetest

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Error codes LINE sends back to the redirect_uri (v2.1).
const (
	errInvalidRequest          = "INVALID_REQUEST"
	errAccessDenied            = "ACCESS_DENIED"
	errUnsupportedResponseType = "UNSUPPORTED_RESPONSE_TYPE"
	errInvalidScope            = "INVALID_SCOPE"
	errLoginRequired           = "LOGIN_REQUIRED"
)

// accessDeniedDescription is LINE's description when the user cancels.
const accessDeniedDescription = "The resource owner denied the request."

// authRequest is a validated authorization request.
type authRequest struct {
	redirectURI   string
	state         string
	scopes        []string
	nonce         string
	codeChallenge string // S256; "" without PKCE
	maxAge        bool   // max_age was sent: the ID token carries auth_time
	formPost      bool   // response_mode=form_post
	botPrompt     bool   // bot_prompt was sent: friendship_status_changed is returned
	promptNone    bool
	expires       time.Time // of the pending consent page
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
// then approves at once (AutoApprove) or shows the consent page.
func (p *Platform) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()

	// LINE shows its own error page, and does not redirect, when it cannot
	// trust the redirect_uri.
	for _, k := range []string{"client_id", "redirect_uri", "state"} {
		if len(q[k]) > 1 {
			p.errorPage(w, http.StatusBadRequest, "The "+k+" parameter was given more than once.")
			return
		}
	}
	if q.Get("client_id") != p.channelID {
		p.log.Warn("linetest: authorize rejected", "reason", "client_id")
		p.errorPage(w, http.StatusBadRequest, "The client_id is missing or is not this channel's ID.")
		return
	}
	req := &authRequest{redirectURI: q.Get("redirect_uri"), state: q.Get("state")}
	if !p.redirectURIAllowed(req.redirectURI) {
		p.log.Warn("linetest: authorize rejected", "reason", "redirect_uri")
		p.errorPage(w, http.StatusBadRequest, "The redirect_uri is missing or does not exactly match a registered callback URL.")
		return
	}
	if !isAlphanumeric(req.state) {
		p.log.Warn("linetest: authorize rejected", "reason", "state")
		p.errorPage(w, http.StatusBadRequest, "The state parameter must be a non-empty alphanumeric string (LINE rejects URL-encoded state).")
		return
	}
	switch q.Get("response_mode") {
	case "", "query":
	case "form_post":
		req.formPost = true
	default:
		// query.jwt, form_post.jwt and jwt (JARM) exist at LINE but not here.
		p.redirectError(w, req, errInvalidRequest, "response_mode must be query or form_post")
		return
	}
	if code, desc := parseAuthorize(q, req); code != "" {
		p.log.Warn("linetest: authorize rejected", "error", code)
		p.redirectError(w, req, code, desc)
		return
	}

	p.mu.Lock()
	authErr, autoApprove := p.authErr, p.autoApprove
	p.mu.Unlock()
	if authErr != nil {
		p.redirectError(w, req, authErr.code, authErr.description)
		return
	}
	if autoApprove != "" {
		if _, ok := p.userIndex[autoApprove]; !ok {
			p.errorPage(w, http.StatusInternalServerError, "linetest: the auto-approve user "+autoApprove+" does not exist.")
			return
		}
		p.approve(w, req, autoApprove)
		return
	}
	if req.promptNone {
		// Nobody is logged in to this fake LINE, so it cannot log in silently.
		p.redirectError(w, req, errLoginRequired, "user login is required")
		return
	}
	p.showConsent(w, req)
}

// redirectURIAllowed reports whether u is registered, or, with no
// registered callback URLs, whether it is an acceptable absolute URL.
func (p *Platform) redirectURIAllowed(u string) bool {
	if len(p.callbackURLs) > 0 {
		return p.callbackURLs[u]
	}
	return u != "" && checkRedirectURI(u) == nil
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
		"disable_ios_auto_login", "code_challenge", "code_challenge_method", "response_mode",
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

// approve issues a code for req as user and sends the user back.
func (p *Platform) approve(w http.ResponseWriter, req *authRequest, userID string) {
	now := p.clock()
	code := randomHex(16)
	p.mu.Lock()
	p.sweepLocked(now)
	p.codes[code] = &authCode{req: req, userID: userID, authTime: now, expires: now.Add(p.codeTTL)}
	p.mu.Unlock()
	p.log.Info("linetest: authorization approved", "user_id", userID, "scope", strings.Join(req.scopes, " "))

	params := []param{{"code", code}, {"state", req.state}}
	if req.botPrompt {
		// Nobody adds the official account as a friend during a fake login.
		params = append(params, param{"friendship_status_changed", "false"})
	}
	p.respondToClient(w, req, params)
}

// redirectError sends the user back with an error, in the v2.1 shape.
func (p *Platform) redirectError(w http.ResponseWriter, req *authRequest, code, description string) {
	params := []param{{"error", code}}
	if description != "" {
		params = append(params, param{"error_description", description})
	}
	params = append(params, param{"state", req.state})
	p.respondToClient(w, req, params)
}

// param is one authorization response parameter; a slice of them keeps
// LINE's order (code, state, friendship_status_changed).
type param struct{ Name, Value string }

// respondToClient delivers an authorization response to the redirect_uri:
// a 302 with the parameters appended to the redirect_uri's own query, or,
// with response_mode=form_post, a page that POSTs them.
func (p *Platform) respondToClient(w http.ResponseWriter, req *authRequest, params []param) {
	w.Header().Set("Cache-Control", "no-store")
	if req.formPost {
		p.renderPage(w, http.StatusOK, formPostPage, formPostData{Action: req.redirectURI, Params: params})
		return
	}
	var b strings.Builder
	b.WriteString(req.redirectURI)
	sep := "?"
	if strings.Contains(req.redirectURI, "?") {
		sep = "&"
	}
	for _, prm := range params {
		b.WriteString(sep)
		b.WriteString(url.QueryEscape(prm.Name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(prm.Value))
		sep = "&"
	}
	w.Header().Set("Location", b.String())
	w.WriteHeader(http.StatusFound)
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
