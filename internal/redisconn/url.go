package redisconn

import (
	"errors"
	"net/url"
	"time"

	"github.com/redis/rueidis"
)

// ParseURL parses a Redis URL as rueidis.ParseURL does
// (redis://[user:password@]host:port[/db], rediss:// for TLS, a Redis
// Cluster as redis://node1:port?addr=node2:port&addr=node3:port), with the
// module's defaults where the URL's query sets none: a second to dial,
// health checks (PING) after a second without traffic and two seconds for
// any reply, so that a dead or hung connection is dropped within about
// three seconds.
//
// The error never shows the URL, which may hold a password.
func ParseURL(rawURL string) (rueidis.ClientOption, error) {
	opt, err := rueidis.ParseURL(rawURL)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return rueidis.ClientOption{}, err
	}
	if opt.Dialer.Timeout == 0 {
		opt.Dialer.Timeout = time.Second
	}
	opt.Dialer.KeepAlive = time.Second
	if opt.ConnWriteTimeout == 0 {
		opt.ConnWriteTimeout = 2 * time.Second
	}
	return opt, nil
}
