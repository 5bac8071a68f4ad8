package linetest

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// maxBodyBytes caps request bodies at LINE's documented limit: "413
// Payload Too Large: Request exceeds the max size of 2MB" (the v2.1 and
// v2.0 API references, status codes).
const maxBodyBytes = 2 << 20

// tooLargeMessage is the body of the 413 answer to a request over
// maxBodyBytes; LINE documents the status and the limit, not the text.
const tooLargeMessage = "Request exceeds the max size of 2MB"

// host names which of LINE's two hosts a route belongs to.
type host int

const (
	hostBoth    host = iota // linetest's own pages: avatars, demo tokens
	hostAccess              // access.line.me
	hostAPI                 // api.line.me
	hostPicture             // profile.line-scdn.net: the avatars only
)

// ServeHTTP serves the platform's endpoints, telling the two hosts apart
// by the request's Host: the access host's endpoints when it names
// AccessURL, the API host's when it names APIURL, and both when the two
// URLs are one origin or Host names neither (an in-memory
// Transport with a made-up host). Server gives each of its listeners a
// handler bound to its host instead.
func (p *Platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.serve(w, r, p.hostOf(r))
}

// hostOf returns the host r was sent to.
func (p *Platform) hostOf(r *http.Request) host {
	access, api := p.AccessURL(), p.APIURL()
	if access == api {
		return hostBoth
	}
	switch r.Host {
	case originHost(access):
		return hostAccess
	case originHost(api):
		return hostAPI
	}
	return hostBoth
}

// originHost returns the host[:port] of an origin.
func originHost(origin string) string {
	u, err := url.Parse(origin)
	if err != nil {
		return ""
	}
	return u.Host
}

// hostHandler serves the platform's endpoints of one host.
type hostHandler struct {
	p    *Platform
	host host
}

func (h hostHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.p.serve(w, r, h.host) }

// serve answers r as the host on serves. Every request is recorded first;
// then a fault set for its path, if any, is applied; then the endpoint
// answers. Unknown paths, and paths of the other host, get 404, and known
// paths with the wrong method 405, both with a JSON body.
func (p *Platform) serve(w http.ResponseWriter, r *http.Request, on host) {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	}
	if rt, ok := p.routes[r.URL.Path]; ok && rt.host == hostAPI && on != hostAccess {
		// LINE's reference: every LINE Login API response carries a request
		// ID, which LINE's support asks for.
		w.Header().Set("X-Line-Request-Id", newRequestID())
	}
	var formErr error
	if r.Method == http.MethodPost && isForm(r) {
		formErr = r.ParseForm()
	}
	if f := p.admit(r); f != nil && p.applyFault(w, r, f) {
		return
	}
	if formErr != nil {
		if tooLarge(formErr) {
			writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Message: tooLargeMessage})
			return
		}
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed request body")
		return
	}

	path := r.URL.Path
	rt, ok := p.routes[path]
	if !ok && strings.HasPrefix(path, PathAvatarPrefix) {
		rt, ok = p.routes[PathAvatarPrefix]
	}
	if on == hostPicture && !strings.HasPrefix(path, PathAvatarPrefix) {
		ok = false // the picture host serves pictures only
	}
	if !ok || (on != hostBoth && rt.host != hostBoth && rt.host != on) {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Not found"})
		return
	}
	h, ok := rt.methods[r.Method]
	if !ok {
		allowed := make([]string, 0, len(rt.methods))
		for m := range rt.methods {
			allowed = append(allowed, m)
		}
		sort.Strings(allowed)
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, apiError{Message: "Method not allowed"})
		return
	}
	h(w, r)
}

// route is an endpoint: its host and its handlers by method.
type route struct {
	host    host
	methods map[string]http.HandlerFunc
}

// routes maps each path to its route.
type routes map[string]route

// newRoutes returns the platform's routing table.
func (p *Platform) newRoutes() routes {
	get, post := http.MethodGet, http.MethodPost
	return routes{
		PathAuthorize:    {hostAccess, map[string]http.HandlerFunc{get: p.serveAuthorize}},
		pathAuthorizeV20: {hostAccess, map[string]http.HandlerFunc{get: p.serveAuthorizeV20}},
		pathConsent:      {hostAccess, map[string]http.HandlerFunc{post: p.serveConsent}},
		pathDiscovery:    {hostAccess, map[string]http.HandlerFunc{get: p.serveDiscovery}},
		PathToken:        {hostAPI, map[string]http.HandlerFunc{post: p.serveToken}},
		pathTokenV20:     {hostAPI, map[string]http.HandlerFunc{post: p.serveTokenV20}},
		pathVerifyV20:    {hostAPI, map[string]http.HandlerFunc{post: p.serveVerifyV20}},
		pathRevokeV20:    {hostAPI, map[string]http.HandlerFunc{post: p.serveRevokeV20}},
		PathVerify:       {hostAPI, map[string]http.HandlerFunc{get: p.serveVerifyAccessToken, post: p.serveVerifyIDToken}},
		PathRevoke:       {hostAPI, map[string]http.HandlerFunc{post: p.serveRevoke}},
		PathCerts:        {hostAPI, map[string]http.HandlerFunc{get: p.serveCerts}},
		pathUserInfo:     {hostAPI, map[string]http.HandlerFunc{get: p.serveUserInfo, post: p.serveUserInfo}},
		PathProfile:      {hostAPI, map[string]http.HandlerFunc{get: p.serveProfile}},
		PathFriendship:   {hostAPI, map[string]http.HandlerFunc{get: p.serveFriendship}},
		PathDeauthorize:  {hostAPI, map[string]http.HandlerFunc{post: p.serveDeauthorize}},
		PathAvatarPrefix: {hostBoth, map[string]http.HandlerFunc{get: p.serveAvatar}},
		PathDemoTokens:   {hostBoth, map[string]http.HandlerFunc{get: p.serveDemoTokens}},
	}
}

// tooLarge reports whether err is a body read cut off at maxBodyBytes.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
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
