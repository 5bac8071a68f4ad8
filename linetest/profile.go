package linetest

import (
	"net/http"
	"strings"
)

// authenticationFailed is the message of the LINE API's 401s.
const authenticationFailed = "Authentication failed. Confirm that the access token in the authorization header is valid."

// profileResponse is the profile API's answer.
type profileResponse struct {
	UserID        string `json:"userId"`
	DisplayName   string `json:"displayName"`
	PictureURL    string `json:"pictureUrl,omitempty"`
	StatusMessage string `json:"statusMessage,omitempty"`
}

// friendshipResponse is the friendship status API's answer.
type friendshipResponse struct {
	FriendFlag bool `json:"friendFlag"`
}

// serveProfile answers GET /v2/profile for a bearer access token with the
// profile scope.
func (p *Platform) serveProfile(w http.ResponseWriter, r *http.Request) {
	u, ok := p.profileUser(w, r, "profile")
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, profileResponse{
		UserID:        u.ID,
		DisplayName:   u.DisplayName,
		PictureURL:    u.PictureURL,
		StatusMessage: u.StatusMessage,
	})
}

// userInfoResponse is the userinfo endpoint's answer.
type userInfoResponse struct {
	Sub     string `json:"sub"`
	Name    string `json:"name,omitempty"`
	Picture string `json:"picture,omitempty"`
}

// serveUserInfo answers GET and POST /oauth2/v2.1/userinfo for a bearer
// access token with the openid scope: sub, and with the profile scope
// name and picture.
func (p *Platform) serveUserInfo(w http.ResponseWriter, r *http.Request) {
	u, info, ok := p.bearerUser(w, r, "userinfo", "openid")
	if !ok {
		return
	}
	resp := userInfoResponse{Sub: u.ID}
	if hasScope(info.scopes, "profile") {
		resp.Name, resp.Picture = u.DisplayName, u.PictureURL
	}
	writeJSON(w, http.StatusOK, resp)
}

// serveFriendship answers GET /friendship/v1/status: whether the user is a
// friend of the channel's official account. Like the profile API, it needs
// the profile scope.
func (p *Platform) serveFriendship(w http.ResponseWriter, r *http.Request) {
	u, ok := p.profileUser(w, r, "friendship")
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, friendshipResponse{FriendFlag: u.Friend})
}

// profileUser authenticates a LINE API request by its bearer access token,
// which must carry the profile scope, and returns its user. It answers and
// returns false when the request is refused.
func (p *Platform) profileUser(w http.ResponseWriter, r *http.Request, endpoint string) (User, bool) {
	u, _, ok := p.bearerUser(w, r, endpoint, "profile")
	return u, ok
}

// bearerUser authenticates a LINE API request by its bearer access token,
// which must carry scope, and returns its user and what the platform knows
// of the token. It answers and returns false when the request is refused.
func (p *Platform) bearerUser(w http.ResponseWriter, r *http.Request, endpoint, scope string) (User, tokenInfo, bool) {
	token, ok := bearerToken(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer`)
		p.log.Warn("linetest: request rejected", "endpoint", endpoint, "reason", "no_bearer_token")
		writeJSON(w, http.StatusUnauthorized, apiError{Message: authenticationFailed})
		return User{}, tokenInfo{}, false
	}
	info, err := p.lookupAccessToken(token)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		p.log.Warn("linetest: request rejected", "endpoint", endpoint, "reason", err.Error())
		writeJSON(w, http.StatusUnauthorized, apiError{Message: authenticationFailed})
		return User{}, tokenInfo{}, false
	}
	if !hasScope(info.scopes, scope) {
		p.log.Warn("linetest: request rejected", "endpoint", endpoint, "reason", "no_"+scope+"_scope")
		writeJSON(w, http.StatusForbidden, apiError{Message: "Not allowed to use the API."})
		return User{}, tokenInfo{}, false
	}
	u, _ := p.user(info.userID)
	return u, info, true
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
