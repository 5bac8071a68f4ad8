package main

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/mux"
)

// routers lists the ways the example can be mounted (the -router flag):
// the same app on net/http's ServeMux, chi and gorilla/mux.
var routers = map[string]func(*app) http.Handler{
	"servemux":   (*app).serveMux,
	"chi":        (*app).chiRouter,
	"gorillamux": (*app).gorillaRouter,
}

func (a *app) handler(router string) (http.Handler, error) {
	mount, ok := routers[router]
	if !ok {
		return nil, fmt.Errorf("unknown router %q (want servemux, chi or gorillamux)", router)
	}
	return mount(a), nil
}

// serveMux: Handler wraps the whole mux and serves /login, /callback and
// /logout itself.
func (a *app) serveMux() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", a.home)
	m.Handle("GET /me", a.auth.RequireLINEUser(http.HandlerFunc(a.me)))
	m.Handle("GET /api/me", a.auth.RequireLINEUser(http.HandlerFunc(a.apiMe)))
	m.Handle(endSessionPath, a.auth.Sessions().EndHandler())
	m.HandleFunc("GET /healthz", healthz)
	a.accountRoutes(func(method, path string, h http.Handler) { m.Handle(method+" "+path, h) })
	return a.auth.Handler(m)
}

// chiRouter: chi runs Use middleware before routing, so Handler catches
// /login, /callback and /logout without routes of their own.
func (a *app) chiRouter() http.Handler {
	r := chi.NewRouter()
	r.Use(a.auth.Handler)
	r.Get("/", a.home)
	r.With(a.auth.RequireLINEUser).Get("/me", a.me)
	r.With(a.auth.RequireLINEUser).Get("/api/me", a.apiMe)
	r.Handle(endSessionPath, a.auth.Sessions().EndHandler())
	r.Get("/healthz", healthz)
	a.accountRoutes(func(method, path string, h http.Handler) { r.Method(method, path, h) })
	return r
}

// gorillaRouter: gorilla/mux runs Use middleware only for matched routes,
// so the login endpoints are mounted as routes of their own.
func (a *app) gorillaRouter() http.Handler {
	r := mux.NewRouter()
	r.Use(a.auth.Handler)
	r.Handle("/login", a.auth.LoginHandler()).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/callback", a.auth.CallbackHandler()).Methods(http.MethodGet, http.MethodPost)
	r.Handle("/logout", a.auth.LogoutHandler())
	r.HandleFunc("/", a.home).Methods(http.MethodGet)
	r.Handle("/me", a.auth.RequireLINEUser(http.HandlerFunc(a.me))).Methods(http.MethodGet)
	r.Handle("/api/me", a.auth.RequireLINEUser(http.HandlerFunc(a.apiMe))).Methods(http.MethodGet)
	r.Handle(endSessionPath, a.auth.Sessions().EndHandler())
	r.HandleFunc("/healthz", healthz).Methods(http.MethodGet)
	a.accountRoutes(func(method, path string, h http.Handler) { r.Handle(path, h).Methods(method) })
	return r
}
