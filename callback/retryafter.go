package callback

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter caps the wait LINE can ask for: a broken or hostile
// header must not stop an app for days.
const maxRetryAfter = time.Hour

// retryAfter reads the Retry-After of a 429 or 503: delay-seconds, or an
// HTTP date taken relative to the response's own Date header, so that the
// answer does not depend on this machine's clock. Zero when absent or
// unusable.
func retryAfter(resp *http.Response) time.Duration {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		d = time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	} else {
		at, err := http.ParseTime(v)
		if err != nil {
			return 0
		}
		date, err := http.ParseTime(resp.Header.Get("Date"))
		if err != nil {
			return 0
		}
		d = at.Sub(date)
	}
	return min(max(d, 0), maxRetryAfter)
}
