package callback

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// meterName is the instrumentation scope of this module's metrics.
const meterName = "github.com/linelogin/linelogin"

// The endpoints of the back-channel calls: the values of the endpoint
// attribute of linelogin.line.request.duration and the names of the spans.
var endpoints = []string{"token", "verify", "profile", "revoke", "certs", "friendship", "deauthorize"}

type endpointKey struct{}

// withEndpoint marks the requests made under ctx as calls to LINE's
// endpoint op. A refresh is a call to the token endpoint.
func withEndpoint(ctx context.Context, op string) context.Context {
	if op == "refresh" {
		op = "token"
	}
	return context.WithValue(ctx, endpointKey{}, op)
}

// endpoint returns the LINE endpoint that r, a back-channel request, calls
// (one of endpoints); "" for any other request.
func endpoint(r *http.Request) string {
	op, _ := r.Context().Value(endpointKey{}).(string)
	return op
}

// meteredTransport times each back-channel call, until LINE's response
// headers arrive, into the request-duration histogram, and traces it.
type meteredTransport struct {
	next     http.RoundTripper
	tracer   trace.Tracer
	duration metric.Float64Histogram
	// opts holds one attribute set per endpoint (with the channel), built
	// once in a slice passed on with "...", so that a call records without
	// allocating.
	opts map[string][]metric.RecordOption
}

// newMeteredTransport returns the transport of a Client of channel, the
// value of the channel attribute: one per Client, so bounded by the
// channels the app configures.
func newMeteredTransport(next http.RoundTripper, mp metric.MeterProvider, tp trace.TracerProvider, channel string) (*meteredTransport, error) {
	if next == nil {
		next = http.DefaultTransport
	}
	h, err := mp.Meter(meterName).Float64Histogram("linelogin.line.request.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of the calls to the LINE Platform's back-channel endpoints, until the response headers."),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
	if err != nil {
		return nil, err
	}
	t := &meteredTransport{next: next, tracer: tp.Tracer(meterName), duration: h, opts: make(map[string][]metric.RecordOption, len(endpoints))}
	for _, op := range endpoints {
		set := attribute.NewSet(attribute.String("channel", channel), attribute.String("endpoint", op))
		t.opts[op] = []metric.RecordOption{metric.WithAttributeSet(set)}
	}
	return t, nil
}

func (t *meteredTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	op := endpoint(r)
	r, span := t.startSpan(r, op)
	start := time.Now() // a duration: the monotonic clock, never the Client's clock
	resp, err := t.next.RoundTrip(r)
	endSpan(span, resp, err)
	if opt, ok := t.opts[op]; ok {
		t.duration.Record(r.Context(), time.Since(start).Seconds(), opt...)
	}
	return resp, err
}
