package linetest

import (
	"net/http"
)

// serveDemoTokens hands out an access token or a LIFF-style ID token for a
// test user (the first one by default).
func (p *Platform) serveDemoTokens(w http.ResponseWriter, r *http.Request) {
	userID := r.URL.Query().Get("user")
	if userID == "" {
		userID = p.Users()[0].ID
	}
	var (
		tok string
		err error
	)
	switch r.URL.Query().Get("kind") {
	case "", "access":
		tok, err = p.IssueAccessToken(userID, []string{"openid", "profile"})
	case "id_token":
		tok, err = p.IssueLIFFIDToken(userID, "")
	default:
		http.Error(w, "kind must be access or id_token", http.StatusBadRequest)
		return
	}
	if err != nil {
		http.Error(w, "no such user", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(tok))
}
