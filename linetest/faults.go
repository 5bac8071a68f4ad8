package linetest

import (
	"io"
	"net/http"
	"time"
)

// Fault makes the platform misbehave on one path, to test how a client copes
// with LINE being slow, down or wrong.
type Fault struct {
	// Status, if non-zero, is the status to answer with instead of the
	// endpoint's.
	Status int
	// Body is the raw body to send, with Status, or with 200 when Status is
	// zero.
	Body string
	// Header holds extra response headers, such as a Content-Type of
	// text/html or the Location of a 307. When Status and Body are both
	// empty the endpoint still answers, and may overwrite them.
	Header http.Header
	// Delay is how long to wait before answering. The wait ends early, with
	// no answer at all, when the request's context is done (the client gave
	// up) or the server is closing.
	Delay time.Duration
	// Times limits the fault to the next Times requests; 0 (or less) keeps
	// it until ClearFaults or another SetFault for the path.
	Times int
}

// activeFault is a Fault with its remaining uses.
type activeFault struct {
	Fault
	remaining int // 0: unlimited
}

// SetFault makes requests to path (such as PathToken) fail as f describes,
// replacing any fault already set for path. Faults apply after the request
// is recorded and before any check.
func (p *Platform) SetFault(path string, f Fault) {
	f.Header = f.Header.Clone()
	p.mu.Lock()
	p.faults[path] = &activeFault{Fault: f, remaining: max(f.Times, 0)}
	p.mu.Unlock()
}

// ClearFaults removes every fault.
func (p *Platform) ClearFaults() {
	p.mu.Lock()
	clear(p.faults)
	p.mu.Unlock()
}

// takeFaultLocked returns the fault for path, if any, counting one use.
func (p *Platform) takeFaultLocked(path string) *Fault {
	af, ok := p.faults[path]
	if !ok {
		return nil
	}
	if af.remaining > 0 {
		af.remaining--
		if af.remaining == 0 {
			delete(p.faults, path)
		}
	}
	f := af.Fault
	return &f
}

// applyFault applies f and reports whether the request has been answered
// (or abandoned). A fault with neither Status nor Body lets the endpoint
// answer after the delay.
func (p *Platform) applyFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		case <-p.stop:
			return true
		}
	}
	for k, vs := range f.Header {
		w.Header()[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if f.Status == 0 && f.Body == "" {
		return false
	}
	p.log.Debug("linetest: fault applied", "path", r.URL.Path, "status", f.Status)
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, f.Body)
	return true
}
