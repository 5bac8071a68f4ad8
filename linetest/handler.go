package linetest

import (
	"encoding/json"
	"mime"
	"net/http"
	"sort"
	"strings"
)

// maxBodyBytes caps request bodies; LINE's requests are a few hundred bytes.
const maxBodyBytes = 64 << 10

// ServeHTTP serves the LINE Platform endpoints (the Path constants), the
// consent form and the generated avatars. Every request is recorded first;
// then a fault set for its path, if any, is applied; then the endpoint
// answers. Unknown paths get 404 and known paths with the wrong method 405,
// both with a JSON body.
func (p *Platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	}
	var formErr error
	if r.Method == http.MethodPost && isForm(r) {
		formErr = r.ParseForm()
	}
	if f := p.admit(r); f != nil && p.applyFault(w, r, f) {
		return
	}
	if p.URL() == "" {
		p.log.Error("linetest: request before SetURL", "path", r.URL.Path)
		writeJSON(w, http.StatusInternalServerError, apiError{Message: "linetest: Platform.SetURL has not been called"})
		return
	}
	if formErr != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed request body")
		return
	}

	path := r.URL.Path
	handlers, ok := p.routes[path]
	if !ok && strings.HasPrefix(path, PathAvatarPrefix) {
		handlers, ok = p.routes[PathAvatarPrefix]
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Not found"})
		return
	}
	h, ok := handlers[r.Method]
	if !ok {
		allowed := make([]string, 0, len(handlers))
		for m := range handlers {
			allowed = append(allowed, m)
		}
		sort.Strings(allowed)
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, apiError{Message: "Method not allowed"})
		return
	}
	h(w, r)
}

// routes maps each path to its handlers by method.
type routes map[string]map[string]http.HandlerFunc

// newRoutes returns the platform's routing table.
func (p *Platform) newRoutes() routes {
	return routes{
		PathAuthorize:    {http.MethodGet: p.serveAuthorize},
		PathConsent:      {http.MethodPost: p.serveConsent},
		PathToken:        {http.MethodPost: p.serveToken},
		PathVerify:       {http.MethodGet: p.serveVerifyAccessToken, http.MethodPost: p.serveVerifyIDToken},
		PathRevoke:       {http.MethodPost: p.serveRevoke},
		PathCerts:        {http.MethodGet: p.serveCerts},
		PathProfile:      {http.MethodGet: p.serveProfile},
		PathFriendship:   {http.MethodGet: p.serveFriendship},
		PathDeauthorize:  {http.MethodPost: p.serveDeauthorize},
		PathDiscovery:    {http.MethodGet: p.serveDiscovery},
		PathAvatarPrefix: {http.MethodGet: p.serveAvatar},
		PathDemoTokens:   {http.MethodGet: p.serveDemoTokens},
	}
}

// isForm reports whether r's body is application/x-www-form-urlencoded.
func isForm(r *http.Request) bool {
	return hasMediaType(r, "application/x-www-form-urlencoded")
}

// hasMediaType reports whether r's Content-Type is the media type want.
func hasMediaType(r *http.Request, want string) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == want
}

// apiError is the body of the LINE API's errors (profile, friendship,
// deauthorize) and of the platform's 404 and 405 answers.
type apiError struct {
	Message string `json:"message"`
}

// oauthError is the body of the OAuth endpoints' errors (token, verify,
// revoke).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeOAuthError answers with an OAuth error body.
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, oauthError{Error: code, Description: description})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"message":"linetest: cannot encode response"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
