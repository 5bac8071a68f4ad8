package testkit_test

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/testkit"
)

// echoServer answers each line with itself.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					c.Write([]byte(line))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a line through addr and waits up to wait for it back.
func roundTrip(addr string, wait time.Duration) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(wait))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

func TestProxy_Modes(t *testing.T) {
	p := testkit.NewProxy(t, echoServer(t))
	if err := roundTrip(p.Addr(), 2*time.Second); err != nil {
		t.Fatalf("pass: %v", err)
	}
	p.Set(testkit.ProxyDown, 0)
	if err := roundTrip(p.Addr(), 2*time.Second); err == nil {
		t.Error("down: answered")
	}
	p.Set(testkit.ProxyHang, 0)
	if err := roundTrip(p.Addr(), 200*time.Millisecond); err == nil {
		t.Error("hang: answered")
	}
	p.Set(testkit.ProxySlow, 100*time.Millisecond)
	start := time.Now()
	if err := roundTrip(p.Addr(), 2*time.Second); err != nil || time.Since(start) < 200*time.Millisecond {
		t.Errorf("slow: %v after %v, want an answer after both delays", err, time.Since(start))
	}
	p.Set(testkit.ProxyPass, 0)
	if err := roundTrip(p.Addr(), 2*time.Second); err != nil {
		t.Errorf("pass again: %v", err)
	}
}
