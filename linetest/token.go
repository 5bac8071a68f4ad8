package linetest

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"time"
)

// tokenResponse is the token endpoint's answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	IDToken      string `json:"id_token,omitempty"`
}

// serveToken issues tokens for the authorization_code and refresh_token
// grants.
func (p *Platform) serveToken(w http.ResponseWriter, r *http.Request) {
	p.serveGrant(w, r, "token", p.exchangeCode)
}

// serveGrant is a token endpoint, v2.1's or v2.0's (named endpoint in the
// log): it checks the client, then answers the authorization_code grant
// with exchange and the refresh_token grant as both versions do.
func (p *Platform) serveGrant(w http.ResponseWriter, r *http.Request, endpoint string, exchange http.HandlerFunc) {
	// Tokens must not be cached anywhere on the way back (RFC 6749 5.1).
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if !p.checkClientRequest(w, r, endpoint) {
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		exchange(w, r)
	case "refresh_token":
		p.refresh(w, r, endpoint)
	case "":
		p.reject(w, endpoint, "invalid_request", "grant_type is required", "grant_type")
	default:
		p.reject(w, endpoint, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token", "grant_type")
	}
}

// checkClientRequest checks what the token and revoke endpoints share: a
// form body with no repeated parameter, and the client's credentials in
// that body. It answers and returns false when the request is refused.
func (p *Platform) checkClientRequest(w http.ResponseWriter, r *http.Request, endpoint string) bool {
	if !isForm(r) {
		p.reject(w, endpoint, "invalid_request", "the body must be application/x-www-form-urlencoded", "content_type")
		return false
	}
	for k, vs := range r.PostForm {
		if len(vs) > 1 {
			p.reject(w, endpoint, "invalid_request", k+" was given more than once", "repeated_parameter")
			return false
		}
	}
	// LINE takes client_secret_post only: a client that sends its
	// credentials with HTTP Basic is refused, even if the body has them too.
	if r.Header.Get("Authorization") != "" {
		p.reject(w, endpoint, "invalid_client", "send client_id and client_secret in the request body, not in an Authorization header", "authorization_header")
		return false
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if id == "" || secret == "" {
		p.reject(w, endpoint, "invalid_client", "client_id and client_secret are required in the request body", "client_missing")
		return false
	}
	if id != p.channelID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.channelSecret)) != 1 {
		p.reject(w, endpoint, "invalid_client", "invalid client_id or client_secret", "client_wrong")
		return false
	}
	return true
}

// rejectToken answers the token endpoint with a 400 OAuth error.
func (p *Platform) rejectToken(w http.ResponseWriter, code, description, reason string) {
	p.reject(w, "token", code, description, reason)
}

// reject answers with a 400 OAuth error and logs why, without the values.
func (p *Platform) reject(w http.ResponseWriter, endpoint, code, description, reason string) {
	p.log.Warn("linetest: request rejected", "endpoint", endpoint, "error", code, "reason", reason)
	writeOAuthError(w, http.StatusBadRequest, code, description)
}

// exchangeCode answers the authorization_code grant.
func (p *Platform) exchangeCode(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	c, ok := p.takeCode(w, r, "token", false)
	if !ok {
		return
	}
	now := p.clock()
	verifier := f.Get("code_verifier")
	switch {
	case c.req.codeChallenge == "" && verifier != "":
		p.rejectToken(w, "invalid_grant", "code_verifier sent for a request without code_challenge", "pkce_unexpected")
		return
	case c.req.codeChallenge != "" && verifier == "":
		p.rejectToken(w, "invalid_grant", "code_verifier is required", "pkce_missing")
		return
	case c.req.codeChallenge != "" && (!validVerifier(verifier) || !verifierMatches(verifier, c.req.codeChallenge)):
		p.rejectToken(w, "invalid_grant", "code_verifier does not match code_challenge", "pkce_mismatch")
		return
	}

	resp := tokenResponse{TokenType: "Bearer", ExpiresIn: int64(p.accessTTL / time.Second), Scope: scopeParam(c.req.scopes)}
	if hasScope(c.req.scopes, "openid") {
		idToken, err := p.webIDToken(c, now)
		if err != nil {
			p.log.Error("linetest: signing ID token", "err", err)
			writeOAuthError(w, http.StatusInternalServerError, "server_error", "cannot sign the ID token")
			return
		}
		resp.IDToken = idToken
	}
	token, g, err := p.newGrant(c.userID, c.req.scopes, false, now)
	if err != nil {
		p.log.Error("linetest: minting access token", "err", err)
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "cannot issue an access token")
		return
	}
	resp.AccessToken, resp.RefreshToken = token, g.refreshToken
	p.log.Info("linetest: tokens issued", "grant_type", "authorization_code", "user_id", c.userID, "scope", resp.Scope)
	writeJSON(w, http.StatusOK, resp)
}

// takeCode burns the request's code and returns it, checking that it is
// known, unexpired, of the right LINE Login version and for the same
// redirect_uri. It answers and returns false when the code is refused.
func (p *Platform) takeCode(w http.ResponseWriter, r *http.Request, endpoint string, v20 bool) (*authCode, bool) {
	f := r.PostForm
	code := f.Get("code")
	if code == "" {
		p.reject(w, endpoint, "invalid_request", "code is required", "code_missing")
		return nil, false
	}
	now := p.clock()
	// A code is burned on first use, even if this exchange fails: a code
	// that leaked cannot be tried again.
	p.mu.Lock()
	c := p.codes[code]
	delete(p.codes, code)
	p.mu.Unlock()
	switch {
	case c == nil, c.req.v20 != v20:
		// A v2.0 code is unknown to the v2.1 endpoint, and the reverse.
		p.reject(w, endpoint, "invalid_grant", "invalid authorization code", "code_unknown")
		return nil, false
	case !now.Before(c.expires):
		p.reject(w, endpoint, "invalid_grant", "authorization code expired", "code_expired")
		return nil, false
	case f.Get("redirect_uri") != c.req.redirectURI:
		p.reject(w, endpoint, "invalid_grant", "redirect_uri does not match", "redirect_uri")
		return nil, false
	}
	return c, true
}

// refresh answers the refresh_token grant at endpoint (v2.1's token or
// v2.0's accessToken, whose answers have the same fields): a new access
// token for the same grant, the same refresh token, and no ID token.
// Earlier access tokens stay valid.
func (p *Platform) refresh(w http.ResponseWriter, r *http.Request, endpoint string) {
	rt := r.PostForm.Get("refresh_token")
	if rt == "" {
		p.reject(w, endpoint, "invalid_request", "refresh_token is required", "refresh_missing")
		return
	}
	token, g, err := p.renew(rt, p.clock())
	switch {
	case errors.Is(err, errTokenInvalid):
		p.reject(w, endpoint, "invalid_grant", "invalid refresh token", "refresh_invalid")
		return
	case err != nil:
		p.log.Error("linetest: minting access token", "err", err)
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "cannot issue an access token")
		return
	}
	p.log.Info("linetest: tokens issued", "grant_type", "refresh_token", "user_id", g.userID, "endpoint", endpoint)
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken:  token,
		TokenType:    "Bearer",
		ExpiresIn:    int64(p.accessTTL / time.Second),
		RefreshToken: g.refreshToken,
		Scope:        g.scope(),
	})
}
