package session_test

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

// The tests need a real redis-server. `make test` starts one and exports
// REDIS_URL; without it, each test starts its own from PATH. A missing
// redis-server fails the test: it is never skipped.

// redisServer is a redis-server subprocess on a loopback port, which a test
// can stop and start again on the same port.
type redisServer struct {
	t    testing.TB
	port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// startRedisServer starts a redis-server of its own for t on a free
// loopback port, stopped at cleanup. With persist, it saves its data when
// stopped and loads it when started again, as a restarted production Redis
// does.
func startRedisServer(t testing.TB, persist bool) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is not installed (%v): the Redis tests need it; run `make test`, which installs it, or `apt-get install redis-server`", err)
	}
	s := &redisServer{t: t, dir: t.TempDir()}
	t.Cleanup(s.stop)
	var err error
	for range 5 {
		s.port = freePort(t)
		if err = s.start(persist); err == nil {
			return s
		}
	}
	t.Fatalf("redis-server would not start: %v", err)
	return nil
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// addr is the server's host:port.
func (s *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *redisServer) start(persist bool) error {
	save := ""
	if persist {
		save = "3600 1" // any save point makes SIGTERM write the data
	}
	args := []string{
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", save, "--appendonly", "no", "--dir", s.dir,
		"--logfile", filepath.Join(s.dir, "redis.log"),
	}
	cmd := exec.Command("redis-server", args...)
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
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return &startError{log: string(log)}
		default:
		}
		err := ping(s.addr())
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
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

type startError struct{ log string }

func (e *startError) Error() string { return "redis-server exited: " + e.log }

// restart starts the server again on its port, after stop.
func (s *redisServer) restart(persist bool) {
	s.t.Helper()
	if err := s.start(persist); err != nil {
		s.t.Fatalf("restarting redis-server: %v", err)
	}
}

// stop ends the server (SIGTERM, which saves when persisting) and waits.
func (s *redisServer) stop() {
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

// testRedisOptions returns client options for a Redis the test may use:
// REDIS_URL's when set (by `make test`), else a server of the test's own.
func testRedisOptions(t testing.TB) *redis.Options {
	t.Helper()
	if u := os.Getenv("REDIS_URL"); u != "" {
		opts, err := redis.ParseURL(u)
		if err != nil {
			t.Fatalf("REDIS_URL: %v", err)
		}
		return opts
	}
	return &redis.Options{Addr: startRedisServer(t, false).addr()}
}

// newTestRedisClient returns a client with short timeouts, as an app that
// wants a fast 503 would configure, closed at cleanup.
func newTestRedisClient(t testing.TB, opts *redis.Options) *redis.Client {
	t.Helper()
	o := *opts
	o.DialTimeout = time.Second
	o.ReadTimeout = 500 * time.Millisecond
	o.WriteTimeout = 500 * time.Millisecond
	o.MaxRetries = 1
	o.DialerRetries = 1
	o.ContextTimeoutEnabled = true
	c := redis.NewClient(&o)
	t.Cleanup(func() { c.Close() })
	return c
}

// testPrefix returns a key prefix of the test's own, so that tests sharing
// one Redis never see each other's keys.
func testPrefix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "linelogin-test:" + hex.EncodeToString(b) + ":"
}
