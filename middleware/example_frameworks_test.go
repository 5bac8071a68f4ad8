package middleware_test

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"

	"github.com/linelogin/linelogin/middleware"
)

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
