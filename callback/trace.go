package callback

import (
	"errors"
	"net/http"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// SpanName names the span of a back-channel request "LINE <endpoint>"
// (e.g. "LINE token"), and any other request "HTTP <method>". It has the
// shape of otelhttp.WithSpanNameFormatter's argument.
func SpanName(_ string, r *http.Request) string {
	if op := Endpoint(r); op != "" {
		return "LINE " + op
	}
	return "HTTP " + r.Method
}

// RedactSpanURL wraps the transport that otelhttp (or any tracing
// transport) wraps, so that traces never hold an access token: LINE's
// verify endpoint takes the token in its query string, and otelhttp
// records the whole URL as the span's url.full. RedactSpanURL replaces
// that attribute with the URL without its query, and strips the URL from
// the transport's errors, which a tracer would also record.
//
//	Transport: otelhttp.NewTransport(callback.RedactSpanURL(http.DefaultTransport),
//		otelhttp.WithSpanNameFormatter(callback.SpanName))
func RedactSpanURL(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return redactingTransport{next}
}

type redactingTransport struct{ next http.RoundTripper }

func (t redactingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if span := trace.SpanFromContext(r.Context()); span.IsRecording() && r.URL.RawQuery != "" {
		u := *r.URL
		u.RawQuery, u.User, u.Fragment = "", nil, ""
		span.SetAttributes(attribute.String("url.full", u.String()))
	}
	resp, err := t.next.RoundTrip(r)
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return resp, err
}
