package e2e

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"testing"
)

// TestMetricsOnTheirOwnListener: the example started with METRICS_ADDR
// counts a login done in the browser, on that address only.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s, tb := start(t, appOptions{MetricsAddr: metricsAddr})
	tb.goTo("/", "login")
	consent(tb, tb.click("login", "deny"))
	checkMe(tb, pickUser(tb, brown), brown, "/me")

	scrape := func(u string) (int, string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := scrape("http://" + metricsAddr + "/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics on METRICS_ADDR: %d", status)
	}
	for _, want := range []string{
		`(?m)^linelogin_login_started_total\{[^}]*\} 1$`,
		`(?m)^linelogin_login_finished_total\{[^}]*result="success"[^}]*\} 1$`,
		`(?m)^linelogin_line_request_duration_seconds_count\{channel="[0-9]+",endpoint="token"[^}]*\} 1$`,
	} {
		if !regexp.MustCompile(want).MatchString(body) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if status, _ := scrape(s.app.URL + "/metrics"); status != http.StatusNotFound {
		t.Errorf("/metrics on the public address: %d, want 404", status)
	}
}
