package callback

import (
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// An Option changes how New builds a Client: what a Client observes and
// which clock it reads, as opposed to the channel it logs in with
// (Config). middleware.New passes its own Config.Now and MeterProvider
// this way, so that each is set in one place.
type Option func(*Client)

// WithClock makes now the Client's clock for everything it dates or
// checks: token expiry, ID token exp, iat and auth_time, the JWKS
// cooldown. time.Now by default; tests pass a clock they move instead of
// sleeping. A nil now keeps the default.
func WithClock(now func() time.Time) Option {
	return func(c *Client) {
		if now != nil {
			c.now = now
		}
	}
}

// WithMeterProvider makes mp receive the duration of every back-channel
// call, as the histogram linelogin.line.request.duration (seconds;
// Prometheus: linelogin_line_request_duration_seconds) with the attributes
// endpoint (token, verify, profile, revoke, certs, friendship or
// deauthorize) and channel, the Client's own Config.ChannelID (also for
// the calls about Config.ExtraChannels). By default the global otel.GetMeterProvider(), which
// records nothing until the app installs an SDK MeterProvider. A nil mp
// keeps the default.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *Client) {
		if mp != nil {
			c.meters = mp
		}
	}
}

// WithTracerProvider makes tp trace every back-channel call, one client
// span per call named after LINE's endpoint ("LINE token", "LINE verify",
// ...), with the URL recorded without its query: LINE's verify endpoint
// takes the access token in its query string, which must never reach a
// trace. By default the global otel.GetTracerProvider(), which records
// nothing until the app installs an SDK TracerProvider. A nil tp keeps
// the default.
//
// This is the way to trace the calls: a tracing transport in
// Config.HTTPClient (otelhttp, say) would record the whole URL, access
// token included.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *Client) {
		if tp != nil {
			c.tracers = tp
		}
	}
}
