package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// scenario is one test's world: the app, the browser tabs (sharing one
// cookie jar of their own), and a deadline for every browser step.
type scenario struct {
	t    *testing.T
	app  *app   // the app under test
	apps []*app // app, and any other the test started
	tabs []*tab
	ctx  context.Context // the deadline of the test's steps
}

// start runs the example with opts and opens a tab in a fresh browser
// context. Its cleanup screenshots every tab, checks the app's log and
// stops the app.
func start(t *testing.T, opts appOptions) (*scenario, *tab) {
	t.Helper()
	if browserCtx == nil {
		t.Fatal("no browser: TestMain did not run")
	}
	s := &scenario{t: t}
	ctx, cancel := deadline(t, context.Background())
	s.ctx = ctx
	s.app = s.startApp(opts)
	t.Cleanup(func() {
		s.finish()
		cancel()
	})
	// A new browser context: an empty cookie jar, like a fresh profile.
	tabCtx, closeTab := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	return s, s.openTab(tabCtx, closeTab)
}

// startApp runs an example for the scenario; finish stops it and checks
// its log.
func (s *scenario) startApp(opts appOptions) *app {
	s.t.Helper()
	a := startApp(s.t, opts)
	s.apps = append(s.apps, a)
	return a
}

// newTab opens another tab in the same browser context as from: the same
// cookies, as a second tab of one browser window has.
func (s *scenario) newTab(from *tab) *tab {
	s.t.Helper()
	tabCtx, closeTab := chromedp.NewContext(from.tabCtx)
	return s.openTab(tabCtx, closeTab)
}

// openTab attaches tabCtx, a context from chromedp.NewContext, and starts
// recording its network events.
func (s *scenario) openTab(tabCtx context.Context, closeTab context.CancelFunc) *tab {
	s.t.Helper()
	tb := &tab{s: s, n: len(s.tabs) + 1, closeTab: closeTab}
	tb.tabCtx = tabCtx
	// The tab lives as long as the first Run's context: give it none (the
	// test's cleanup closes it), and bound the call with a watchdog.
	opened := make(chan error, 1)
	go func() { opened <- chromedp.Do(tabCtx) }()
	select {
	case err := <-opened:
		if err != nil {
			closeTab()
			s.t.Fatalf("opening a browser tab: %v", err)
		}
	case <-s.ctx.Done():
		closeTab()
		s.t.Fatalf("opening a browser tab: %v\nchromium log:\n%s", s.ctx.Err(), tail(browserLog.String(), 4000))
	}
	if err := chromedp.Listen(tabCtx, tb.record); err != nil {
		closeTab()
		s.t.Fatalf("listening to the tab's events: %v", err)
	}
	// Steps run on ctx: the tab, with the test's deadline.
	tb.ctx = mergeDeadline(tabCtx, s.ctx)
	s.tabs = append(s.tabs, tb)
	return tb
}

// mergeDeadline returns tabCtx bounded by the deadline of limit.
func mergeDeadline(tabCtx, limit context.Context) context.Context {
	d, ok := limit.Deadline()
	if !ok {
		return tabCtx
	}
	ctx, cancel := context.WithDeadline(tabCtx, d)
	context.AfterFunc(tabCtx, cancel)
	return ctx
}

// finish runs when the test ends, whatever its result.
func (s *scenario) finish() {
	t := s.t
	var secrets []string
	for _, tb := range s.tabs {
		path, err := tb.screenshot("")
		switch {
		case err != nil:
			t.Errorf("screenshot of tab %d's final page: %v", tb.n, err)
		case t.Failed():
			t.Logf("screenshot of tab %d's final page: %s", tb.n, path)
		}
		secrets = append(secrets, tb.secrets()...)
		if t.Failed() {
			t.Logf("tab %d's navigations:\n%s", tb.n, tb.history())
		}
	}
	for i := len(s.tabs) - 1; i >= 0; i-- {
		s.tabs[i].closeTab()
	}
	for _, a := range s.apps {
		a.stop()
		a.checkLog(t, secrets)
	}
	for _, tb := range s.tabs {
		for _, d := range tb.documents() {
			if d.status >= 500 {
				t.Errorf("tab %d got a %d for %s", tb.n, d.status, d.url)
			}
		}
	}
	if t.Failed() {
		for _, a := range s.apps {
			t.Logf("log of the app at %s (%s):\n%s", a.URL, a.Router, tail(a.log.String(), 8000))
		}
	}
}

