package middleware_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// exampleServer starts an app server whose handler is built by mount once
// its URL is known, against a linetest platform that approves as Brown.
// Real apps know their callback URL up front; tests learn it here.
func exampleServer(mount func(auth *middleware.Auth) http.Handler) (*httptest.Server, func()) {
	platform := linetest.NewServer(nil, linetest.Config{AutoApprove: linetest.DefaultUsers()[0].ID})
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	// The channel and the callback URL, registered as in the LINE
	// Developers console; a real app fills callback.Config from its own.
	line, err := platform.CallbackConfig(srv.URL + "/callback")
	if err != nil {
		panic(err)
	}
	auth, err := middleware.New(middleware.Config{
		LINE:    line,
		Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}}, // from session.ParseKeys in production
	})
	if err != nil {
		panic(err)
	}
	h = mount(auth)
	return srv, func() { srv.Close(); platform.Close() }
}

// visit fetches path as a browser would, following redirects through LINE
// and back, and prints the page.
func visit(srv *httptest.Server, path string) {
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := browser.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Request.URL.Path, string(body))
}

func hello(w http.ResponseWriter, r *http.Request) {
	user, _ := middleware.UserFromContext(r.Context())
	fmt.Fprintf(w, "Hello, %s!", user.DisplayName)
}

// Mount LINE Login on net/http's ServeMux: Handler wraps the mux, serves
// /login, /callback and /logout, and puts the user in the context.
func Example() {
	srv, stop := exampleServer(func(auth *middleware.Auth) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/orders", auth.RequireLINEUser(http.HandlerFunc(hello)))
		return auth.Handler(mux)
	})
	defer stop()

	// An anonymous browser asks for /orders, is sent to LINE, logs in and
	// lands back on /orders.
	visit(srv, "/orders")
	// Output: /orders Hello, Brown!
}

// RequireLINEUser sends browsers to log in and answers API clients with
// 401 JSON and a Bearer challenge.
func ExampleAuth_RequireLINEUser() {
	srv, stop := exampleServer(func(auth *middleware.Auth) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/api/orders", auth.RequireLINEUser(http.HandlerFunc(hello)))
		return auth.Handler(mux)
	})
	defer stop()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/orders", nil)
	req.Header.Set("Accept", "application/json")
	resp, _ := http.DefaultTransport.RoundTrip(req)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	fmt.Print(string(body))

	req.Header.Set("Accept", "text/html")
	resp, _ = http.DefaultTransport.RoundTrip(req)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	// Output:
	// 401 Bearer
	// {"error":"unauthorized","error_description":"login required"}
	// 302 /login?return_to=%2Fapi%2Forders
}

// A native or LIFF app calls the API with the access token LINE gave it;
// the middleware checks it with LINE (verify, then profile) and the
// handler sees the same user as after a web login.
func ExampleAuth_RequireLINEUser_bearer() {
	platform := linetest.NewServer(nil, linetest.Config{})
	defer platform.Close()
	auth, err := middleware.New(middleware.Config{
		LINE: callback.Config{
			ChannelID:     platform.ChannelID(),
			ChannelSecret: platform.ChannelSecret(),
			RedirectURL:   "https://app.example/callback",
			AccessURL:     platform.AccessURL(),
			APIURL:        platform.APIURL(),
		},
		Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}},
	})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _ := middleware.UserFromContext(r.Context())
		fmt.Fprintf(w, "Hello, %s! (%s)", user.DisplayName, middleware.SourceFromContext(r.Context()))
	})))
	defer srv.Close()

	token, _ := platform.IssueAccessToken(linetest.DefaultUsers()[1].ID, []string{"openid", "profile"})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/orders", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(body))
	// Output: Hello, Cony! (access token)
}
