package middleware

import (
	"container/list"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/linelogin/linelogin/callback"
)

// The defaults of BearerLimits' zero values.
const (
	// defaultClientBurst lets one address start 12 checks without waiting:
	// a carrier's NAT address, shared by many phones, opening the app
	// together after a push notification (their valid tokens give their
	// checks back as soon as LINE answers). It is below half of
	// defaultMaxConcurrentChecks, so one address never holds every slot.
	defaultClientBurst = 12
	// defaultClientInterval gives an address one more check a second, 60
	// refused tokens a minute: more than the expired tokens of every phone
	// behind one NAT address send.
	defaultClientInterval = time.Second
	// defaultMaxConcurrentChecks caps the checks with LINE in flight from
	// one instance, whatever their addresses; one address holds at most
	// half of them.
	defaultMaxConcurrentChecks = 32
	// defaultRefusedTokenTTL is how long a refused token is answered 401
	// without asking LINE again.
	defaultRefusedTokenTTL = 5 * time.Minute
)

const (
	// maxTrackedClients bounds the addresses whose allowance is kept.
	maxTrackedClients = 10000
	// firstBackoff is the back-off after a 429 from LINE without
	// Retry-After; it doubles while LINE keeps answering 429, up to
	// maxBackoff.
	firstBackoff = 5 * time.Second
	maxBackoff   = 10 * time.Minute
	// busyRetry is the Retry-After when every check slot is taken: checks
	// take a fraction of a second.
	busyRetry = time.Second
)

// BearerLimits bound what bearer-mode cache misses can cost at LINE. Every
// token the cache has not seen costs a call to LINE's verify endpoint (or,
// for an ID token, a local check and sometimes a fetch of LINE's keys), and
// LINE limits each channel's request rate: without limits, anyone sending
// random tokens could get the channel rate-limited, and then every real
// user's login and API call would fail. So:
//
//   - a token LINE refused is answered 401 for RefusedTokenTTL without
//     asking again (remembered by SHA-256, bounded like the token cache);
//   - each client address has an allowance of checks: a check spends one,
//     given back when LINE vouches for the token or cannot answer, so real
//     users' new tokens never use it up, while each refused token does.
//     ClientBurst is the allowance, and one more comes every
//     ClientInterval. Beyond it: 429 with Retry-After;
//   - at most MaxConcurrentChecks checks run at once; beyond: 503 with
//     Retry-After. Whatever ClientBurst, one client address has at most
//     half of them (MaxConcurrentChecks/2, at least 1) in flight; beyond:
//     429 with Retry-After. So a burst from one address, with LINE slow to
//     answer, leaves room for everybody else's new tokens;
//   - when LINE answers 429, no check is made until its Retry-After (or a
//     growing back-off when it sends none) has passed: 503 with
//     Retry-After.
//
// A request over a limit is never let through, and is counted as
// result="limited" in linelogin_bearer_checks_total (not "unavailable",
// which means LINE could not be reached). Windows and back-offs run on
// Config.Now.
type BearerLimits struct {
	// ClientBurst is each client address's allowance of checks;
	// 12 if zero. However large, an address never has more
	// than half of MaxConcurrentChecks in flight at once.
	ClientBurst int
	// ClientInterval is how often an address gets one check back;
	// a second if zero.
	ClientInterval time.Duration
	// MaxConcurrentChecks caps the checks in flight;
	// 32 if zero.
	MaxConcurrentChecks int
	// RefusedTokenTTL is how long a refused token is remembered;
	// 5 minutes if zero.
	RefusedTokenTTL time.Duration
	// ClientAddress names a request's client for the allowance; if nil,
	// the connection's IP address (r.RemoteAddr), an IPv6 address cut to
	// its /64. Behind a reverse proxy every request comes from the proxy:
	// use TrustedProxyHeader.
	ClientAddress func(r *http.Request) string
}

func (l *BearerLimits) setDefaults() {
	if l.ClientBurst == 0 {
		l.ClientBurst = defaultClientBurst
	}
	if l.ClientInterval == 0 {
		l.ClientInterval = defaultClientInterval
	}
	if l.MaxConcurrentChecks == 0 {
		l.MaxConcurrentChecks = defaultMaxConcurrentChecks
	}
	if l.RefusedTokenTTL == 0 {
		l.RefusedTokenTTL = defaultRefusedTokenTTL
	}
	if l.ClientAddress == nil {
		l.ClientAddress = remoteIP
	}
}

