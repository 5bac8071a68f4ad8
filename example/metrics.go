package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// metricsExporter is the example's OpenTelemetry MeterProvider, read by
// the Prometheus exporter into a registry of its own, and the handler
// that serves it at METRICS_ADDR/metrics.
type metricsExporter struct {
	provider *sdkmetric.MeterProvider
	handler  http.Handler
}

func newMetricsExporter() (*metricsExporter, error) {
	// A registry of the example's own rather than Prometheus's global one:
	// nothing else in the process can add to (or clash with) it.
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	return &metricsExporter{
		provider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter)),
		handler:  mux,
	}, nil
}

// serve answers /metrics on ln, a listener of its own: the metrics never
// share the public address, so they can stay on a private interface.
func (m *metricsExporter) serve(ln net.Listener, log *slog.Logger) *http.Server {
	srv := newServer(m.handler, defaultTimeouts)
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "error", err)
		}
	}()
	return srv
}

// Shutdown stops the provider (and the exporter with it).
func (m *metricsExporter) Shutdown(ctx context.Context) error { return m.provider.Shutdown(ctx) }

// meterProvider is the provider to give the middleware: nil (the global
// one, which records nothing here) when metrics are off.
func (m *metricsExporter) meterProvider() metric.MeterProvider {
	if m == nil {
		return nil
	}
	return m.provider
}
