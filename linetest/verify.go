package linetest

import (
	"net/http"
	"time"
)

// verifyAccessTokenResponse is GET verify's answer for a valid token.
type verifyAccessTokenResponse struct {
	Scope     string `json:"scope"`
	ClientID  string `json:"client_id"`
	ExpiresIn int64  `json:"expires_in"`
}

// serveVerifyAccessToken answers GET verify?access_token=: the scope,
// channel and remaining lifetime of a valid token, 400 otherwise.
func (p *Platform) serveVerifyAccessToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if len(q["access_token"]) != 1 || q.Get("access_token") == "" {
		p.reject(w, "verify", "invalid_request", "access_token is required", "access_token_missing")
		return
	}
	p.answerVerify(w, "verify", q.Get("access_token"))
}

// answerVerify answers an access token check, v2.1's or v2.0's (named
// endpoint in the log), with the scope, channel and remaining lifetime of
// token, or 400 invalid_request saying why it is not valid.
func (p *Platform) answerVerify(w http.ResponseWriter, endpoint, token string) {
	info, err := p.lookupAccessToken(token)
	if err != nil {
		p.reject(w, endpoint, "invalid_request", err.Error(), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, verifyAccessTokenResponse{
		Scope:     info.scope,
		ClientID:  p.channelID,
		ExpiresIn: int64(info.remaining / time.Second),
	})
}

// serveVerifyIDToken answers POST verify (id_token, client_id, and the
// optional nonce and user_id): the token's claims when LINE would accept
// it, 400 with LINE's error_description otherwise.
func (p *Platform) serveVerifyIDToken(w http.ResponseWriter, r *http.Request) {
	if !isForm(r) {
		p.reject(w, "verify", "invalid_request", "the body must be application/x-www-form-urlencoded", "content_type")
		return
	}
	f := r.PostForm
	switch {
	case f.Get("id_token") == "":
		p.reject(w, "verify", "invalid_request", "id_token is required", "id_token_missing")
		return
	case f.Get("client_id") == "":
		p.reject(w, "verify", "invalid_request", "client_id is required", "client_id_missing")
		return
	}
	v := p.checkIDToken(f.Get("id_token"), f.Get("client_id"), f.Get("nonce"), f.Get("user_id"))
	if v.reason != "" {
		p.reject(w, "verify", "invalid_request", v.reason, v.reason)
		return
	}
	writeJSON(w, http.StatusOK, v.claims)
}
