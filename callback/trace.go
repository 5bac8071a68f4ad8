package callback

import (
	"errors"
	"net/http"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// startSpan starts the client span of the back-channel call r to LINE's
// endpoint op, and returns r under the span's context. The span records
// the URL without its query: the verify endpoint takes the access token
// there.
func (t *meteredTransport) startSpan(r *http.Request, op string) (*http.Request, trace.Span) {
	name := "LINE " + op
	if op == "" {
		name = "HTTP " + r.Method
	}
	ctx, span := t.tracer.Start(r.Context(), name, trace.WithSpanKind(trace.SpanKindClient))
	if !span.IsRecording() {
		// No SDK installed, or not sampled: spare the request's copy.
		return r, span
	}
	u := *r.URL
	u.RawQuery, u.User, u.Fragment = "", nil, ""
	span.SetAttributes(
		attribute.String("http.request.method", r.Method),
		attribute.String("url.full", u.String()),
		attribute.String("server.address", u.Hostname()),
	)
	return r.WithContext(ctx), span
}

// endSpan records the outcome of a call on its span and ends it. A
// transport's error is recorded without the URL that *url.Error carries.
func endSpan(span trace.Span, resp *http.Response, err error) {
	defer span.End()
	if !span.IsRecording() {
		return
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		span.SetStatus(codes.Error, err.Error())
		return
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 500 {
		span.SetStatus(codes.Error, resp.Status)
	}
}