func (l *BearerLimits) validate() error {
	if l.ClientBurst < 1 || l.ClientInterval < 0 || l.MaxConcurrentChecks < 1 || l.RefusedTokenTTL < 0 {
		return fmt.Errorf("%w: Bearer.Limits must be positive", ErrConfig)
	}
	return nil
}

// remoteIP is the default BearerLimits.ClientAddress: the IP address of
// the connection (r.RemoteAddr). An IPv6 address is cut to its /64, the
// block one subscriber usually holds whole.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	return clientKey(addr)
}

// TrustedProxyHeader returns a BearerLimits.ClientAddress for an app behind
// reverse proxies that append the client's address to header (such as
// "X-Forwarded-For"). Only a request whose connection comes from one of
// proxies is read: its client is the right-most address in the header that
// is not itself one of proxies. Addresses further left were written by the
// client and prove nothing. Any other request is named by its
// connection's address, as by default.
func TrustedProxyHeader(header string, proxies ...netip.Prefix) func(*http.Request) string {
	trusted := func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range proxies {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		peer, err := netip.ParseAddr(host)
		if err != nil || !trusted(peer) {
			return remoteIP(r)
		}
		values := r.Header.Values(header)
		for i := len(values) - 1; i >= 0; i-- {
			hops := strings.Split(values[i], ",")
			for j := len(hops) - 1; j >= 0; j-- {
				a, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
				if err != nil {
					// Garbage where an address should be: stop at the
					// last hop vouched for.
					return clientKey(peer)
				}
				if !trusted(a) {
					return clientKey(a)
				}
				peer = a
			}
		}
		return clientKey(peer)
	}
}

// clientKey names an address for the allowance table.
func clientKey(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// limitError reports a credential left unchecked because checking it now
// would pass a limit. It matches ErrRateLimited only: it does not unwrap to
// the 429 of LINE that may have caused it, so that it stays in one
// category.
type limitError struct {
	status     int           // 429 for the client's allowance, 503 otherwise
	retryAfter time.Duration // when trying again can succeed
	reason     string
}

func (e *limitError) Error() string {
	return "middleware: bearer check not made: " + e.reason + " (retry after " + e.retryAfter.String() + ")"
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *limitError) Is(target error) bool { return target == ErrRateLimited }

// retryAfterSeconds is d for a Retry-After header: whole seconds, rounded
// up, at least 1.
func retryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(max(1, int64(math.Ceil(d.Seconds()))), 10)
}

// floodGuard applies BearerLimits to the checks of one Auth.
type floodGuard struct {
	now      func() time.Time
	burst    float64
	interval time.Duration
	// perClient is how many checks one address may have in flight: half
	// of the slots, so that one address cannot take them all.
	perClient int
	clientOf  func(*http.Request) string
	slots     *semaphore.Weighted
	log       *slog.Logger

	mu       sync.Mutex
	clients  map[string]*list.Element // of *allowance
	lru      *list.List
	overflow allowance // shared by new addresses while the table is full of busy ones
	// LINE answered 429: no check before until; the next back-off without
	// a Retry-After is step.
	until time.Time
	step  time.Duration
}

// allowance is a token bucket: tokens checks left as of last; inFlight
// of them are running.
type allowance struct {
	client   string
	tokens   float64
	last     time.Time
	inFlight int
}

func newFloodGuard(l BearerLimits, now func() time.Time, log *slog.Logger) *floodGuard {
	g := &floodGuard{
		now:       now,
		burst:     float64(l.ClientBurst),
		interval:  l.ClientInterval,
		perClient: max(1, l.MaxConcurrentChecks/2),
		clientOf:  l.ClientAddress,
		slots:     semaphore.NewWeighted(int64(l.MaxConcurrentChecks)),
		log:       log,
		clients:   make(map[string]*list.Element),
		lru:       list.New(),
		step:      firstBackoff,
	}
	g.overflow = allowance{tokens: g.burst, last: now()}
	return g
}

