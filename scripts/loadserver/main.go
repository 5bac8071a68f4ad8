// Command loadserver serves the load test of `make load` (scripts/load):
// the same JSON handler on two loopback ports, one with no middleware and
// one behind linelogin's middleware, and a valid session cookie for the
// second, so that wrk can compare the two. Behind the middleware, /api/me
// also reads the linked account (middleware.LinkedAccountFromContext) of
// the logged-in user, who is linked, with the links in SQLite
// (link.SQLStore), as the example keeps them.
//
// The LINE Platform is linetest's fake, embedded and reached in memory: it
// is needed only to log in once at start-up, by driving /login, the
// fake's authorize (auto-approved) and /callback in process.
//
// Once both ports serve, it writes -ready, a file of KEY=value lines:
//
//	PLAIN_URL=http://127.0.0.1:port/api/data   the handler alone
//	AUTH_URL=http://127.0.0.1:port/api/data    behind the middleware
//	COOKIE=linelogin_session=...               the session cookie
//	ME_URL=http://127.0.0.1:port/api/me        the linked account, behind the middleware
//
// and, with -redis, REDIS_AUTH_URL, REDIS_ME_URL and REDIS_COOKIE for a third port
// behind the middleware with sessions in Redis; it serves until SIGINT or
// SIGTERM, then prints how many requests each
// port answered and how many of them carried a user.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
	"github.com/linelogin/linelogin/session/redisstore"

	_ "modernc.org/sqlite" // the example's driver
)

const (
	path   = "/api/data"
	mePath = "/api/me"
	// linkedAccount is the account the logged-in LINE user is linked to.
	linkedAccount = "demo-account"
)

// body is what both ports serve, byte for byte.
var body = []byte(`{"ok":true,"items":[{"id":1,"name":"apple"},{"id":2,"name":"banana"},{"id":3,"name":"cherry"}]}` + "\n")

// counts are one port's requests, and those of them with a user; for
// /api/me, the requests, and those of them whose user was linked.
type counts struct{ all, withUser, me, linked atomic.Int64 }

