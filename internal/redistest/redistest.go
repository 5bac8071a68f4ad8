// Package redistest runs throwaway redis-server processes for tests of
// session/redisstore and of what is built on it, as net/http/httptest runs
// throwaway HTTP servers: a single node ([Start]), a three-node Redis
// Cluster ([StartCluster]), or a six-node one with a replica per master
// whose replication can be made to lag ([StartReplicatedCluster]).
//
// The tests need a real redis-server (and redis-cli for a cluster). `make
// test` starts a single node and a cluster and exports their URLs as
// REDIS_URL and REDIS_CLUSTER_URL; [URL] and [ClusterURL] use them when
// set, and otherwise start servers of the test's own from PATH. [Start]
// and [StartCluster] always start the test's own, for a test that stops
// and restarts a node. A missing redis-server fails the test: it is never
// skipped.
//
// Tests sharing one Redis keep apart by giving each its own key prefix
// ([Prefix]).
package redistest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/rueidis"
)

// The variables through which `make test` (scripts/with-redis) passes the
// URLs of the single node and the cluster it started.
const (
	envURL        = "REDIS_URL"
	envClusterURL = "REDIS_CLUSTER_URL"
)

// Server is a redis-server subprocess on a loopback port, which a test can
// stop and start again on the same port. Its methods are for the test's
// own goroutine.
type Server struct {
	tb      testing.TB
	persist bool
	cluster bool
	port    int
	busPort int
	dir     string
	cmd     *exec.Cmd
	done    chan struct{}
}

// Start starts a redis-server of tb's own on a free loopback port, with
// its files in a temporary directory, and stops it at tb's cleanup. With
// persist, the server saves its data when stopped and loads it when
// started again, as a restarted production Redis does; without, a restart
// comes back empty.
//
// Start fails tb (it never skips) if redis-server is not installed or
// will not start.
func Start(tb testing.TB, persist bool) *Server {
	tb.Helper()
	return startServer(tb, persist, false)
}

func startServer(tb testing.TB, persist, cluster bool) *Server {
	tb.Helper()
	need(tb, "redis-server")
	s := &Server{tb: tb, persist: persist, cluster: cluster, dir: tb.TempDir()}
	tb.Cleanup(s.Stop)
	var err error
	for range 5 { // a free port may be taken before the server binds it
		s.port = freePort(tb)
		if cluster {
			s.busPort = freePort(tb)
		}
		if err = s.start(); err == nil {
			return s
		}
	}
	tb.Fatalf("redis-server would not start: %v", err)
	return nil
}

func need(tb testing.TB, program string) {
	tb.Helper()
	if _, err := exec.LookPath(program); err != nil {
		tb.Fatalf("%s is not installed (%v): the Redis tests need it; run `make test`, which installs it, or `apt-get install redis-server`", program, err)
	}
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// URL is the server's URL, as REDIS_URL takes it.
func (s *Server) URL() string { return "redis://" + s.Addr() }

// Stop ends the server with SIGTERM (on which a persisting server saves
// its data) and waits for it to exit, killing it after 10 seconds. Stopping
// a stopped server does nothing.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// Restart starts the server again on its port, with the persistence
// setting it was started with, stopping it first if it is running. It
// fails the test if the server will not start.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.tb.Fatalf("restarting redis-server: %v", err)
	}
}

// Do sends one command to this node over a connection of its own (no
// cluster redirection, no client-side cache) and returns the reply, for a
// test acting as an operator with redis-cli would.
func (s *Server) Do(args ...string) (rueidis.RedisMessage, error) {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{s.Addr()}, ForceSingleClient: true, DisableCache: true})
	if err != nil {
		return rueidis.RedisMessage{}, err
	}
	defer c.Close()
	return c.Do(s.tb.Context(), c.B().Arbitrary(args...).Build()).ToMessage()
}

