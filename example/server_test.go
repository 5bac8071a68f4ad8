package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// TestServer_DefaultTimeouts: the server run starts cuts a stalled body
// within 30 s and closes an idle connection within 2 minutes (DESIGN
// §10), and bounds headers and writes too.
func TestServer_DefaultTimeouts(t *testing.T) {
	d := defaultTimeouts
	if d.Read <= 0 || d.Read > 30*time.Second {
		t.Errorf("read timeout %v, want at most 30s", d.Read)
	}
	if d.ReadHeader <= 0 || d.ReadHeader > d.Read {
		t.Errorf("read-header timeout %v, want set and at most the read timeout %v", d.ReadHeader, d.Read)
	}
	if d.Idle <= 0 || d.Idle > 2*time.Minute {
		t.Errorf("idle timeout %v, want at most 2m", d.Idle)
	}
	if d.Write <= 0 {
		t.Errorf("write timeout %v, want one", d.Write)
	}
	srv := newServer(http.NotFoundHandler(), d)
	if srv.ReadHeaderTimeout != d.ReadHeader || srv.ReadTimeout != d.Read || srv.WriteTimeout != d.Write || srv.IdleTimeout != d.Idle {
		t.Errorf("server has timeouts %v/%v/%v/%v, want %+v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, d)
	}
}

// TestServer_CutsStalledAndIdleConnections serves the example's app with
// newServer, as run does, and short timeouts: a connection whose request
// body stalls is closed, and so is a keep-alive connection left idle,
// while /healthz keeps answering.
func TestServer_CutsStalledAndIdleConnections(t *testing.T) {
	a, _, _, _ := startExampleApp(t, "servemux", nil)
	h, err := a.handler("servemux")
	if err != nil {
		t.Fatal(err)
	}
	const timeout = 300 * time.Millisecond
	srv := newServer(h, serverTimeouts{ReadHeader: timeout, Read: timeout, Write: 5 * time.Second, Idle: timeout})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().String()

	// closedWithin reads c until the server closes it, failing if that
	// takes longer than limit (the test's own bound, well above timeout).
	closedWithin := func(what string, c net.Conn, r *bufio.Reader, limit time.Duration) {
		t.Helper()
		start := time.Now()
		_ = c.SetReadDeadline(start.Add(limit))
		_, err := io.Copy(io.Discard, r)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s: connection still open after %v", what, limit)
			return
		}
		t.Logf("%s: closed after %v", what, time.Since(start).Round(time.Millisecond))
	}

	t.Run("stalled body", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// A password login that promises 1000 bytes and sends a dozen.
		_, err = io.WriteString(c, "POST /account/login HTTP/1.1\r\nHost: "+addr+"\r\n"+
			"Content-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin\r\n"+
			"Content-Length: 1000\r\n\r\naccount_id=a")
		if err != nil {
			t.Fatal(err)
		}
		closedWithin("stalled body", c, bufio.NewReader(c), 5*time.Second)
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		r := bufio.NewReader(c)
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != "ok" || resp.Close {
			t.Fatalf("/healthz: %d %q (close %v), want 200 ok on a kept-alive connection", resp.StatusCode, body, resp.Close)
		}
		closedWithin("idle keep-alive", c, r, 5*time.Second)
	})

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz afterwards: %d", resp.StatusCode)
	}
}
