package middleware_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/linelogin/linelogin/middleware"
)

// A page that shows a saved card only to someone who authenticated at LINE
// in the last five minutes, and one that asks for the email scope only
// when it is visited. The visit goes through LINE (which approves at once
// here) with max_age=300 and comes back to the page.
func ExampleAuth_RequireRecentLogin() {
	srv, stop := exampleServer(func(auth *middleware.Auth) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/card", auth.RequireRecentLogin(5*time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			user, _ := middleware.UserFromContext(r.Context())
			fmt.Fprintf(w, "card of %s, authenticated %v ago at most", user.DisplayName, 5*time.Minute)
		})))
		mux.Handle("/email", auth.RequireScope("email")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			user, _ := middleware.UserFromContext(r.Context())
			if !middleware.ScopeGranted(r.Context(), "email") {
				fmt.Fprint(w, "you chose not to share your email address")
				return
			}
			fmt.Fprint(w, user.Email)
		})))
		return auth.Handler(mux)
	})
	defer stop()
	visit(srv, "/card")
	visit(srv, "/email")
	// Output:
	// /card card of Brown, authenticated 5m0s ago at most
	// /email brown@example.com
}
