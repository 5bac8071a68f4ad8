package middleware

import (
	"net/http"
)

func (a *Auth) serveLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	a.startLogin(w, r, LoginOptions{ReturnTo: r.URL.Query().Get("return_to")})
}
