package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/linelogin/linelogin/internal/testkit"
)

// Shared by every test, set up once by TestMain.
var (
	// exampleBin is the example app, built once for the run.
	exampleBin string
	// browserCtx is a chromedp context holding the one Chromium of the run;
	// each test opens its own browser context (cookie jar) from it.
	browserCtx context.Context
	// browserLog is Chromium's own output, shown when a test fails.
	browserLog testkit.Buffer
	// outDir is where screenshots go.
	outDir string
)

// chromiumPath is Debian's chromium, which make test installs.
func chromiumPath() string {
	if p := os.Getenv("E2E_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "linelogin-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer removeAllRetry(tmp)

	if outDir, err = filepath.Abs(filepath.Join("testdata", "out")); err == nil {
		// Fresh screenshots each run: stale ones would mislead.
		_ = os.RemoveAll(outDir)
		err = os.MkdirAll(outDir, 0o755)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: screenshot folder:", err)
		return 1
	}

	exampleBin = filepath.Join(tmp, "example")
	if err := buildExample(exampleBin); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}

	browser := chromiumPath()
	if _, err := os.Stat(browser); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: no Chromium at %s (run `make deps`, or apt-get install chromium): %v\n", browser, err)
		return 1
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		// This machine's network is closed: background fetches only get
		// refused connections and noise in the log.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1024, 768),
		chromedp.UserDataDir(filepath.Join(tmp, "chromium-profile")),
		chromedp.CombinedOutput(&browserLog),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	// The first Do starts the browser; it must have no timeout, since the
	// browser lives as long as the context of that call. A watchdog bounds
	// the start instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: starting %s: %v\n%s", browser, err, browserLog.String())
			return 1
		}
	case <-time.After(60 * time.Second):
		fmt.Fprintf(os.Stderr, "e2e: %s did not start within 60s\n%s", browser, browserLog.String())
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

// buildExample builds the example app, the module beside this one
// (../example), into bin.
func buildExample(bin string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("finding the go command: %w", err)
	}
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return fmt.Errorf("go env GOMOD: not inside the e2e module")
	}
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	cmd.Dir = filepath.Join(filepath.Dir(gomod), "..", "example")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ../example: %w\n%s", err, out)
	}
	return nil
}

// removeAllRetry removes dir; Chromium's helpers can still write in its
// profile for a moment after the browser stops.
func removeAllRetry(dir string) {
	for range 50 {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tail returns the last n bytes of s, for logs that can grow long.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// testTimeout bounds each scenario, so that a hang fails instead of
// blocking the whole run.
const testTimeout = 30 * time.Second

// deadline returns a context for t's browser steps: testTimeout, or less
// when go test's own -timeout comes first.
func deadline(t *testing.T, parent context.Context) (context.Context, context.CancelFunc) {
	d := time.Now().Add(testTimeout)
	if td, ok := t.Deadline(); ok && td.Add(-5*time.Second).Before(d) {
		d = td.Add(-5 * time.Second)
	}
	return context.WithDeadline(parent, d)
}