// tab is one browser tab, with what it saw on the network.
type tab struct {
	s        *scenario
	n        int
	tabCtx   context.Context // the tab itself, with no deadline
	ctx      context.Context // the tab, with the test's deadline
	closeTab context.CancelFunc

	mu         sync.Mutex
	reqURLs    map[network.RequestID]string
	docs       []document
	setCookies []string // every Set-Cookie line the tab received
	blocked    []string // cookies the browser refused to store or send
	postBodies []string // bodies of the document POSTs
}

// document is one document request the tab made, redirects included.
type document struct {
	method string
	url    string
	status int64 // 0 until a response arrives; 3xx for a redirect
}

// record runs in the tab's event loop: it must be quick and call nothing.
func (tb *tab) record(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.reqURLs == nil {
		tb.reqURLs = map[network.RequestID]string{}
	}
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.RedirectResponse != nil && ev.Type == network.ResourceTypeDocument {
			tb.setStatus(ev.RedirectResponse.URL, ev.RedirectResponse.Status)
		}
		tb.reqURLs[ev.RequestID] = ev.Request.URL
		if ev.Type == network.ResourceTypeDocument {
			tb.docs = append(tb.docs, document{method: ev.Request.Method, url: ev.Request.URL})
			for _, e := range ev.Request.PostDataEntries {
				tb.postBodies = append(tb.postBodies, string(e.Bytes))
			}
		}
	case *network.EventResponseReceived:
		if ev.Type == network.ResourceTypeDocument {
			tb.setStatus(ev.Response.URL, ev.Response.Status)
		}
	case *network.EventResponseReceivedExtraInfo:
		for k, v := range ev.Headers {
			if s, ok := v.(string); ok && strings.EqualFold(k, "Set-Cookie") {
				tb.setCookies = append(tb.setCookies, strings.Split(s, "\n")...)
			}
		}
		for _, b := range ev.BlockedCookies {
			tb.blocked = append(tb.blocked, fmt.Sprintf("not stored from %s: %s %v", tb.reqURLs[ev.RequestID], b.CookieLine, b.BlockedReasons))
		}
	case *network.EventRequestWillBeSentExtraInfo:
		for _, c := range ev.AssociatedCookies {
			if len(c.BlockedReasons) > 0 && c.Cookie != nil {
				tb.blocked = append(tb.blocked, fmt.Sprintf("not sent to %s: %s %v", tb.reqURLs[ev.RequestID], c.Cookie.Name, c.BlockedReasons))
			}
		}
	}
}

// setStatus records the status of the latest request for rawURL. The caller
// holds tb.mu.
func (tb *tab) setStatus(rawURL string, status int64) {
	for i := len(tb.docs) - 1; i >= 0; i-- {
		if tb.docs[i].url == rawURL && tb.docs[i].status == 0 {
			tb.docs[i].status = status
			return
		}
	}
}

func (tb *tab) documents() []document {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return slices.Clone(tb.docs)
}

// history lists the document requests, for a failure's log.
func (tb *tab) history() string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var b strings.Builder
	for _, d := range tb.docs {
		fmt.Fprintf(&b, "  %-4s %3d %s\n", d.method, d.status, redact(d.url))
	}
	for _, bl := range tb.blocked {
		fmt.Fprintf(&b, "  cookie %s\n", bl)
	}
	return b.String()
}

// redact shortens long query values, so that logs stay readable.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	q := u.Query()
	for k, vs := range q {
		for i, v := range vs {
			if len(v) > 24 {
				vs[i] = v[:8] + "…"
			}
		}
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// secrets returns what must never reach the app's log: the values of the
// cookies the app set, and the authorization codes LINE sent back.
func (tb *tab) secrets() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []string
	for _, line := range tb.setCookies {
		c, err := http.ParseSetCookie(line)
		if err == nil && len(c.Value) >= 8 {
			out = append(out, c.Value)
		}
	}
	addCode := func(q url.Values) {
		if c := q.Get("code"); c != "" {
			out = append(out, c)
		}
	}
	for _, d := range tb.docs {
		if u, err := url.Parse(d.url); err == nil {
			addCode(u.Query())
		}
	}
	for _, body := range tb.postBodies {
		if q, err := url.ParseQuery(body); err == nil {
			addCode(q)
		}
	}
	return out
}

