package linetest

import (
	"net/http"
	"net/url"
)

// defaultRecordLimit is how many of the latest requests a Platform keeps
// when Config.RecordLimit is 0: enough for any one test, and a bounded
// few megabytes for a demo left running.
const defaultRecordLimit = 1000

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

// requestLog is the record of requests: a ring of the latest ones, and a
// count per endpoint path since the start (or the last reset). The counts
// are kept for the platform's own paths only, so that a flood of made-up
// paths cannot grow them either.
type requestLog struct {
	ring   []Request // at most limit; oldest at next once full
	next   int
	limit  int
	counts map[string]int
}

func newRequestLog(limit int) requestLog {
	if limit == 0 {
		limit = defaultRecordLimit
	}
	return requestLog{limit: limit, counts: make(map[string]int)}
}

// add records r, dropping the oldest request once the ring is full;
// endpoint says whether r's path is one of the platform's, to count.
func (l *requestLog) add(r Request, endpoint bool) {
	if endpoint {
		l.counts[r.Path]++
	}
	if len(l.ring) < l.limit {
		l.ring = append(l.ring, r)
		return
	}
	l.ring[l.next] = r
	l.next = (l.next + 1) % l.limit
}

// each calls f with every recorded request, oldest first.
func (l *requestLog) each(f func(Request)) {
	for i := range l.ring {
		f(l.ring[(l.next+i)%len(l.ring)])
	}
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
	_, endpoint := p.routes[rec.Path]
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests.add(rec, endpoint)
	return p.takeFaultLocked(rec.Path)
}

// Requests returns a copy of the recorded requests, oldest first: the
// latest Config.RecordLimit of them.
func (p *Platform) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Request, 0, len(p.requests.ring))
	p.requests.each(func(r Request) {
		out = append(out, Request{
			Method: r.Method,
			Host:   r.Host,
			Path:   r.Path,
			Query:  cloneValues(r.Query),
			Form:   cloneValues(r.Form),
			Header: r.Header.Clone(),
		})
	})
	return out
}

// Count returns how many requests had the given path: all of them since
// the platform started (or ResetRequests) for the platform's endpoints
// (the Path constants), however many Requests keeps; for any other path,
// those among the recorded requests.
func (p *Platform) Count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n, ok := p.requests.counts[path]; ok {
		return n
	}
	n := 0
	p.requests.each(func(r Request) {
		if r.Path == path {
			n++
		}
	})
	return n
}

// ResetRequests forgets the recorded requests and the counts.
func (p *Platform) ResetRequests() {
	p.mu.Lock()
	p.requests = newRequestLog(p.requests.limit)
	p.mu.Unlock()
}

// cloneValues returns a deep copy of v; nil stays nil.
func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	return url.Values(http.Header(v).Clone())
}
