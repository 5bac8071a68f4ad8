package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/testkit"
)

// sessionKeys is the app's SESSION_KEYS: fixed, so that a test can tell a
// cookie under these keys from one under another key.
const sessionKeys = "ZTJlLXRlc3RzLWZpeGVkLXNlc3Npb24ta2V5LTMyYiE="

// foreignSessionKeys is another valid key, for a cookie the app never issued.
const foreignSessionKeys = "Zm9yZWlnbi1rZXktbm90LXRoZS1hcHBzLW93bi0zMmI="

// appOptions choose how the example runs.
type appOptions struct {
	Router       string // -router: servemux (default), chi or gorillamux
	ResponseMode string // LINE_RESPONSE_MODE: query (default) or form_post
	SessionKeys  string // SESSION_KEYS; sessionKeys by default
	MetricsAddr  string // METRICS_ADDR; no metrics by default
	RedisURL     string // REDIS_URL; sessions in cookies by default
}

// app is one running example process in demo mode.
type app struct {
	URL      string // http://localhost:<port>
	LineURL  string // the embedded linetest, http://127.0.0.1:<port>
	Router   string
	log      testkit.Buffer
	cmd      *exec.Cmd
	exited   chan struct{}
	stopOnce bool
}

// startApp runs the example with opts until stop.
func startApp(t *testing.T, opts appOptions) *app {
	t.Helper()
	if opts.Router == "" {
		opts.Router = "servemux"
	}
	if opts.SessionKeys == "" {
		opts.SessionKeys = sessionKeys
	}
	port := freePort(t)
	a := &app{
		// localhost, not 127.0.0.1: linetest listens on 127.0.0.1, and the
		// two must be different sites, as the app and LINE are in
		// production (browsers apply SameSite by site, and ports do not
		// make a new site).
		URL:    fmt.Sprintf("http://localhost:%d", port),
		Router: opts.Router,
		exited: make(chan struct{}),
	}
	env := []string{
		fmt.Sprintf("ADDR=localhost:%d", port),
		"SESSION_KEYS=" + opts.SessionKeys,
		"DATABASE_PATH=" + filepath.Join(t.TempDir(), "accounts.db"),
	}
	if opts.ResponseMode != "" {
		env = append(env, "LINE_RESPONSE_MODE="+opts.ResponseMode)
	}
	if opts.MetricsAddr != "" {
		env = append(env, "METRICS_ADDR="+opts.MetricsAddr)
	}
	if opts.RedisURL != "" {
		env = append(env, "REDIS_URL="+opts.RedisURL)
	}
	a.cmd = exec.Command(exampleBin, "-router="+opts.Router)
	a.cmd.Env = append(cleanEnv(), env...)
	a.cmd.Stdout = &a.log
	a.cmd.Stderr = &a.log
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("starting the example: %v", err)
	}
	go func() {
		_ = a.cmd.Wait()
		close(a.exited)
	}()
	if err := a.waitHealthy(10 * time.Second); err != nil {
		a.stop()
		t.Fatalf("the example (%s) did not come up: %v\napp log:\n%s", opts.Router, err, a.log.String())
	}
	m := regexp.MustCompile(`fake LINE Platform at (http://[^\s"]+)`).FindStringSubmatch(a.log.String())
	if m == nil {
		a.stop()
		t.Fatalf("the example did not log the URL of its embedded linetest (demo mode?)\napp log:\n%s", a.log.String())
	}
	a.LineURL = m[1]
	if u, err := url.Parse(a.LineURL); err != nil || u.Hostname() != "127.0.0.1" {
		a.stop()
		t.Fatalf("the embedded linetest is at %s, want host 127.0.0.1: another site than the app on localhost", a.LineURL)
	}
	return a
}

// cleanEnv is the test's environment without the variables the example
// reads, so that a developer's LINE_CHANNEL_ID cannot leave demo mode.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "LINE_"), name == "ADDR", name == "BASE_URL",
			name == "SESSION_KEYS", name == "REDIS_URL", name == "DATABASE_PATH", name == "METRICS_ADDR":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// freePort returns a TCP port that was free a moment ago on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (a *app) waitHealthy(limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	end := time.Now().Add(limit)
	var last error
	for time.Now().Before(end) {
		select {
		case <-a.exited:
			return fmt.Errorf("the process exited: %v", a.cmd.ProcessState)
		default:
		}
		resp, err := client.Get(a.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("/healthz: %s", resp.Status)
		}
		last = err
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("no healthy /healthz within %s: %v", limit, last)
}

// stop ends the process: SIGINT for a clean shutdown, then SIGKILL.
func (a *app) stop() {
	if a.stopOnce {
		return
	}
	a.stopOnce = true
	_ = a.cmd.Process.Signal(os.Interrupt)
	select {
	case <-a.exited:
	case <-time.After(5 * time.Second):
		_ = a.cmd.Process.Kill()
		<-a.exited
	}
}

// codeParam is any "code=" in a log: a callback URL's query, or an
// attribute named code (or ending in code) that may hold one.
var codeParam = regexp.MustCompile(`code=`)

// checkLog fails t when the app's log holds any of the secrets the browser
// saw (cookie values, authorization codes) or a "code=" at all. It also
// fails on a panic.
func (a *app) checkLog(t *testing.T, secrets []string) {
	t.Helper()
	log := a.log.String()
	for _, line := range strings.Split(log, "\n") {
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("the app's log holds a secret the browser saw (%.12s…): %s", s, line)
			}
		}
		if codeParam.MatchString(line) {
			t.Errorf("the app's log holds %q: %s", "code=", line)
		}
		if strings.Contains(line, "panic") {
			t.Errorf("the app's log shows a panic: %s", line)
		}
	}
}
