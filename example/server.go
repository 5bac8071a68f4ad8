package main

import (
	"net/http"
	"time"
)

// serverTimeouts are the limits of the example's HTTP servers (DESIGN
// §10): without them, clients that open connections and then stall or sit
// idle hold a file descriptor each until the process runs out.
type serverTimeouts struct {
	// ReadHeader bounds reading a request's headers, Read the whole
	// request with its body: a body that stalls is cut then.
	ReadHeader, Read time.Duration
	// Write bounds the handler and the writing of its response.
	Write time.Duration
	// Idle is how long a keep-alive connection waits for its next request.
	Idle time.Duration
}

// defaultTimeouts are the timeouts run serves with: a stalled body is cut
// within 30 s, an idle connection closed within 2 minutes. Write leaves
// room for the calls to LINE a page makes, each bounded by the client's
// own timeout.
var defaultTimeouts = serverTimeouts{
	ReadHeader: 10 * time.Second,
	Read:       30 * time.Second,
	Write:      60 * time.Second,
	Idle:       2 * time.Minute,
}

// newServer returns the server for h with the timeouts t.
func newServer(h http.Handler, t serverTimeouts) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
	}
}
