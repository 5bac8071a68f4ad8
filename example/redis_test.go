package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testRedisURL returns a Redis URL for the test: REDIS_URL when set (by
// `make test`), else that of a redis-server of the test's own, started
// from PATH on a free loopback port and stopped at cleanup. A missing
// redis-server fails the test: it is never skipped.
func testRedisURL(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is not installed (%v): run `make test`, which installs it, or `apt-get install redis-server`", err)
	}
	dir := t.TempDir()
	for range 5 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		cmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
		})
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			select {
			case <-done:
				deadline = time.Time{} // exited: the port was taken; try another
				continue
			default:
			}
			if redisPing("127.0.0.1:"+port) == nil {
				return "redis://127.0.0.1:" + port + "/0"
			}
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
	t.Fatalf("redis-server would not start: %s", log)
	return ""
}

// redisPing sends PING over a bare connection.
func redisPing(addr string) error {
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

func TestExample_RedisSessions(t *testing.T) {
	srv, browser, _ := startExample(t, "servemux", map[string]string{"REDIS_URL": testRedisURL(t)})
	if resp, _ := get(t, browser, srv.URL+"/me", "text/html"); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/me" {
		t.Fatalf("login: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	appURL, _ := url.Parse(srv.URL)
	var copied *http.Cookie
	for _, c := range browser.Jar.Cookies(appURL) {
		if c.Name == "linelogin_session" {
			copied = c
		}
	}
	if copied == nil || len(copied.Value) > 300 {
		t.Fatalf("session cookie %v: want a short one carrying only the session ID", copied)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/logout", nil)
	req.Header.Set("Origin", srv.URL)
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// With sessions in Redis, logout ends the session itself: a copy of
	// the cookie made before is worthless (with cookies alone it would
	// still work until it expired).
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/api/me", nil)
	req.Header.Set("Accept", "application/json")
	req.AddCookie(copied)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("copied cookie after logout: %d, want 401", resp.StatusCode)
	}
}

func TestExample_RedisURL(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	if s, err := redisStore("", log); s != nil || err != nil {
		t.Errorf("no REDIS_URL: %v, %v; want the cookie store (nil)", s, err)
	}
	for _, bad := range []string{"http://user:hunter2@example.com", "redis://user:hunter2@host:6379/notadb", "redis://user:hunter2@[::1"} {
		_, err := redisStore(bad, log)
		if !errors.Is(err, errRedisURL) {
			t.Errorf("REDIS_URL %q: %v, want errRedisURL", bad, err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
	// Redis down at start-up: the app starts anyway, with a warning; the
	// client connects once Redis answers. (The middleware's tests show the
	// 503 and the recovery.)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "redis://" + ln.Addr().String() + "/0?dial_timeout=200ms"
	ln.Close()
	srv, _, _ := startExample(t, "servemux", map[string]string{"REDIS_URL": down})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/me", nil)
	req.Header.Set("Accept", "application/json")
	req.AddCookie(&http.Cookie{Name: "linelogin_session", Value: "whatever"})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A cookie that does not decode is "not logged in" before any store
	// is asked.
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/api/me with a bad cookie and Redis down: %d, want 401", resp.StatusCode)
	}
	if resp, body := get(t, http.DefaultClient, srv.URL+"/healthz", "*/*"); resp.StatusCode != http.StatusOK || body != "ok" {
		t.Errorf("/healthz with Redis down: %d %q", resp.StatusCode, body)
	}
}
