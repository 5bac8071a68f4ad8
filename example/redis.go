package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/linelogin/linelogin/session"
)

// Timeouts of the example's Redis client unless REDIS_URL sets them (as
// dial_timeout, read_timeout, write_timeout, pool_timeout and max_retries
// query parameters, e.g. redis://host:6379/0?read_timeout=200ms): short,
// so that a Redis outage is a prompt 503 rather than a hung request.
const (
	redisDialTimeout = time.Second
	redisIOTimeout   = 500 * time.Millisecond
	redisMaxRetries  = 1
)

// redisStore returns the session store for REDIS_URL: nil (sessions in the
// cookie) when it is empty, else a session.RedisStore. Redis need not be up
// yet: the app starts, protected pages answer 503 until Redis answers, and
// the client reconnects by itself.
func redisStore(redisURL string, log *slog.Logger) (session.Store, error) {
	if redisURL == "" {
		return nil, nil
	}
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		// The URL may hold a password, and *url.Error prints the URL: keep
		// only the reason.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return nil, fmt.Errorf("%w (want redis://[user:password@]host:port[/db][?read_timeout=…]): %w", errRedisURL, err)
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = redisDialTimeout
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = redisIOTimeout
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = redisIOTimeout
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = redisMaxRetries
	}
	opts.ContextTimeoutEnabled = true
	store := session.NewRedisStore(redis.NewClient(opts), session.RedisOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := store.Ping(ctx); err != nil {
		log.Warn("Redis is not answering yet: protected pages answer 503 until it does", "addr", opts.Addr, "error", err)
	} else {
		log.Info("sessions are stored in Redis", "addr", opts.Addr, "db", opts.DB)
	}
	return store, nil
}

// errRedisURL is wrapped by the error for a REDIS_URL that does not parse.
var errRedisURL = errors.New("invalid REDIS_URL")
