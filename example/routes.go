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
	h := mount(a)
	// /healthz answers on every host: a probe does not send a tenant's.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && r.Method == http.MethodGet {
			healthz(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}), nil
}

// route is one of the example's own routes: the same list is mounted on
// every router, and the README lists it (a test compares the two).
type route struct {
	method, path string
	h            http.Handler
}

// routes are the example's pages and APIs; the middleware serves /login,
// /callback and /logout besides.
func (a *app) routes() []route {
	rs := []route{
		{http.MethodGet, "/", http.HandlerFunc(a.home)},
		{http.MethodGet, "/me", a.auth.RequireLINEUser(http.HandlerFunc(a.me))},
		{http.MethodGet, "/api/me", a.auth.RequireLINEUser(http.HandlerFunc(a.apiMe))},
		{http.MethodPost, endSessionPath, a.auth.Sessions().EndHandler()},
		{http.MethodGet, "/healthz", http.HandlerFunc(healthz)},
	}
	add := func(method, path string, h http.Handler) { rs = append(rs, route{method, path, h}) }
	a.accountRoutes(add)
	a.stepUpRoutes(add)
	return rs
}

// serveMux: Handler wraps the whole mux and serves /login, /callback and
// /logout itself.
func (a *app) serveMux() http.Handler {
	m := http.NewServeMux()
	for _, r := range a.routes() {
		path := r.path
		if path == "/" {
			path = "/{$}"
		}
		m.Handle(r.method+" "+path, r.h)
	}
	m.HandleFunc("/", a.notFound)
	return a.auth.Handler(m)
}

// chiRouter: chi runs Use middleware before routing, so Handler catches
// /login, /callback and /logout without routes of their own.
func (a *app) chiRouter() http.Handler {
	r := chi.NewRouter()
	r.Use(a.auth.Handler)
	for _, rt := range a.routes() {
		r.Method(rt.method, rt.path, rt.h)
	}
	r.NotFound(a.notFound)
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
	for _, rt := range a.routes() {
		r.Handle(rt.path, rt.h).Methods(rt.method)
	}
	r.NotFoundHandler = http.HandlerFunc(a.notFound)
	return r
}
