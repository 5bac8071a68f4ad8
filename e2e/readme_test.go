package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

// walkthroughStep is one step of the README's walkthrough: shell commands
// and the output the README shows for them, or a login in the browser.
type walkthroughStep struct {
	commands, output string
	// loginUser logs in with LINE in the browser, and /me must then show
	// loginAccount as the user's account.
	loginUser, loginAccount string
	line                    int // where in README.md
}

// walkthroughMarks are the README's marks: a fenced block of commands
// ("```sh walkthrough"), its output ("```<lang> walkthrough-output"), and a
// browser login ("<!-- walkthrough-login: <user> <account> -->").
var walkthroughMarks = regexp.MustCompile("(?ms)^```sh walkthrough\\n(.*?)^```\\n\\s*^```\\w+ walkthrough-output\\n(.*?)^```$|^<!-- walkthrough-login: (\\S+) (\\S+) -->$")

// readWalkthrough returns the steps of the walkthrough in ../README.md.
func readWalkthrough(t *testing.T) []walkthroughStep {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var steps []walkthroughStep
	for _, m := range walkthroughMarks.FindAllSubmatchIndex(readme, -1) {
		part := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return string(readme[m[2*i]:m[2*i+1]])
		}
		steps = append(steps, walkthroughStep{
			commands: part(1), output: part(2), loginUser: part(3), loginAccount: part(4),
			line: bytes.Count(readme[:m[0]], []byte("\n")) + 1,
		})
	}
	if n := bytes.Count(readme, []byte("```sh walkthrough\n")); n == 0 || n != countCommands(steps) {
		t.Fatalf("README.md has %d walkthrough command blocks, %d of them with their output next: each needs one", n, countCommands(steps))
	}
	return steps
}

func countCommands(steps []walkthroughStep) int {
	n := 0
	for _, s := range steps {
		if s.commands != "" {
			n++
		}
	}
	return n
}

// TestREADMEWalkthrough runs each command of the README's walkthrough with
// bash and curl against a fresh example (localhost:8080 and 127.0.0.1:PORT
// replaced by its addresses), compares what they print with the README,
// and does its browser logins: the README cannot drift from the example.
func TestREADMEWalkthrough(t *testing.T) {
	steps := readWalkthrough(t)
	s, tb := start(t, appOptions{})
	m := regexp.MustCompile(`and (http://\S+) \(API host\)`).FindStringSubmatch(s.app.log.String())
	if m == nil {
		t.Fatalf("the example did not log its fake LINE Platform's API host:\n%s", s.app.log.String())
	}
	lineAPI := m[1]
	appHost := strings.TrimPrefix(s.app.URL, "http://")
	dir := t.TempDir() // cookies.txt goes there
	anyLinetest := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	users := map[string]linetest.User{}
	for _, u := range linetest.DefaultUsers() {
		users[u.DisplayName] = u
	}
	for _, step := range steps {
		if step.loginUser != "" {
			user, ok := users[step.loginUser]
			if !ok {
				t.Fatalf("README.md:%d: no test user %q", step.line, step.loginUser)
			}
			tb.goTo("/", "login")
			consent(tb, tb.click("login", "deny"))
			checkMe(tb, pickUser(tb, user), user, "/me")
			if got := tb.text("account-id"); got != step.loginAccount {
				tb.errorf("README.md:%d: after logging in as %s, /me shows account %q, want %q", step.line, step.loginUser, got, step.loginAccount)
			}
			continue
		}
		script := strings.NewReplacer("localhost:8080", appHost, "http://127.0.0.1:PORT", lineAPI).Replace(step.commands)
		cmd := exec.CommandContext(s.ctx, "bash", "-euo", "pipefail", "-c", script)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("README.md:%d: %v\n%s\n%s", step.line, err, step.commands, stderr.String())
			continue
		}
		got := strings.ReplaceAll(anyLinetest.ReplaceAllString(string(out), "http://127.0.0.1:PORT"), appHost, "localhost:8080")
		if strings.TrimSpace(got) != strings.TrimSpace(step.output) {
			t.Errorf("README.md:%d:\n%s\nprints:\n%s\nthe README says:\n%s", step.line, step.commands, got, step.output)
		}
	}
}

// TestREADMERoutesAreServed: every route the README's list of the
// example's routes names is served (no 404, no 405), so that the list
// cannot name a route the example lacks.
func TestREADMERoutesAreServed(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	para := regexp.MustCompile("(?s)\nRoutes: `GET /`.*?-router=gorillamux").Find(readme)
	if para == nil {
		t.Fatal("README.md has no list of the example's routes (\"Routes: `GET /`…\")")
	}
	routes := regexp.MustCompile("`((?:GET|POST)(?:\\|(?:GET|POST))*) (/[^`?\\s]*)").FindAllSubmatch(para, -1)
	if len(routes) < 12 {
		t.Fatalf("README.md's route list names %d routes: %s", len(routes), para)
	}
	a := startApp(t, appOptions{})
	t.Cleanup(a.stop)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, r := range routes {
		for _, method := range strings.Split(string(r[1]), "|") {
			req, _ := http.NewRequest(method, a.URL+string(r[2]), nil)
			req.Header.Set("Origin", a.URL)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if method == http.MethodPost && string(r[2]) == "/callback" && resp.StatusCode == http.StatusMethodNotAllowed {
				continue // LINE posts the callback only in the form_post modes, as the README says
			}
			if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
				t.Errorf("README.md lists %s %s; the example answers %d", method, r[2], resp.StatusCode)
			}
		}
	}
}
