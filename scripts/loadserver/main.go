// Command loadserver serves the load test of `make load` (scripts/load):
// the same JSON handler on two loopback ports, one with no middleware and
// one behind linelogin's middleware, and a valid session cookie for the
// second, so that wrk can compare the two.
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
//
// and serves until SIGINT or SIGTERM, then prints how many requests each
// port answered and how many of them carried a user.
package main

import (
	"bytes"
	"context"
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
	"sync/atomic"
	"syscall"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

const path = "/api/data"

// body is what both ports serve, byte for byte.
var body = []byte(`{"ok":true,"items":[{"id":1,"name":"apple"},{"id":2,"name":"banana"},{"id":3,"name":"cherry"}]}` + "\n")

// counts are one port's requests, and those of them with a user.
type counts struct{ all, withUser atomic.Int64 }

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
	return mux
}

func main() {
	ready := flag.String("ready", "", "file to write the URLs and cookie to once serving")
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
	authLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	authBase := "http://" + authLn.Addr().String()

	platform, err := linetest.New(linetest.Config{AutoApprove: linetest.DefaultUsers()[0].ID})
	if err != nil {
		log.Fatal(err)
	}
	// Never dialled: the Transport serves both hosts.
	platform.SetURLs("http://access.line.test", "http://api.line.test")
	if err := platform.AddCallbackURL(authBase + "/callback"); err != nil {
		log.Fatal(err)
	}
	auth, err := middleware.New(middleware.Config{
		LINE: callback.Config{
			ChannelID:     platform.ChannelID(),
			ChannelSecret: platform.ChannelSecret(),
			RedirectURL:   authBase + "/callback",
			AccessURL:     platform.AccessURL(),
			APIURL:        platform.APIURL(),
			HTTPClient:    &http.Client{Transport: platform.Transport()},
		},
		SessionKeys: [][]byte{session.GenerateKey()},
	})
	if err != nil {
		log.Fatal(err)
	}

	var plainCounts, authCounts counts
	plain := &http.Server{Handler: app(&plainCounts), ReadHeaderTimeout: 10 * time.Second}
	authed := &http.Server{Handler: auth.Handler(app(&authCounts)), ReadHeaderTimeout: 10 * time.Second}

	cookie, err := login(authed.Handler, platform, authBase)
	if err != nil {
		log.Fatalf("login: %v", err)
	}

	errc := make(chan error, 2)
	go func() { errc <- plain.Serve(plainLn) }()
	go func() { errc <- authed.Serve(authLn) }()

	plainURL := "http://" + plainLn.Addr().String() + path
	authURL := authBase + path
	if err := check(authURL, cookie, &authCounts); err != nil {
		log.Fatalf("the session cookie does not authenticate: %v", err)
	}
	authCounts.all.Store(0)
	authCounts.withUser.Store(0)

	out := fmt.Sprintf("PLAIN_URL=%s\nAUTH_URL=%s\nCOOKIE=%s\n", plainURL, authURL, cookie)
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
	_ = authed.Shutdown(ctx)
	fmt.Printf("loadserver: no middleware: %d requests, %d with a user\n", plainCounts.all.Load(), plainCounts.withUser.Load())
	fmt.Printf("loadserver: middleware:    %d requests, %d with a user\n", authCounts.all.Load(), authCounts.withUser.Load())
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
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
		return fmt.Errorf("status %d, body %q", resp.StatusCode, got)
	}
	if c.withUser.Load() != 1 {
		return errors.New("the handler saw no user")
	}
	return nil
}