// app is the JSON handler both ports serve (each with its own counts): it
// reads the user from the context and writes the same body either way.
func app(c *counts) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		c.all.Add(1)
		if u, ok := middleware.UserFromContext(r.Context()); ok && u.ID != "" {
			c.withUser.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	// /api/me is /api/data for a linked user: the same body, once the
	// linked account is known (an error answers 503, which wrk counts).
	mux.HandleFunc(mePath, func(w http.ResponseWriter, r *http.Request) {
		c.me.Add(1)
		acct, err := middleware.LinkedAccountFromContext(r.Context())
		if err != nil && r.Context().Err() != nil {
			c.me.Add(-1) // wrk hung up at the end of a run: no answer is due
			return
		}
		if err != nil {
			http.Error(w, "links unavailable", http.StatusServiceUnavailable)
			return
		}
		if acct == linkedAccount {
			c.linked.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	return mux
}

func main() {
	ready := flag.String("ready", "", "file to write the URLs and cookie to once serving")
	redisURL := flag.String("redis", "", "also serve the middleware with sessions in this Redis (session/redisstore), on a third port")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("loadserver: ")
	if *ready == "" {
		log.Fatal("-ready is required")
	}

	plainLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	platform, err := linetest.New(linetest.Config{AutoApprove: linetest.DefaultUsers()[0].ID})
	if err != nil {
		log.Fatal(err)
	}
	// Never dialled: the Transport serves both hosts.
	links := openLinks(platform)

	var plainCounts counts
	plain := &http.Server{Handler: app(&plainCounts), ReadHeaderTimeout: 10 * time.Second}
	servers := []*authServer{startAuth("middleware", platform, links, nil)}
	if *redisURL != "" {
		store, err := redisstore.NewURL(*redisURL, redisstore.Options{Prefix: "linelogin-load:"})
		if err != nil {
			log.Fatal(err)
		}
		defer store.Close()
		servers = append(servers, startAuth("redis", platform, links, store))
	}
	errc := make(chan error, 1+len(servers))
	go func() { errc <- plain.Serve(plainLn) }()
	out := fmt.Sprintf("PLAIN_URL=http://%s%s\n", plainLn.Addr(), path)
	for _, a := range servers {
		go func() { errc <- a.srv.Serve(a.ln) }()
		if err := check(a.url, a.cookie, &a.counts); err != nil {
			log.Fatalf("%s: the session cookie does not authenticate: %v", a.name, err)
		}
		a.counts.all.Store(0)
		a.counts.withUser.Store(0)
		if err := checkMe(a.base+mePath, a.cookie, &a.counts); err != nil {
			log.Fatalf("%s: %s: %v", a.name, mePath, err)
		}
		a.counts.me.Store(0)
		a.counts.linked.Store(0)
		if a.name == "redis" {
			out += fmt.Sprintf("REDIS_AUTH_URL=%s\nREDIS_ME_URL=%s\nREDIS_COOKIE=%s\n", a.url, a.base+mePath, a.cookie)
		} else {
			out += fmt.Sprintf("AUTH_URL=%s\nME_URL=%s\nCOOKIE=%s\n", a.url, a.base+mePath, a.cookie)
		}
	}
	if err := os.WriteFile(*ready, []byte(out), 0o600); err != nil {
		log.Fatal(err)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sig:
	case err := <-errc:
		log.Fatalf("serve: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = plain.Shutdown(ctx)
	fmt.Printf("loadserver: no middleware: %d requests, %d with a user\n", plainCounts.all.Load(), plainCounts.withUser.Load())
	for _, a := range servers {
		_ = a.srv.Shutdown(ctx)
		fmt.Printf("loadserver: %-11s %d requests, %d with a user\n", a.name+":", a.counts.all.Load(), a.counts.withUser.Load())
		fmt.Printf("loadserver: %-11s %d requests, %d linked\n", a.name+"-me:", a.counts.me.Load(), a.counts.linked.Load())
	}
}

// openLinks opens a link store in SQLite in a temporary directory and
// links the user linetest approves as to linkedAccount.
func openLinks(platform *linetest.Platform) link.Store {
	dir, err := os.MkdirTemp("", "loadserver-links")
	if err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "links.db"))
	if err != nil {
		log.Fatal(err)
	}
	store, err := link.NewSQLStore(context.Background(), db, link.SQLOptions{})
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Link(context.Background(), linetest.DefaultUsers()[0].ID, linkedAccount); err != nil {
		log.Fatal(err)
	}
	return store
}

// authServer is the handler behind the middleware on a port of its own,
// with a logged-in session cookie for it.
type authServer struct {
	name   string
	base   string
	srv    *http.Server
	ln     net.Listener
	url    string
	cookie string
	counts counts
}

// startAuth listens on a loopback port and logs in once, with sessions in
// store (the cookie store if nil); the caller serves.
func startAuth(name string, platform *linetest.Platform, links link.Store, store session.Store) *authServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	if err := platform.AddCallbackURL(base + "/callback"); err != nil {
		log.Fatal(err)
	}
	auth, err := middleware.New(middleware.Config{
		LINE: callback.Config{
			ChannelID:     platform.ChannelID(),
			ChannelSecret: platform.ChannelSecret(),
			RedirectURL:   base + "/callback",
			AccessURL:     platform.AccessURL(),
			APIURL:        platform.APIURL(),
			HTTPClient:    &http.Client{Transport: platform.Transport()},
		},
		Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}, Store: store},
		Linking: &middleware.Linking{
			Store:           links,
			SignedInAccount: func(*http.Request) (string, error) { return "", nil },
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	a := &authServer{name: name, ln: ln, base: base, url: base + path}
	a.srv = &http.Server{Handler: auth.Handler(app(&a.counts)), ReadHeaderTimeout: 10 * time.Second}
	if a.cookie, err = login(a.srv.Handler, platform, base); err != nil {
		log.Fatalf("%s: login: %v", name, err)
	}
	return a
}

// login runs /login, linetest's authorize and /callback in process and
// returns the session cookie as a Cookie header value.
func login(h http.Handler, platform *linetest.Platform, base string) (string, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, base+"/login", nil))
	if rec.Code != http.StatusFound {
		return "", fmt.Errorf("/login: status %d", rec.Code)
	}
	flowCookies := rec.Result().Cookies()
	req, err := http.NewRequest(http.MethodGet, rec.Header().Get("Location"), nil)
	if err != nil {
		return "", err
	}
	resp, err := platform.Transport().RoundTrip(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("authorize: status %d", resp.StatusCode)
	}
	cb := httptest.NewRequest(http.MethodGet, resp.Header.Get("Location"), nil)
	for _, c := range flowCookies {
		cb.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, cb)
	if rec.Code != http.StatusSeeOther {
		return "", fmt.Errorf("/callback: status %d: %s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessioncookie.DefaultCookieName && c.Value != "" {
			return c.Name + "=" + c.Value, nil
		}
	}
	return "", errors.New("/callback set no session cookie")
}

// check fetches url over the network with cookie and makes sure that the
// handler saw a user and answered the JSON body.
func check(url, cookie string, c *counts) error {
	status, got, err := get(url, cookie)
	if err != nil {
		return err
	}
	if status != http.StatusOK || !bytes.Equal(got, body) {
		return fmt.Errorf("status %d, body %q", status, got)
	}
	if c.withUser.Load() != 1 {
		return errors.New("the handler saw no user")
	}
	return nil
}

// checkMe fetches url (/api/me) with cookie and makes sure that the
// handler saw the linked account.
func checkMe(url, cookie string, c *counts) error {
	status, _, err := get(url, cookie)
	if err != nil {
		return err
	}
	if status != http.StatusOK || c.linked.Load() != 1 {
		return fmt.Errorf("status %d, %d of %d requests linked", status, c.linked.Load(), c.me.Load())
	}
	return nil
}

// get fetches url over the network with the Cookie header cookie.
func get(url, cookie string) (status int, got []byte, err error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	got, err = io.ReadAll(resp.Body)
	return resp.StatusCode, got, err
}
