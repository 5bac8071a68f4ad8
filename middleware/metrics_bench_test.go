package middleware

import (
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// BenchmarkMetricsBearerCheck is the cost of counting one bearer check
// with an SDK MeterProvider: what a bearer request pays for metrics (a
// session request pays nothing): an atomic increment, read at collection.
func BenchmarkMetricsBearerCheck(b *testing.B) {
	m, err := newMetrics(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())), "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.bearerChecked(SourceAccessToken, bearerCached)
	}
}
