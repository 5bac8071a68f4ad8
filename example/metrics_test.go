package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestExample_MetricsOnTheirOwnListener: with METRICS_ADDR the example
// serves Prometheus metrics, named as DESIGN.md section 9 says, on that
// listener only; the public address has no /metrics.
func TestExample_MetricsOnTheirOwnListener(t *testing.T) {
	a, public, browser, platform := startExampleApp(t, "servemux", map[string]string{"METRICS_ADDR": "127.0.0.1:0"})
	if a.metrics == nil {
		t.Fatal("METRICS_ADDR set, but no metrics")
	}
	log := slog.New(slog.DiscardHandler)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsSrv := a.metrics.serve(ln, log)
	t.Cleanup(func() { metricsSrv.Close() })
	metricsURL := "http://" + ln.Addr().String() + "/metrics"

	// A login, a bearer call, and a refused token.
	if resp, _ := get(t, browser, public.URL+"/me", "text/html"); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	access, _ := platform.IssueAccessToken(platform.Users()[1].ID, []string{"profile"})
	for _, token := range []string{access, "refused-token"} {
		req, _ := http.NewRequest(http.MethodGet, public.URL+"/api/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	resp, err := http.Get(metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`^linelogin_login_started_total\{[^}]*\} 1$`,
		`^linelogin_login_finished_total\{[^}]*result="success"[^}]*\} 1$`,
		`^linelogin_bearer_checks_total\{[^}]*result="verified",source="access_token"[^}]*\} 1$`,
		`^linelogin_bearer_checks_total\{[^}]*result="invalid",source="access_token"[^}]*\} 1$`,
		`^linelogin_line_request_duration_seconds_count\{channel="[0-9]+",endpoint="token"[^}]*\} 1$`,
		`^linelogin_line_request_duration_seconds_count\{channel="[0-9]+",endpoint="verify"[^}]*\} 2$`,
		`^linelogin_line_request_duration_seconds_count\{channel="[0-9]+",endpoint="friendship"[^}]*\} 1$`,
		`^linelogin_line_request_duration_seconds_bucket\{channel="[0-9]+",endpoint="profile",[^}]*le="0.005"[^}]*\} \d+$`,
	} {
		if !regexp.MustCompile("(?m)" + want).MatchString(body) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, secret := range []string{access, platform.ChannelSecret(), "refused-token"} {
		if strings.Contains(body, secret) {
			t.Errorf("/metrics shows a token or secret")
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grepLines(body, "linelogin_"))
	}

	// Not on the public address.
	if resp, _ := get(t, http.DefaultClient, public.URL+"/metrics", "*/*"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("public /metrics: %d, want 404", resp.StatusCode)
	}
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
