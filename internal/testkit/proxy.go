package testkit

import (
	"net"
	"sync"
	"testing"
	"time"
)

// ProxyMode is how a Proxy treats its connections.
type ProxyMode int

// The modes of a Proxy.
const (
	// ProxyPass forwards everything at once.
	ProxyPass ProxyMode = iota
	// ProxyDown refuses new connections (nothing listens) and closes
	// open ones, as a crashed server's host does.
	ProxyDown
	// ProxyHang accepts connections but forwards nothing either way,
	// holding what was sent until the mode changes: a server that
	// accepts and never answers.
	ProxyHang
	// ProxySlow forwards each chunk after the Proxy's delay.
	ProxySlow
)

// Proxy is a fault-injecting TCP proxy on a loopback port, in front of a
// server (Redis, a database) that a test wants down, hung or slow without
// stopping it. It is safe for concurrent use.
type Proxy struct {
	tb     testing.TB
	target string
	addr   string

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change of mode
	mode    ProxyMode
	delay   time.Duration
	ln      net.Listener
	conns   map[net.Conn]struct{}
	closed  bool
}

// NewProxy starts a Proxy to target (host:port) in ProxyPass mode, and
// closes it at tb's cleanup.
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{tb: tb, target: target, addr: ln.Addr().String(), changed: make(chan struct{}), conns: make(map[net.Conn]struct{})}
	p.ln = ln
	go p.serve(ln)
	tb.Cleanup(p.Close)
	return p
}

// Addr is the proxy's host:port, to give the client instead of target's.
func (p *Proxy) Addr() string { return p.addr }

// Set changes the mode; delay is ProxySlow's delay per chunk. Leaving
// ProxyDown listens again on the same port.
func (p *Proxy) Set(mode ProxyMode, delay time.Duration) {
	p.tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	was := p.mode
	p.mode, p.delay = mode, delay
	close(p.changed)
	p.changed = make(chan struct{})
	switch {
	case mode == ProxyDown && was != ProxyDown:
		p.ln.Close()
		for c := range p.conns {
			c.Close()
		}
	case mode != ProxyDown && was == ProxyDown:
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			p.tb.Errorf("proxy: listening again on %s: %v", p.addr, err)
			return
		}
		p.ln = ln
		go p.serve(ln)
	}
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	close(p.changed)
	p.ln.Close()
	for c := range p.conns {
		c.Close()
	}
}

func (p *Proxy) serve(ln net.Listener) {
	for {
		client, err := ln.Accept()
		if err != nil {
			return
		}
		go p.handle(client)
	}
}

// handle connects client to the target and copies both ways through gate.
func (p *Proxy) handle(client net.Conn) {
	if !p.track(client) {
		client.Close()
		return
	}
	defer p.untrack(client)
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		return
	}
	if !p.track(server) {
		server.Close()
		return
	}
	defer p.untrack(server)
	done := make(chan struct{}, 2)
	go func() { p.copy(server, client); done <- struct{}{} }()
	go func() { p.copy(client, server); done <- struct{}{} }()
	<-done
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.mode == ProxyDown {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// copy forwards chunks from src to dst, each when gate allows, and closes
// both ends when either fails.
func (p *Proxy) copy(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.gate() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// gate waits until a chunk may be forwarded: at once when passing, after
// the delay when slow, not while hung. It reports false when the proxy is
// down or closed: the chunk is dropped with its connection.
func (p *Proxy) gate() bool {
	for {
		p.mu.Lock()
		mode, delay, changed, closed := p.mode, p.delay, p.changed, p.closed
		p.mu.Unlock()
		switch {
		case closed || mode == ProxyDown:
			return false
		case mode == ProxyHang:
			<-changed
		case mode == ProxySlow:
			// A change meanwhile (to down: a crash) decides the chunk's
			// fate: what a crashed host held is lost.
			select {
			case <-time.After(delay):
			case <-changed:
			}
			p.mu.Lock()
			mode, closed = p.mode, p.closed
			p.mu.Unlock()
			return !closed && mode != ProxyDown
		default:
			return true
		}
	}
}
