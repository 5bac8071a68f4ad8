package middleware_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// Metrics and an audit log: give Config an OpenTelemetry MeterProvider
// (here read by a ManualReader; in production one with an exporter, such
// as go.opentelemetry.io/otel/exporters/prometheus, as the example app
// does) and an OnEvent hook. Event.Reason names why a login failed.
func Example_metricsAndAuditLog() {
	platform := linetest.NewServer(nil, linetest.Config{AutoApprove: linetest.DefaultUsers()[0].ID})
	defer platform.Close()
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer srv.Close()

	reader := sdkmetric.NewManualReader()
	audit := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch {
			case a.Key == slog.TimeKey:
				return slog.Attr{} // deterministic output for this example
			case a.Key == "user" && a.Value.String() != "":
				return slog.String("user", a.Value.String()[:1]+"…") // likewise
			}
			return a
		},
	}))
	line, err := platform.CallbackConfig(srv.URL + "/callback") // registers the callback URL
	if err != nil {
		panic(err)
	}
	auth, err := middleware.New(middleware.Config{
		LINE:          line,
		Session:       middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}},
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
		OnEvent: func(ctx context.Context, e middleware.Event) {
			audit.InfoContext(ctx, "audit", "event", e.Kind, "user", e.UserID, "reason", e.Reason)
		},
	})
	if err != nil {
		panic(err)
	}
	h = auth.Handler(auth.RequireLINEUser(http.HandlerFunc(hello)))

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	for _, path := range []string{
		"/", // logs in through LINE
		"/callback?state=0123456789abcdef0123456789abcdef", // a stale callback
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept", "text/html")
		if resp, err := browser.Do(req); err == nil {
			resp.Body.Close()
		}
	}

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
			for _, dp := range sum.DataPoints {
				result, _ := dp.Attributes.Value("result")
				reason, _ := dp.Attributes.Value("reason")
				fmt.Println(m.Name, result.String(), reason.String(), dp.Value)
			}
		}
	}
	// Unordered output:
	// level=INFO msg=audit event=login user=U… reason=""
	// level=INFO msg=audit event=failure user="" reason=state
	// linelogin.login.started   1
	// linelogin.login.finished success  1
	// linelogin.login.finished failure state 1
}
