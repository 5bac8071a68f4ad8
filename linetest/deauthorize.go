package linetest

import (
	"encoding/json"
	"net/http"
)

// IssueChannelAccessToken returns a new channel access token that the
// deauthorize endpoint accepts, as does DefaultChannelAccessToken.
func (p *Platform) IssueChannelAccessToken() string {
	token := randomURLSafe(32)
	p.mu.Lock()
	p.channelTokens[token] = true
	p.mu.Unlock()
	return token
}

// serveDeauthorize answers POST /user/v1/deauthorize: with a channel access
// token as bearer and {"userAccessToken": "..."} as body, it revokes every
// token the user granted the channel and answers 204.
func (p *Platform) serveDeauthorize(w http.ResponseWriter, r *http.Request) {
	token, ok := bearerToken(r)
	p.mu.Lock()
	ok = ok && p.channelTokens[token]
	p.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		p.log.Warn("linetest: request rejected", "endpoint", "deauthorize", "reason", "channel_access_token")
		writeJSON(w, http.StatusUnauthorized, apiError{Message: "Authentication failed. Confirm that the channel access token in the authorization header is valid."})
		return
	}
	if !hasMediaType(r, "application/json") {
		writeJSON(w, http.StatusUnsupportedMediaType, apiError{Message: "The request body must be application/json."})
		return
	}
	var body struct {
		UserAccessToken string `json:"userAccessToken"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); tooLarge(err) {
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Message: tooLargeMessage})
		return
	} else if err != nil || body.UserAccessToken == "" {
		writeJSON(w, http.StatusBadRequest, apiError{Message: "The request body must be a JSON object with userAccessToken."})
		return
	}
	info, err := p.lookupAccessToken(body.UserAccessToken)
	if err != nil {
		p.log.Warn("linetest: request rejected", "endpoint", "deauthorize", "reason", err.Error())
		// LINE's reference gives this exact body for a user access token
		// that is invalid, such as one already deauthorized.
		writeJSON(w, http.StatusBadRequest, apiError{Message: "invalid token"})
		return
	}
	p.revokeUser(info.userID)
	p.log.Info("linetest: user deauthorized", "user_id", info.userID)
	w.WriteHeader(http.StatusNoContent)
}
