package linetest

import (
	"net/http"
	"net/http/httptest"
)

// Transport returns an http.RoundTripper that hands requests straight to
// the platform's ServeHTTP, with no network and no listener: for benchmarks
// of the client side, and for tests that cannot open ports. The request's
// host picks the access or the API host as ServeHTTP says; the platform's
// URLs must still be set (setURLs, or setURL for one origin).
func (p *Platform) Transport() http.RoundTripper { return transport{p} }

// transport serves requests in memory.
type transport struct{ p *Platform }

// RoundTrip serves req with the platform and returns the recorded response.
func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	in := req.Clone(ctx) // the handler may parse forms into the request
	if in.Body == nil {
		in.Body = http.NoBody
	}
	if in.RequestURI == "" {
		in.RequestURI = req.URL.RequestURI()
	}
	rec := httptest.NewRecorder()
	t.p.ServeHTTP(rec, in)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := rec.Result()
	res.Request = req
	return res, nil
}