// setCookieLines returns the Set-Cookie lines received for cookies whose
// name starts with prefix.
func (tb *tab) setCookieLines(prefix string) []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []string
	for _, line := range tb.setCookies {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return out
}

// page is what waitPage found: which of the known pages is showing.
type page struct {
	// Landmark is the id that tells the page: "name" (/me), "greeting"
	// (home, logged in), "login" (home, logged out), "error" (the
	// middleware's error page), "deny" (linetest's consent page),
	// "message" (linetest's own error page), "account" and
	// "account-login" (the app's own account pages), "problem" (the
	// example's own 404 and 409 pages), "auth-time" (/me/security), "email"
	// and "email-declined" (/me/email), or "" for anything else.
	Landmark string `json:"landmark"`
	URL      string `json:"url"`
	Title    string `json:"title"`
	Text     string `json:"text"`
}

func (p *page) path() string {
	u, err := url.Parse(p.URL)
	if err != nil {
		return p.URL
	}
	return u.RequestURI()
}

func (p *page) host() string {
	u, err := url.Parse(p.URL)
	if err != nil {
		return ""
	}
	return u.Host
}

// pageJS reports the page once it has loaded, and not while the page that
// markJS marked is still showing.
const pageJS = `(() => {
	if (window.__e2eOld || document.readyState !== "complete") return null;
	const ids = ["error", "name", "greeting", "login", "deny", "message", "account", "account-login", "problem", "auth-time", "email", "email-declined"];
	const landmark = ids.find(id => document.getElementById(id)) || "";
	const text = document.body ? document.body.innerText : "";
	return {landmark, url: location.href, title: document.title, text: text.slice(0, 800)};
})()`

const markJS = `window.__e2eOld = true`

// goTo opens rawURL (relative to the app) and waits for a known page.
func (tb *tab) goTo(rawURL string, want string) *page {
	tb.s.t.Helper()
	if strings.HasPrefix(rawURL, "/") {
		rawURL = tb.s.app.URL + rawURL
	}
	return tb.act(fmt.Sprintf("opening %s", rawURL), chromedp.Navigate(rawURL), want)
}

// click clicks the element with id like a person would (the mouse, at its
// centre) and waits for the next page.
func (tb *tab) click(id string, want string) *page {
	tb.s.t.Helper()
	return tb.act("clicking #"+id, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return chromedp.Click(chromedp.ID(id), chromedp.NodeVisible)(ctx, t)
	}, want)
}

// act runs action, which should load another page, and waits for the page;
// the test fails unless its landmark is want.
func (tb *tab) act(what string, action chromedp.Action[chromedp.Void], want string) *page {
	tb.s.t.Helper()
	_ = chromedp.Do(tb.ctx, chromedp.Evaluate[chromedp.Void](markJS))
	if err := chromedp.Do(tb.ctx, action); err != nil {
		tb.fatalf("%s: %v", what, err)
	}
	p, err := tb.waitPage(10 * time.Second)
	if err != nil {
		tb.fatalf("%s: %v", what, err)
	}
	if p.Landmark != want {
		tb.fatalf("%s: got %s, want the page with #%s\n  title: %q\n  text: %q", what, p.describe(), want, p.Title, p.Text)
	}
	return p
}

func (p *page) describe() string {
	if p.Landmark == "" {
		return fmt.Sprintf("an unknown page at %s", redact(p.URL))
	}
	return fmt.Sprintf("the page with #%s at %s", p.Landmark, redact(p.URL))
}

