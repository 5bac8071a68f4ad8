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
	token, ok := bearerToken(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer`)
		p.log.Warn("linetest: request rejected", "endpoint", endpoint, "reason", "no_bearer_token")
		writeJSON(w, http.StatusUnauthorized, apiError{Message: authenticationFailed})
		return User{}, false
	}
	info, err := p.lookupAccessToken(token)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		p.log.Warn("linetest: request rejected", "endpoint", endpoint, "reason", err.Error())
		writeJSON(w, http.StatusUnauthorized, apiError{Message: authenticationFailed})
		return User{}, false
	}
	if !hasScope(info.scopes, "profile") {
		p.log.Warn("linetest: request rejected", "endpoint", endpoint, "reason", "no_profile_scope")
		writeJSON(w, http.StatusForbidden, apiError{Message: "Not allowed to use the API."})
		return User{}, false
	}
	u, _ := p.user(info.userID)
	return u, true
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
