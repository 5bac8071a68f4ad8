package linetest

import (
	"net/http"
	"net/url"
)

// Request is a request the platform received, recorded before any fault or
// check applies, so that tests can assert what a client sent.
type Request struct {
	Method string
	// Host is the host[:port] the request was sent to: that of AccessURL
	// or of APIURL on a Server.
	Host  string
	Path  string
	Query url.Values
	// Form is the parsed body of an application/x-www-form-urlencoded POST,
	// nil otherwise.
	Form   url.Values
	Header http.Header
}

// admit records r and returns the fault to apply to it, if any, consuming
// one of the fault's Times.
func (p *Platform) admit(r *http.Request) *Fault {
	rec := Request{
		Method: r.Method,
		Host:   r.Host,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
	}
	if r.PostForm != nil && r.Method == http.MethodPost && isForm(r) {
		rec.Form = cloneValues(r.PostForm)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = append(p.requests, rec)
	return p.takeFaultLocked(rec.Path)
}

// Requests returns a copy of the recorded requests, oldest first.
func (p *Platform) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Request, len(p.requests))
	for i, r := range p.requests {
		out[i] = Request{
			Method: r.Method,
			Host:   r.Host,
			Path:   r.Path,
			Query:  cloneValues(r.Query),
			Form:   cloneValues(r.Form),
			Header: r.Header.Clone(),
		}
	}
	return out
}

// Count returns how many recorded requests had the given path.
func (p *Platform) Count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, r := range p.requests {
		if r.Path == path {
			n++
		}
	}
	return n
}

// ResetRequests forgets the recorded requests.
func (p *Platform) ResetRequests() {
	p.mu.Lock()
	p.requests = nil
	p.mu.Unlock()
}

// cloneValues returns a deep copy of v; nil stays nil.
func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	return url.Values(http.Header(v).Clone())
}
