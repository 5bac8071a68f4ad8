package callback

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"time"
)

// maxBody caps every back-channel response body; LINE's are a few KB.
const maxBody = 1 << 20

// httpClient makes the back-channel calls: bounded in time and size, never
// following redirects (a redirect from the token endpoint could send the
// code and secret to another host), TLS verified by the standard library.
type httpClient struct {
	*http.Client
	timeout time.Duration
}

func newHTTPClient(base *http.Client, timeout time.Duration) *httpClient {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	if c.Timeout == 0 {
		c.Timeout = timeout
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &httpClient{Client: c, timeout: timeout}
}

// getJSON sends req and decodes a 200 JSON answer into dst. Any other
// status becomes an *UpstreamError carrying LINE's error code, never its
// text.
func (c *httpClient) do(ctx context.Context, op string, req *http.Request, dst any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		return upstream(op, 0, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return upstream(op, resp.StatusCode, err)
	}
	if len(body) > maxBody {
		return upstream(op, resp.StatusCode, errors.New("response body too large"))
	}
	if resp.StatusCode != http.StatusOK {
		return &UpstreamError{Op: op, Status: resp.StatusCode, Code: errorCode(body)}
	}
	if dst == nil {
		return nil
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return upstream(op, resp.StatusCode, errors.New("malformed JSON response"))
	}
	return nil
}

var codeShape = regexp.MustCompile(`^[A-Za-z0-9_.]{1,64}$`)

// errorCode returns the "error" field of a LINE error body when it looks
// like a code. Descriptions and messages are never returned: they may echo
// what was sent.
func errorCode(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return safeCode(e.Error)
}

func safeCode(s string) string {
	if codeShape.MatchString(s) {
		return s
	}
	return ""
}
