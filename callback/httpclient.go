package callback

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// maxBody caps every back-channel response body; LINE's are a few KB.
const maxBody = 1 << 20

// httpClient makes the back-channel calls: bounded in time and size, never
// following redirects (a redirect from the token endpoint could send the
// code and secret to another host), TLS verified by the standard library.
//
// Every call is bounded by a context deadline of timeout (do, exchange,
// Refresh), not by http.Client.Timeout: on top of the context, the
// client's Timeout costs each call a watchdog timer and goroutine in
// net/http (several microseconds and a score of allocations), for a bound
// the context already sets. A Timeout the app set on Config.HTTPClient is
// kept.
type httpClient struct {
	*http.Client
	timeout time.Duration
}

func newHTTPClient(base *http.Client, timeout time.Duration, mp metric.MeterProvider, tp trace.TracerProvider, channel string) (*httpClient, error) {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	metered, err := newMeteredTransport(c.Transport, mp, tp, channel)
	if err != nil {
		return nil, err
	}
	c.Transport = metered
	return &httpClient{Client: c, timeout: timeout}, nil
}

// do sends req and decodes a 200 JSON answer into dst. Any other
// status becomes an *UpstreamError carrying LINE's error code, never its
// text.
func (c *httpClient) do(ctx context.Context, op string, req *http.Request, dst any) error {
	ctx, cancel := context.WithTimeout(withEndpoint(ctx, op), c.timeout)
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
	if resp.StatusCode/100 != 2 {
		e := &UpstreamError{Op: op, Status: resp.StatusCode, RequestID: requestID(resp), RetryAfter: retryAfter(resp)}
		e.Code, e.Message = errorBody(body)
		return e
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

// errorBody reads LINE's two error shapes: {"error", "error_description"}
// from the OAuth endpoints and {"message"} from the other APIs. The code is
// kept only when it looks like one; the message is capped.
func errorBody(body []byte) (code, message string) {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	message = e.Description
	if message == "" {
		message = e.Message
	}
	return safeCode(e.Error), capMessage(message)
}

// capMessage bounds LINE's error text kept in an UpstreamError.
func capMessage(message string) string {
	if len(message) > 512 {
		message = message[:512]
	}
	return message
}

var requestIDShape = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// requestID returns LINE's x-line-request-id, when it looks like one.
func requestID(resp *http.Response) string {
	if id := resp.Header.Get("X-Line-Request-Id"); requestIDShape.MatchString(id) {
		return id
	}
	return ""
}

func safeCode(s string) string {
	if codeShape.MatchString(s) {
		return s
	}
	return ""
}