// back presses the browser's Back button and returns the page it shows,
// whether it came from the network or from the back/forward cache.
func (tb *tab) back() *page {
	tb.s.t.Helper()
	from := eval[string](tb, `location.href`)
	if err := chromedp.Do(tb.ctx, chromedp.Evaluate[chromedp.Void](`history.back()`)); err != nil {
		tb.fatalf("going back: %v", err)
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	js := strings.Replace(pageJS, "window.__e2eOld || ", fmt.Sprintf("location.href === %q || ", from), 1)
	for {
		p, err := chromedp.Run(ctx, chromedp.Evaluate[*page](js))
		if err == nil && p != nil && p.Landmark != "" {
			return p
		}
		select {
		case <-ctx.Done():
			tb.fatalf("going back from %s: no page within 10s", redact(from))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitPage waits until a new page has loaded. A loaded page with no
// landmark is given a moment (linetest's form_post page submits itself)
// before it is returned.
func (tb *tab) waitPage(limit time.Duration) (*page, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, limit)
	defer cancel()
	var unknownSince time.Time
	for {
		p, err := chromedp.Run(ctx, chromedp.Evaluate[*page](pageJS))
		switch {
		case err == nil && p != nil && p.Landmark != "":
			return p, nil
		case err == nil && p != nil && !strings.HasPrefix(p.URL, "about:"):
			if unknownSince.IsZero() {
				unknownSince = time.Now()
			} else if time.Since(unknownSince) > 2*time.Second {
				return p, nil
			}
		case ctx.Err() != nil:
			return nil, fmt.Errorf("no new page within %s: %w", limit, context.Cause(ctx))
		}
		// An error here is usually a page unloading under the script.
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// text returns the text of the element with id on the current page.
func (tb *tab) text(id string) string {
	tb.s.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[*string](fmt.Sprintf(`(() => { const e = document.getElementById(%q); return e ? e.textContent : null; })()`, id)))
	if err != nil {
		tb.fatalf("reading #%s: %v", id, err)
	}
	if s == nil {
		tb.fatalf("the page has no #%s", id)
	}
	return strings.TrimSpace(*s)
}

// has reports whether the current page has an element with id.
func (tb *tab) has(id string) bool {
	tb.s.t.Helper()
	ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById(%q) !== null`, id)))
	if err != nil {
		tb.fatalf("looking for #%s: %v", id, err)
	}
	return ok
}

// eval evaluates a JavaScript expression on the current page.
func eval[T any](tb *tab, expr string) T {
	tb.s.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// cookies returns the browser's cookies for the app.
func (tb *tab) cookies() []*network.Cookie {
	tb.s.t.Helper()
	res, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{tb.s.app.URL + "/"}})
	if err != nil {
		tb.fatalf("reading the cookies: %v", err)
	}
	return res.Cookies
}

// cookie returns the app's cookie called name, or nil.
func (tb *tab) cookie(name string) *network.Cookie {
	tb.s.t.Helper()
	for _, c := range tb.cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// setCookie stores c in the browser as if the app had set it.
func (tb *tab) setCookie(c *network.Cookie) {
	tb.s.t.Helper()
	_, err := chromedp.Call(tb.ctx, network.SetCookie, network.SetCookieParams{
		Name:     c.Name,
		Value:    c.Value,
		URL:      tb.s.app.URL + "/",
		Path:     c.Path,
		Secure:   &c.Secure,
		HTTPOnly: &c.HTTPOnly,
		SameSite: c.SameSite,
	})
	if err != nil {
		tb.fatalf("setting the cookie %s: %v", c.Name, err)
	}
}

// shotPath is where the screenshot with label goes.
func (tb *tab) shotPath(label string) string {
	name := strings.NewReplacer("/", "_", " ", "_").Replace(tb.s.t.Name())
	if tb.n > 1 {
		name += fmt.Sprintf("-tab%d", tb.n)
	}
	if label != "" {
		name += "-" + label
	}
	return filepath.Join(outDir, name+".png")
}

// screenshot saves the whole page as a PNG and returns its
// path. It does not need the test's deadline, so that a test that timed
// out still shows where it was.
func (tb *tab) screenshot(label string) (string, error) {
	ctx, cancel := context.WithTimeout(tb.tabCtx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG, the whole page
	if err != nil {
		return "", err
	}
	path := tb.shotPath(label)
	return path, os.WriteFile(path, png, 0o644)
}

// shot saves a screenshot of a page on the way.
func (tb *tab) shot(label string) {
	tb.s.t.Helper()
	if _, err := tb.screenshot(label); err != nil {
		tb.s.t.Errorf("screenshot %s: %v", label, err)
	}
}

// fatalf fails the test, naming the screenshot of the page it stopped on.
func (tb *tab) fatalf(format string, args ...any) {
	tb.s.t.Helper()
	tb.s.t.Fatalf(format+"\n  screenshot of the final page: %s", append(args, tb.shotPath(""))...)
}

// errorf reports a failure, naming the screenshot of the final page.
func (tb *tab) errorf(format string, args ...any) {
	tb.s.t.Helper()
	tb.s.t.Errorf(format+"\n  screenshot of the final page: %s", append(args, tb.shotPath(""))...)
}
