package linetest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// Server is a Platform served over HTTP on the loopback interface, like an
// httptest.Server, on two origins as at LINE: the access host
// (AccessURL) and the API host (APIURL), each on its own port; and, over
// HTTPS with httptest's certificate, the profile picture host
// (PictureURL), since LINE's picture URLs are https.
type Server struct {
	*Platform
	access, api, picture *httptest.Server
}

// NewServer starts a Platform for cfg on two listeners on 127.0.0.1 with
// random ports, and sets its URLs; a third, TLS, listener serves the
// generated avatars. When tb is not nil, the server is closed by
// tb.Cleanup and a bad cfg fails the test with tb.Fatal; with a nil tb (in
// a main package) a bad cfg panics and the caller closes the server.
func NewServer(tb testing.TB, cfg Config) *Server {
	if tb != nil {
		tb.Helper()
	}
	return newServer(tb, cfg, "")
}

// NewServerOnLocalhost is NewServer, but AccessURL, APIURL and PictureURL
// name the host "localhost" instead of 127.0.0.1 (same ports). Browsers
// decide SameSite by site and ports do not make a new site, so a browser
// test must serve the app and the platform on different sites, as the app
// and LINE are in production: with this, the app on 127.0.0.1 and the
// platform on localhost (this module's e2e tests do the reverse: the app
// on localhost, NewServer's platform on 127.0.0.1). The server listens on
// 127.0.0.1 only; clients that try ::1 first for "localhost" fall back to
// it.
func NewServerOnLocalhost(tb testing.TB, cfg Config) *Server {
	if tb != nil {
		tb.Helper()
	}
	return newServer(tb, cfg, "localhost")
}

// newServer starts the server; host, when not empty, replaces the
// listeners' IP in the URLs.
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
	s := &Server{
		Platform: p,
		access:   httptest.NewServer(hostHandler{p, hostAccess}),
		api:      httptest.NewServer(hostHandler{p, hostAPI}),
	}
	if cfg.HTTPPictures {
		s.picture = httptest.NewServer(hostHandler{p, hostPicture})
	} else {
		s.picture = httptest.NewTLSServer(hostHandler{p, hostPicture})
	}
	origin := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			s.Close()
			panic("linetest: httptest gave a bad URL: " + err.Error())
		}
		if host != "" {
			u.Host = host + ":" + u.Port()
		}
		return u.String()
	}
	p.setURLs(origin(s.access.URL), origin(s.api.URL))
	p.mu.Lock()
	p.pictureURL = origin(s.picture.URL)
	p.mu.Unlock()
	if tb != nil {
		tb.Cleanup(s.Close)
	}
	return s
}

// Close stops the listeners, first ending any fault delay in progress.
// It blocks until outstanding requests are done; calling it again does
// nothing.
func (s *Server) Close() {
	s.shutdown()
	s.access.Close()
	s.api.Close()
	s.picture.Close()
}

// Client returns the httptest client for the server, good for its three
// hosts: plain HTTP for the access and API hosts, and HTTPS trusting the
// picture host's test certificate. Like httptest.Server.Client, it follows
// redirects and is shared: copy it before changing it.
func (s *Server) Client() *http.Client { return s.picture.Client() }
