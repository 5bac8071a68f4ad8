package redisstore_test

import (
	"log"
	"net/http"
	"os"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
	"github.com/linelogin/linelogin/session/redisstore"
)

// Sessions in Redis, a single node or a cluster
// (REDIS_URL=redis://node1:6379?addr=node2:6379&addr=node3:6379), with a
// page where users end their other sessions.
func ExampleNewURL() {
	store, err := redisstore.NewURL(os.Getenv("REDIS_URL"), redisstore.Options{Prefix: "myapp:"})
	if err != nil {
		log.Fatal(err) // a URL that does not parse; Redis itself need not be up yet
	}
	defer store.Close()
	keys, err := session.ParseKeys(os.Getenv("SESSION_KEYS"))
	if err != nil {
		log.Fatal(err)
	}
	auth, err := middleware.New(middleware.Config{
		LINE: callback.Config{
			ChannelID:     os.Getenv("LINE_CHANNEL_ID"),
			ChannelSecret: os.Getenv("LINE_CHANNEL_SECRET"),
			RedirectURL:   "https://app.example/callback",
		},
		Session: middleware.SessionConfig{Keys: keys, Store: store},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /me/sessions", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sessions, err := auth.Sessions().List(r)
		if err != nil {
			auth.ServeError(w, r, err)
			return
		}
		for _, s := range sessions {
			// Render s.Device, s.Created, s.LastSeen, s.Current, and a form
			// that posts s.ID as "id" (or "others=1") to /me/sessions/end.
			_ = s
		}
	})))
	mux.Handle("POST /me/sessions/end", auth.Sessions().EndHandler())
	log.Fatal(http.ListenAndServe(":8080", auth.Handler(mux)))
}
