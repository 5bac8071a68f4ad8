package linetest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// Server is a Platform served over HTTP on the loopback interface, like an
// httptest.Server.
type Server struct {
	*Platform
	srv *httptest.Server
}

// NewServer starts a Platform for cfg on 127.0.0.1 with a random port and
// sets its URL. When tb is not nil, the server is closed by tb.Cleanup and a
// bad cfg fails the test with tb.Fatal; with a nil tb (in a main package) a
// bad cfg panics and the caller closes the server.
func NewServer(tb testing.TB, cfg Config) *Server {
	if tb != nil {
		tb.Helper()
	}
	return newServer(tb, cfg, "")
}

// NewServerOnLocalhost is NewServer, but URL() names the host "localhost"
// instead of 127.0.0.1 (same port). Browsers decide SameSite by site and
// ports do not make a new site, so browser tests serve the app on 127.0.0.1
// and the platform on localhost, as different as the app and LINE are in
// production. The server listens on 127.0.0.1 only; clients that try ::1
// first for "localhost" fall back to it.
func NewServerOnLocalhost(tb testing.TB, cfg Config) *Server {
	if tb != nil {
		tb.Helper()
	}
	return newServer(tb, cfg, "localhost")
}

// newServer starts the server; host, when not empty, replaces the
// listener's IP in the URL.
func newServer(tb testing.TB, cfg Config, host string) *Server {
	if tb != nil {
		tb.Helper()
	}
	p, err := New(cfg)
	if err != nil {
		if tb == nil {
			panic(err)
		}
		tb.Fatal(err)
	}
	s := &Server{Platform: p, srv: httptest.NewServer(p)}
	u, err := url.Parse(s.srv.URL)
	if err != nil {
		s.Close()
		panic("linetest: httptest gave a bad URL: " + err.Error())
	}
	if host != "" {
		u.Host = host + ":" + u.Port()
	}
	p.SetURL(u.String())
	if tb != nil {
		tb.Cleanup(s.Close)
	}
	return s
}

// Close stops the server, first ending any fault delay in progress. It
// blocks until outstanding requests are done; calling it again does nothing.
func (s *Server) Close() {
	s.shutdown()
	s.srv.Close()
}

// Client returns the httptest client for the server (plain HTTP). Like
// httptest.Server.Client, it follows redirects and is shared: copy it before
// changing it.
func (s *Server) Client() *http.Client { return s.srv.Client() }
