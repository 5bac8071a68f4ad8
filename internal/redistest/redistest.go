// Package redistest runs throwaway redis-server processes for tests of
// session.RedisStore and of what is built on it, as net/http/httptest runs
// throwaway HTTP servers.
//
// The tests need a real redis-server. `make test` installs one, starts it
// and exports REDIS_URL; [Options] and [URL] use that server when the
// variable is set, and otherwise start one of the test's own from PATH.
// [Start] always starts one of the test's own, for a test that stops and
// restarts it. A missing redis-server fails the test: it is never skipped.
//
// Tests sharing one Redis keep apart by giving each its own key prefix
// ([Prefix]).
package redistest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// envURL names the variable through which `make test` passes the URL of
// the redis-server it started.
const envURL = "REDIS_URL"

// Server is a redis-server subprocess on a loopback port, which a test can
// stop and start again on the same port. Its methods are for the test's
// own goroutine.
type Server struct {
	tb      testing.TB
	persist bool
	port    int
	dir     string
	cmd     *exec.Cmd
	done    chan struct{}
}

// Start starts a redis-server of tb's own on a free loopback port, with
// its files in a temporary directory, and stops it at tb's cleanup. With
// persist, the server saves its data when stopped and loads it when
// started again, as a restarted production Redis does; without, a restart
// comes back empty.
//
// Start fails tb (it never skips) if redis-server is not installed or
// will not start.
func Start(tb testing.TB, persist bool) *Server {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		tb.Fatalf("redis-server is not installed (%v): the Redis tests need it; run `make test`, which installs it, or `apt-get install redis-server`", err)
	}
	s := &Server{tb: tb, persist: persist, dir: tb.TempDir()}
	tb.Cleanup(s.Stop)
	var err error
	for range 5 { // a free port may be taken before the server binds it
		s.port = freePort(tb)
		if err = s.start(); err == nil {
			return s
		}
	}
	tb.Fatalf("redis-server would not start: %v", err)
	return nil
}

// Addr is the server's host:port, as in redis.Options.Addr.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// URL is the server's URL, database 0, as REDIS_URL takes it.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Stop ends the server with SIGTERM (on which a persisting server saves
// its data) and waits for it to exit, killing it after 10 seconds. Stopping
// a stopped server does nothing.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// Restart starts the server again on its port, with the persistence
// setting it was started with, stopping it first if it is running. It
// fails the test if the server will not start.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.tb.Fatalf("restarting redis-server: %v", err)
	}
}

// start runs redis-server on s.port and waits until it answers PING.
func (s *Server) start() error {
	save := ""
	if s.persist {
		save = "3600 1" // any save point makes SIGTERM write the data
	}
	logfile := filepath.Join(s.dir, "redis.log")
	cmd := exec.Command("redis-server",
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", save, "--appendonly", "no", "--dir", s.dir,
		"--logfile", logfile)
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-done:
			s.cmd = nil
			log, _ := os.ReadFile(logfile)
			return fmt.Errorf("redis-server exited: %s", log)
		default:
		}
		err := ping(s.Addr())
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePort returns a TCP port that was free a moment ago on 127.0.0.1.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ping sends PING over a bare connection (the client library would log
// every refused dial while the server starts).
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(conn, buf); err != nil {
		return err
	}
	if string(buf) != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", buf)
	}
	return nil
}

// Options returns client options for a Redis tb may use: REDIS_URL's when
// it is set (`make test` exports it), else those of a non-persisting
// [Server] of tb's own, stopped at cleanup. A REDIS_URL that does not
// parse fails tb.
func Options(tb testing.TB) *redis.Options {
	tb.Helper()
	if u := os.Getenv(envURL); u != "" {
		opts, err := redis.ParseURL(u)
		if err != nil {
			tb.Fatalf("%s: %v", envURL, err)
		}
		return opts
	}
	return &redis.Options{Addr: Start(tb, false).Addr()}
}

// URL returns the URL of a Redis tb may use: REDIS_URL when it is set
// (`make test` exports it), else that of a non-persisting [Server] of tb's
// own, stopped at cleanup. It is [Options] for code that takes a URL, as
// an app reading REDIS_URL does.
func URL(tb testing.TB) string {
	tb.Helper()
	if u := os.Getenv(envURL); u != "" {
		return u
	}
	return Start(tb, false).URL()
}

// NewClient returns a client of opts with short timeouts, as an app that
// wants a fast 503 during an outage configures them: 1s to dial, 500ms to
// read or write, one retry, and the context's deadline honoured. opts is
// not modified. The client is closed at tb's cleanup.
func NewClient(tb testing.TB, opts *redis.Options) *redis.Client {
	tb.Helper()
	o := *opts
	o.DialTimeout = time.Second
	o.ReadTimeout = 500 * time.Millisecond
	o.WriteTimeout = 500 * time.Millisecond
	o.MaxRetries = 1
	o.DialerRetries = 1
	o.ContextTimeoutEnabled = true
	c := redis.NewClient(&o)
	tb.Cleanup(func() { c.Close() })
	return c
}

// Prefix returns a random key prefix ("linelogin-test:<12 hex digits>:")
// for a test's own keys, so that tests sharing one Redis never see each
// other's keys.
func Prefix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "linelogin-test:" + hex.EncodeToString(b) + ":"
}