// admit reserves a check for r, or says why not and when to try again. The
// caller must call done with the check's outcome; done returns the error
// the request gets.
func (g *floodGuard) admit(r *http.Request) (done func(error) error, err error) {
	client := g.clientOf(r)
	now := g.now()
	g.mu.Lock()
	if now.Before(g.until) {
		wait := g.until.Sub(now)
		g.mu.Unlock()
		return nil, &limitError{status: http.StatusServiceUnavailable, retryAfter: wait, reason: "backing off after LINE answered 429"}
	}
	a := g.allowanceLocked(client, now)
	if a.inFlight >= g.perClient {
		g.mu.Unlock()
		return nil, &limitError{status: http.StatusTooManyRequests, retryAfter: busyRetry, reason: "client address " + client + " has too many checks in progress"}
	}
	if a.tokens < 1 {
		wait := time.Duration((1 - a.tokens) * float64(g.interval))
		g.mu.Unlock()
		return nil, &limitError{status: http.StatusTooManyRequests, retryAfter: wait, reason: "client address " + client + " used its allowance"}
	}
	a.tokens--
	a.inFlight++
	g.mu.Unlock()
	if !g.slots.TryAcquire(1) {
		g.finish(a, true)
		return nil, &limitError{status: http.StatusServiceUnavailable, retryAfter: busyRetry, reason: "too many checks in progress"}
	}
	return func(err error) error {
		g.slots.Release(1)
		// A refused token keeps its check spent.
		g.finish(a, !errors.Is(err, callback.ErrInvalidToken))
		if errors.Is(err, callback.ErrInvalidToken) {
			return err
		}
		var ue *callback.UpstreamError
		if errors.As(err, &ue) && ue.Status == http.StatusTooManyRequests {
			return g.backOff(ue.RetryAfter)
		}
		if err == nil {
			g.mu.Lock()
			g.step = firstBackoff
			g.mu.Unlock()
		}
		return err
	}, nil
}

// allowanceLocked returns client's allowance, refilled up to now.
func (g *floodGuard) allowanceLocked(client string, now time.Time) *allowance {
	var a *allowance
	if el, ok := g.clients[client]; ok {
		g.lru.MoveToFront(el)
		a = el.Value.(*allowance)
	} else {
		if g.lru.Len() >= maxTrackedClients {
			// Forget the least recently seen address if its allowance is
			// whole again (forgetting it gives nothing away); else the
			// table is full of busy addresses, and newcomers share one
			// allowance rather than each getting a fresh one.
			oldest := g.lru.Back()
			old := oldest.Value.(*allowance)
			g.refill(old, now)
			if old.tokens < g.burst || old.inFlight > 0 {
				g.refill(&g.overflow, now)
				return &g.overflow
			}
			g.lru.Remove(oldest)
			delete(g.clients, old.client)
		}
		a = &allowance{client: client, tokens: g.burst, last: now}
		g.clients[client] = g.lru.PushFront(a)
	}
	g.refill(a, now)
	return a
}

func (g *floodGuard) refill(a *allowance, now time.Time) {
	if elapsed := now.Sub(a.last); elapsed > 0 {
		a.tokens = min(g.burst, a.tokens+float64(elapsed)/float64(g.interval))
		a.last = now
	}
}

// finish ends a check of a's, and with giveBack returns it to the
// allowance: LINE vouched for the token, or could not answer, which is no
// fault of the client's.
func (g *floodGuard) finish(a *allowance, giveBack bool) {
	g.mu.Lock()
	a.inFlight--
	if giveBack {
		a.tokens = min(g.burst, a.tokens+1)
	}
	g.mu.Unlock()
}

// backOff stops checks for LINE's Retry-After, or for a back-off that
// doubles while LINE keeps answering 429 without one, and returns the
// error for the request that met the 429.
func (g *floodGuard) backOff(retryAfter time.Duration) error {
	now := g.now()
	g.mu.Lock()
	d := retryAfter // honoured as LINE sent it (callback caps it at an hour)
	if d <= 0 {
		d = g.step
		g.step = min(2*g.step, maxBackoff)
	}
	if until := now.Add(d); until.After(g.until) {
		g.until = until
	}
	wait := g.until.Sub(now)
	g.mu.Unlock()
	g.log.Warn("linelogin: LINE answered 429: no bearer checks until the back-off ends", "backoff", wait.String())
	return &limitError{status: http.StatusServiceUnavailable, retryAfter: wait, reason: "LINE answered 429"}
}