// start runs redis-server on s.port and waits until it answers PING.
func (s *Server) start() error {
	save := ""
	if s.persist {
		save = "3600 1" // any save point makes SIGTERM write the data
	}
	logfile := filepath.Join(s.dir, "redis.log")
	args := []string{
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", save, "--appendonly", "no", "--dir", s.dir,
		"--logfile", logfile,
	}
	if s.cluster {
		args = append(args, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-port", strconv.Itoa(s.busPort), "--cluster-node-timeout", "2000")
	}
	cmd := exec.Command("redis-server", args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-done:
			s.cmd = nil
			log, _ := os.ReadFile(logfile)
			return fmt.Errorf("redis-server exited: %s", log)
		default:
		}
		err := ping(s.Addr())
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Cluster is a three-master Redis Cluster (no replicas) of redis-server
// subprocesses on loopback ports.
type Cluster struct {
	tb    testing.TB
	Nodes []*Server
}

// StartCluster starts three redis-servers of tb's own in cluster mode,
// joins them with `redis-cli --cluster create` (each a master of a third
// of the slots), waits until the cluster is up, and stops them at tb's
// cleanup. persist is as for Start: a restarted node then comes back with
// its data as well as its slots.
func StartCluster(tb testing.TB, persist bool) *Cluster {
	tb.Helper()
	need(tb, "redis-cli")
	c := &Cluster{tb: tb}
	args := []string{"--cluster", "create"}
	for range 3 {
		s := startServer(tb, persist, true)
		c.Nodes = append(c.Nodes, s)
		args = append(args, s.Addr())
	}
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.Command("redis-cli", args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("redis-cli --cluster create: %v: %s", err, out)
	}
	c.WaitUp()
	return c
}

// URL is the cluster's URL in the form REDIS_URL takes it:
// redis://node1?addr=node2&addr=node3.
func (c *Cluster) URL() string {
	u := "redis://" + c.Nodes[0].Addr()
	for i, n := range c.Nodes[1:] {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u += sep + "addr=" + n.Addr()
	}
	return u
}

// WaitUp waits until every running node reports cluster_state:ok, failing
// the test after 20 seconds.
func (c *Cluster) WaitUp() {
	c.tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		up := true
		for _, n := range c.Nodes {
			out, err := exec.Command("redis-cli", "-p", strconv.Itoa(n.port), "cluster", "info").Output()
			if err != nil || !bytes.Contains(out, []byte("cluster_state:ok")) {
				up = false
				break
			}
		}
		if up {
			return
		}
		if time.Now().After(deadline) {
			c.tb.Fatal("the Redis Cluster did not come up in 20s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// NodeOf returns the node that serves key's slot: the one that answers
// for it instead of redirecting with MOVED.
func (c *Cluster) NodeOf(key string) *Server {
	c.tb.Helper()
	for _, n := range c.Nodes {
		if _, err := n.Do("EXISTS", key); err == nil {
			return n
		}
	}
	c.tb.Fatalf("no node serves %q", key)
	return nil
}

// freePort returns a TCP port that was free a moment ago on 127.0.0.1.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ping sends PING over a bare connection (the client library would log
// every refused dial while the server starts).
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(conn, buf); err != nil {
		return err
	}
	if string(buf) != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", buf)
	}
	return nil
}

// URL returns the URL of a single-node Redis tb may use: REDIS_URL when it
// is set (`make test` exports it), else that of a non-persisting [Server]
// of tb's own, stopped at cleanup.
func URL(tb testing.TB) string {
	tb.Helper()
	if u := os.Getenv(envURL); u != "" {
		return u
	}
	return Start(tb, false).URL()
}

// ClusterURL returns the URL of a three-node Redis Cluster tb may use:
// REDIS_CLUSTER_URL when it is set (`make test` exports it), else that of
// a non-persisting [Cluster] of tb's own, stopped at cleanup.
func ClusterURL(tb testing.TB) string {
	tb.Helper()
	if u := os.Getenv(envClusterURL); u != "" {
		return u
	}
	return StartCluster(tb, false).URL()
}

// Topology is a kind of Redis deployment the store's tests run against.
type Topology struct {
	// Name names the subtest: "single" or "cluster".
	Name string
	// URL returns the URL of a Redis of this kind, as URL and ClusterURL
	// do.
	URL func(testing.TB) string
}

// Topologies returns a single node and a three-node cluster: a test of
// the store runs once against each.
func Topologies() []Topology { return []Topology{{"single", URL}, {"cluster", ClusterURL}} }

// NewClient returns a plain client (no client-side cache) of the Redis at
// url, single node or cluster, closed at tb's cleanup: for a test that
// inspects or changes keys from outside the app, as an operator would.
func NewClient(tb testing.TB, url string) rueidis.Client {
	tb.Helper()
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	opt.DisableCache = true
	c, err := rueidis.NewClient(opt)
	if err != nil {
		tb.Fatalf("connecting to Redis: %v", err)
	}
	tb.Cleanup(c.Close)
	return c
}

// Prefix returns a random key prefix ("linelogin-test:<12 hex digits>:")
// for a test's own keys, so that tests sharing one Redis never see each
// other's keys.
func Prefix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "linelogin-test:" + hex.EncodeToString(b) + ":"
}

// KillClients closes every client connection of every node but raw's own,
// as `redis-cli CLIENT KILL TYPE normal` on each node would: the
// connections that carry client-side caching's invalidations included.
func KillClients(tb testing.TB, raw rueidis.Client) {
	tb.Helper()
	for addr, node := range raw.Nodes() {
		if err := node.Do(context.Background(), node.B().ClientKill().TypeNormal().SkipmeYes().Build()).Error(); err != nil {
			tb.Fatalf("CLIENT KILL on %s: %v", addr, err)
		}
	}
}
