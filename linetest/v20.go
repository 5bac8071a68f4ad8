package linetest

import (
	"net/http"
	"time"
)

// LINE Login v2.0 is deprecated but still served by LINE, and apps
// migrating from it meet its shapes: a web login at
// access.line.me/dialog/oauth/weblogin with no scope, nonce or PKCE, a
// token endpoint at api.line.me/v2/oauth/accessToken that returns no ID
// token and the scope "P", and a refusal reported with errorCode and
// errorMessage next to error (the v2.0 guide).

// v2.0's refusal, exactly as the v2.0 guide shows it.
const (
	v20DeniedDescription = "The user has denied the approval"
	v20DeniedMessage     = "DISALLOWED"
	v20DeniedCode        = "417"
)

// serveAuthorizeV20 starts a v2.0 web login. The guide documents
// response_type=code, client_id, redirect_uri and state; requests it
// cannot serve get the error page, since the v2.0 guide documents no
// error redirect but the refusal.
func (p *Platform) serveAuthorizeV20(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, ok := p.checkClientAndRedirect(w, q)
	if !ok {
		return
	}
	req.v20 = true
	req.scopes = []string{"profile"}
	switch {
	case q.Get("response_type") != "code":
		p.errorPage(w, http.StatusBadRequest, "response_type must be code.")
		return
	case !isAlphanumeric(req.state):
		p.errorPage(w, http.StatusBadRequest, "state must be a non-empty alphanumeric string.")
		return
	}
	ans, signedIn, err := p.answerFor(r)
	switch {
	case err != nil:
		p.errorPage(w, http.StatusInternalServerError, err.Error())
	case !signedIn:
		p.showConsent(w, r, req)
	case ans.Deny:
		p.denyV20(w, req)
	default:
		p.approveV20(w, req, ans.UserID)
	}
}

// approveV20 issues a v2.0 code and sends the user back with code and
// state only.
func (p *Platform) approveV20(w http.ResponseWriter, req *authRequest, userID string) {
	now := p.clock()
	code := randomHex(16)
	p.mu.Lock()
	p.sweepLocked(now)
	p.codes[code] = &authCode{req: req, userID: userID, authTime: now, expires: now.Add(p.codeTTL)}
	p.mu.Unlock()
	p.log.Info("linetest: authorization approved", "user_id", userID, "version", "v2.0")
	p.respondToClient(w, req, []param{{"code", code}, {"state", req.state}})
}

// denyV20 sends the user back with v2.0's refusal, in the guide's order.
func (p *Platform) denyV20(w http.ResponseWriter, req *authRequest) {
	p.respondToClient(w, req, []param{
		{"error_description", v20DeniedDescription},
		{"errorMessage", v20DeniedMessage},
		{"errorCode", v20DeniedCode},
		{"state", req.state},
		{"error", "access_denied"},
	})
}

// serveTokenV20 answers POST /v2/oauth/accessToken (the v2.0 reference):
// for a code from the v2.0 web login, grant_type=authorization_code, code,
// redirect_uri, client_id and client_secret; to refresh,
// grant_type=refresh_token, refresh_token, client_id and client_secret,
// answered with token_type, scope, access_token, expires_in and
// refresh_token, or 400 invalid_grant "invalid refresh token".
func (p *Platform) serveTokenV20(w http.ResponseWriter, r *http.Request) {
	p.serveGrant(w, r, "token_v2.0", p.exchangeCodeV20)
}

// exchangeCodeV20 answers v2.0's authorization_code grant.
func (p *Platform) exchangeCodeV20(w http.ResponseWriter, r *http.Request) {
	c, ok := p.takeCode(w, r, "token_v2.0", true)
	if !ok {
		return
	}
	now := p.clock()
	token, g, err := p.newGrant(c.userID, c.req.scopes, true, now)
	if err != nil {
		p.log.Error("linetest: minting access token", "err", err)
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "cannot issue an access token")
		return
	}
	p.log.Info("linetest: tokens issued", "grant_type", "authorization_code", "user_id", c.userID, "version", "v2.0")
	// v2.0's answer: no ID token, and the scope "P".
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken:  token,
		ExpiresIn:    int64(p.accessTTL / time.Second),
		RefreshToken: g.refreshToken,
		Scope:        g.scope(),
		TokenType:    "Bearer",
	})
}

// serveVerifyV20 answers POST /v2/oauth/verify, v2.0's access token check
// (the v2.0 reference): a form body with access_token, answered with
// scope, client_id and expires_in, or 400 invalid_request with "access
// token expired" (and, for a token LINE never issued or that was revoked,
// "invalid access token").
func (p *Platform) serveVerifyV20(w http.ResponseWriter, r *http.Request) {
	token, ok := p.oneFormValue(w, r, "verify_v2.0", "access_token")
	if !ok {
		return
	}
	p.answerVerify(w, "verify_v2.0", token)
}

// serveRevokeV20 answers POST /v2/oauth/revoke, v2.0's logout (the v2.0
// reference and "Managing users (v2.0)"): a form body with refresh_token
// and nothing else, answered with 200 and an empty body after the login's
// refresh token and access tokens are revoked. As at v2.1's revoke, an
// unknown token is not an error.
func (p *Platform) serveRevokeV20(w http.ResponseWriter, r *http.Request) {
	token, ok := p.oneFormValue(w, r, "revoke_v2.0", "refresh_token")
	if !ok {
		return
	}
	p.revokeRefreshToken(token)
	p.log.Info("linetest: refresh token revoked", "version", "v2.0")
	w.WriteHeader(http.StatusOK)
}

// oneFormValue returns the parameter name of a form body, which must be
// given once and not be empty. It answers with 400 invalid_request and
// returns false otherwise.
func (p *Platform) oneFormValue(w http.ResponseWriter, r *http.Request, endpoint, name string) (string, bool) {
	switch {
	case !isForm(r):
		p.reject(w, endpoint, "invalid_request", "the body must be application/x-www-form-urlencoded", "content_type")
		return "", false
	case len(r.PostForm[name]) > 1:
		p.reject(w, endpoint, "invalid_request", name+" was given more than once", "repeated_parameter")
		return "", false
	case r.PostForm.Get(name) == "":
		p.reject(w, endpoint, "invalid_request", name+" is required", name+"_missing")
		return "", false
	}
	return r.PostForm.Get(name), true
}
