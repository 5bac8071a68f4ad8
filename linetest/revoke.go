package linetest

import "net/http"

// serveRevoke answers POST revoke (access_token, client_id, client_secret):
// 200 with an empty body, after revoking the token and the login it belongs
// to. As RFC 7009 asks, an unknown token is not an error.
func (p *Platform) serveRevoke(w http.ResponseWriter, r *http.Request) {
	if !p.checkClientRequest(w, r, "revoke") {
		return
	}
	token := r.PostForm.Get("access_token")
	if token == "" {
		p.reject(w, "revoke", "invalid_request", "access_token is required", "access_token_missing")
		return
	}
	p.RevokeAccessToken(token)
	p.log.Info("linetest: access token revoked")
	w.WriteHeader(http.StatusOK)
}
