package redistest

import (
	"context"
	"crypto/tls"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/testkit"
)

// ReplicatedCluster is a Redis Cluster of three masters, each with one
// replica, for tests of what a failover keeps. Every node announces the
// address of a testkit.Proxy in front of it, so that the replication
// links run through the proxies (a test slows one down to make a
// replica lag, as under load), while the test's own clients dial the
// nodes directly with Dial.
type ReplicatedCluster struct {
	Cluster
	proxies map[string]*testkit.Proxy // announced address → its proxy
	real    map[string]string         // announced address → the node's own
}

// StartReplicatedCluster starts six redis-servers of tb's own in cluster
// mode, joins them with `redis-cli --cluster create --cluster-replicas 1`,
// waits until the cluster is up and every replica is in sync, and stops
// them at tb's cleanup.
func StartReplicatedCluster(tb testing.TB) *ReplicatedCluster {
	tb.Helper()
	need(tb, "redis-cli")
	c := &ReplicatedCluster{Cluster: Cluster{tb: tb}, proxies: map[string]*testkit.Proxy{}, real: map[string]string{}}
	args := []string{"--cluster", "create"}
	for range 6 {
		s := startServer(tb, false, true)
		p := testkit.NewProxy(tb, s.Addr())
		_, port, _ := net.SplitHostPort(p.Addr())
		for _, kv := range [][2]string{{"cluster-announce-port", port}, {"cluster-announce-bus-port", strconv.Itoa(s.busPort)}} {
			if _, err := s.Do("CONFIG", "SET", kv[0], kv[1]); err != nil {
				tb.Fatalf("CONFIG SET %s: %v", kv[0], err)
			}
		}
		c.proxies[p.Addr()], c.real[p.Addr()] = p, s.Addr()
		c.Nodes = append(c.Nodes, s)
		args = append(args, s.Addr())
	}
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	out, err := exec.Command("redis-cli", args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("redis-cli --cluster create: %v: %s", err, out)
	}
	c.WaitUp()
	deadline := time.Now().Add(20 * time.Second)
	for !c.replicasInSync() {
		if time.Now().After(deadline) {
			tb.Fatal("the replicas did not come in sync in 20s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return c
}

// replicasInSync reports whether every master has a replica online.
func (c *ReplicatedCluster) replicasInSync() bool {
	masters := 0
	for _, n := range c.Nodes {
		info, err := n.Do("INFO", "replication")
		if err != nil {
			return false
		}
		s, _ := info.ToString()
		if strings.Contains(s, "role:master") {
			masters++
			if !strings.Contains(s, "connected_slaves:1") || !strings.Contains(s, "state=online") {
				return false
			}
		}
	}
	return masters == 3
}

// WaitReplicated waits until the replica of every running master has
// acknowledged all it was sent, failing the test after 20 seconds.
func (c *ReplicatedCluster) WaitReplicated() {
	c.tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !c.replicated() {
		if time.Now().After(deadline) {
			c.tb.Fatal("the replicas did not catch up in 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *ReplicatedCluster) replicated() bool {
	for _, n := range c.Nodes {
		if n.cmd == nil {
			continue
		}
		info, err := n.Do("INFO", "replication")
		if err != nil {
			return false
		}
		s, _ := info.ToString()
		if !strings.Contains(s, "role:master") {
			continue
		}
		var master, replica string
		for line := range strings.SplitSeq(s, "\n") {
			line = strings.TrimSpace(line)
			if v, ok := strings.CutPrefix(line, "master_repl_offset:"); ok {
				master = v
			}
			if v, ok := strings.CutPrefix(line, "slave0:"); ok {
				for field := range strings.SplitSeq(v, ",") {
					if off, ok := strings.CutPrefix(field, "offset="); ok {
						replica = off
					}
				}
			}
		}
		if master == "" || master != replica {
			return false
		}
	}
	return true
}

// Dial is a rueidis ClientOption.DialCtxFn that connects to a node
// itself when given the address it announces, bypassing its proxy.
func (c *ReplicatedCluster) Dial(ctx context.Context, addr string, d *net.Dialer, _ *tls.Config) (net.Conn, error) {
	if real, ok := c.real[addr]; ok {
		addr = real
	}
	return d.DialContext(ctx, "tcp", addr)
}

// Link returns the proxy in front of node, through which its replica
// replicates from it when it is a master.
func (c *ReplicatedCluster) Link(node *Server) *testkit.Proxy {
	for announced, real := range c.real {
		if real == node.Addr() {
			return c.proxies[announced]
		}
	}
	c.tb.Fatalf("no proxy for %s", node.Addr())
	return nil
}

// Crash kills node with SIGKILL (nothing saved, nothing more sent) and
// drops whatever its proxy still held for its replica, as a crash of its
// host would.
func (c *ReplicatedCluster) Crash(node *Server) {
	c.tb.Helper()
	c.Link(node).Set(testkit.ProxyDown, 0)
	if node.cmd != nil {
		node.cmd.Process.Signal(syscall.SIGKILL)
		<-node.done
		node.cmd = nil
	}
}
