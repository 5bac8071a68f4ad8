package frameworks_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gorilla/mux"
	"github.com/labstack/echo/v4"

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

// ginMiddleware adapts a net/http middleware such as Auth.Handler or
// Auth.RequireLINEUser to Gin. The wrapped handler carries the request,
// with the user in its context, into the rest of Gin's chain; when the
// middleware answers by itself (/login, a redirect to log in, a 401), the
// chain stops there.
func ginMiddleware(mw func(http.Handler) http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		passed := false
		mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			passed = true
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !passed {
			c.Abort()
		}
	}
}

// Mount LINE Login on Gin. Gin runs global middleware for unmatched paths
// too, so Handler serves /login, /callback and /logout without routes of
// their own; RequireLINEUser guards a group.
func Example_gin() {
	gin.SetMode(gin.ReleaseMode)
	srv, stop := exampleServer(func(auth *middleware.Auth) http.Handler {
		r := gin.New()
		r.Use(ginMiddleware(auth.Handler))
		members := r.Group("/", ginMiddleware(auth.RequireLINEUser))
		members.GET("/me", func(c *gin.Context) {
			user, _ := middleware.UserFromContext(c.Request.Context())
			c.String(http.StatusOK, "Hello, %s!", user.DisplayName)
		})
		return r
	})
	defer stop()
	visit(srv, "/me")
	// Output: /me Hello, Brown!
}

// Mount LINE Login on Echo: echo.WrapMiddleware adapts both. Pre runs
// Handler before routing, so the login endpoints need no routes.
func Example_echo() {
	srv, stop := exampleServer(func(auth *middleware.Auth) http.Handler {
		e := echo.New()
		e.HideBanner = true
		e.Pre(echo.WrapMiddleware(auth.Handler))
		e.GET("/me", func(c echo.Context) error {
			user, _ := middleware.UserFromContext(c.Request().Context())
			return c.String(http.StatusOK, "Hello, "+user.DisplayName+"!")
		}, echo.WrapMiddleware(auth.RequireLINEUser))
		return e
	})
	defer stop()
	visit(srv, "/me")
	// Output: /me Hello, Brown!
}

// Mount LINE Login on chi: chi runs Use middleware before routing, so the
// login endpoints need no routes of their own.
func Example_chi() {
	srv, stop := exampleServer(func(auth *middleware.Auth) http.Handler {
		r := chi.NewRouter()
		r.Use(auth.Handler)
		r.With(auth.RequireLINEUser).Get("/me", hello)
		return r
	})
	defer stop()
	visit(srv, "/me")
	// Output: /me Hello, Brown!
}

// Mount LINE Login on gorilla/mux: its Use middleware runs only for
// matched routes, so the login endpoints are routes too.
func Example_gorillaMux() {
	srv, stop := exampleServer(func(auth *middleware.Auth) http.Handler {
		r := mux.NewRouter()
		r.Use(auth.Handler)
		r.Handle("/login", auth.LoginHandler())
		r.Handle("/callback", auth.CallbackHandler())
		r.Handle("/logout", auth.LogoutHandler())
		r.Handle("/me", auth.RequireLINEUser(http.HandlerFunc(hello)))
		return r
	})
	defer stop()
	visit(srv, "/me")
	// Output: /me Hello, Brown!
}
