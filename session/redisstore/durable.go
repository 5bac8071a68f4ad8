package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"
)

// errNotReplicated reports a deletion that no replica confirmed within the
// timeout: a failover now could bring the session back, so the caller
// (a logout) must say it could not finish.
var errNotReplicated = errors.New("no replica confirmed the deletion in time")

// deleteDurably runs del (a deletion on key's node) on a connection of its
// own and, when that node has replicas, waits with WAIT until one of them
// has applied it: Redis replicates asynchronously, and a master that
// crashes right after a logout would otherwise let its promoted replica
// serve the ended session again. A node without replicas answers at once.
// It returns del's reply.
func (s *Store) deleteDurably(ctx context.Context, c rueidis.Client, del func(rueidis.DedicatedClient) rueidis.Completed) (rueidis.RedisMessage, error) {
	var reply rueidis.RedisMessage
	err := c.Dedicated(func(dc rueidis.DedicatedClient) error {
		// WAIT counts the writes of its own connection, hence Dedicated;
		// the first command binds it to key's node.
		results := dc.DoMulti(ctx, del(dc), dc.B().Info().Section("replication").Build())
		var err error
		if reply, err = results[0].ToMessage(); err != nil && !rueidis.IsRedisNil(err) {
			return err
		}
		info, err := results[1].ToString()
		if err != nil {
			return err
		}
		if connectedReplicas(info) == 0 {
			return nil
		}
		acked, err := dc.Do(ctx, dc.B().Wait().Numreplicas(1).Timeout(waitMillis(ctx)).Build()).AsInt64()
		if err != nil {
			return err
		}
		if acked < 1 {
			return errNotReplicated
		}
		return nil
	})
	return reply, err
}

// connectedReplicas reads connected_slaves from INFO replication.
func connectedReplicas(info string) int {
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "connected_slaves:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// waitMillis is WAIT's timeout: most of what is left of ctx, so that WAIT
// answers (with the count so far) before the context ends; never 0, which
// would wait forever.
func waitMillis(ctx context.Context) int64 {
	left := DefaultTimeout
	if deadline, ok := ctx.Deadline(); ok {
		left = time.Until(deadline)
	}
	return max(1, (left * 3 / 4).Milliseconds())
}
