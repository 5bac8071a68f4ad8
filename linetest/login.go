package linetest

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Login logs in at an app as c says, in one call: a new client with its own
// cookie jar opens loginURL, the app's page that starts a LINE
// login (such as "/login?return_to=/me"), and follows the app and the
// platform as a browser would, submitting the platform's form_post page
// where a browser's script would. It returns the client, which now holds
// the app's session cookie, and the app's last response, whose body the
// caller reads and closes.
func (p *Platform) Login(ctx context.Context, loginURL string, c Consent) (*http.Client, *http.Response, error) {
	client, err := p.clientFor(c)
	if err != nil {
		return nil, nil, err
	}
	res, err := p.browse(ctx, client, http.MethodGet, loginURL, nil)
	if err != nil {
		return nil, nil, err
	}
	return client, res, nil
}

// formPostPattern finds the platform's form_post page: the form, and each
// hidden input. The page is the platform's own, so its shape is known.
var (
	formPostAction = regexp.MustCompile(`<form method="post" action="([^"]*)" id="response">`)
	formPostInput  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// browse sends a request with client and follows redirects, submitting the
// platform's form_post pages (response_mode form_post and form_post.jwt)
// as a browser's script would, and returns the last response. body, when
// not nil, is sent form-encoded with method POST.
func (p *Platform) browse(ctx context.Context, client *http.Client, method, target string, body url.Values) (*http.Response, error) {
	for range 4 { // at most a few form_post hops; one is usual
		var rd io.Reader
		if body != nil {
			rd = strings.NewReader(body.Encode())
		}
		req, err := http.NewRequestWithContext(ctx, method, target, rd)
		if err != nil {
			return nil, fmt.Errorf("linetest: browse: %w", err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Accept", "text/html")
		res, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("linetest: browse: %w", err)
		}
		action, form, ok := p.formPost(res)
		if !ok {
			return res, nil
		}
		method, target, body = http.MethodPost, action, form
	}
	return nil, fmt.Errorf("linetest: browse: too many form_post pages")
}

// formPost reads res when it is the platform's form_post page, returning
// the form's action and fields; any other response is left unread.
func (p *Platform) formPost(res *http.Response) (action string, form url.Values, ok bool) {
	if res.Request == nil || res.StatusCode != http.StatusOK ||
		res.Request.URL.Scheme+"://"+res.Request.URL.Host != p.AccessURL() ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		return "", nil, false
	}
	page, err := io.ReadAll(io.LimitReader(res.Body, maxBodyBytes))
	res.Body.Close()
	m := formPostAction.FindSubmatch(page)
	if err != nil || m == nil {
		// Another page of the platform, such as its error page: hand it
		// back, readable again.
		res.Body = io.NopCloser(strings.NewReader(string(page)))
		return "", nil, false
	}
	form = url.Values{}
	for _, in := range formPostInput.FindAllSubmatch(page, -1) {
		form.Add(html.UnescapeString(string(in[1])), html.UnescapeString(string(in[2])))
	}
	return html.UnescapeString(string(m[1])), form, true
}
