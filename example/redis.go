package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/linelogin/linelogin/session"
	"github.com/linelogin/linelogin/session/redisstore"
)

// redisStore returns the session store for REDIS_URL: nil (sessions in the
// cookie) when it is empty, else a redisstore.Store, on a single node or,
// for redis://node1:port?addr=node2:port&addr=node3:port, a Redis Cluster.
// Redis need not be up yet: the app starts, protected pages answer 503
// until Redis answers, and the store connects by itself.
func redisStore(redisURL string, log *slog.Logger) (session.Store, error) {
	if redisURL == "" {
		return nil, nil
	}
	store, err := redisstore.NewURL(redisURL, redisstore.Options{})
	if err != nil {
		// NewURL's error never shows the URL, which may hold a password.
		return nil, fmt.Errorf("%w (want redis://[user:password@]host:port[/db], or redis://node1:port?addr=node2:port&addr=node3:port for a cluster): %w", errRedisURL, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := store.Ping(ctx); err != nil {
		log.Warn("Redis is not answering yet: protected pages answer 503 until it does", "error", err)
	} else {
		log.Info("sessions are stored in Redis")
	}
	return store, nil
}

// errRedisURL is wrapped by the error for a REDIS_URL that does not parse.
var errRedisURL = errors.New("invalid REDIS_URL")
