package middleware

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/session"
)

// Tenants is the set of LINE channels of a web login for many channels
// (Config.Tenants): each tenant is a channel of its own, with its own
// credentials, callback URL, scopes and bot_prompt, chosen per request by
// its key (the request's host by default, see Config.TenantKey). The app
// may change it while it runs, for example from its database: a tenant
// added works at its next request, a removed one stops at once (421), and
// one replaced gets a new client at its next request. It is safe for
// concurrent use.
type Tenants struct {
	mu    sync.RWMutex
	byKey map[string]*tenant
}

// tenant is one entry of Tenants. It is never changed: Add replaces it, so
// that an Auth notices the change by comparing pointers.
type tenant struct {
	key  string
	line callback.Config
}

// NewTenants returns an empty set of tenants.
func NewTenants() *Tenants { return &Tenants{byKey: map[string]*tenant{}} }

// Add adds the tenant key, or replaces it: line is its channel, with
// RedirectURL its callback URL (on its own host, when tenants are chosen
// by host). Adding a tenant again with the same line changes nothing. It
// fails, wrapping ErrConfig, when line could never work.
func (t *Tenants) Add(key string, line callback.Config) error {
	key = strings.ToLower(key)
	if key == "" {
		return fmt.Errorf("%w: a tenant needs a key", ErrConfig)
	}
	if _, err := callback.New(line); err != nil {
		return fmt.Errorf("tenant %q: %w", key, err)
	}
	if err := checkRedirectURL(line.RedirectURL); err != nil {
		return fmt.Errorf("tenant %q: %w", key, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if old := t.byKey[key]; old != nil && reflect.DeepEqual(old.line, line) {
		// Unchanged (an app that adds every row of its table again on
		// each refresh): the tenant keeps its client, caches and sessions.
		return nil
	}
	t.byKey[key] = &tenant{key: key, line: line}
	return nil
}

// Remove removes the tenant key: its next request gets the 421 page.
func (t *Tenants) Remove(key string) {
	t.mu.Lock()
	delete(t.byKey, strings.ToLower(key))
	t.mu.Unlock()
}

// Lookup returns the channel of the tenant key (in any case).
func (t *Tenants) Lookup(key string) (callback.Config, bool) {
	if e := t.lookup(strings.ToLower(key)); e != nil {
		return e.line, true
	}
	return callback.Config{}, false
}

// Keys returns the keys of the tenants, sorted.
func (t *Tenants) Keys() []string {
	t.mu.RLock()
	keys := make([]string, 0, len(t.byKey))
	for k := range t.byKey {
		keys = append(keys, k)
	}
	t.mu.RUnlock()
	slices.Sort(keys)
	return keys
}

func (t *Tenants) lookup(key string) *tenant {
	t.mu.RLock()
	e := t.byKey[key]
	t.mu.RUnlock()
	return e
}

// HostTenant is the default Config.TenantKey: the request's host, with
// its port, in lower case.
func HostTenant(r *http.Request) string { return strings.ToLower(r.Host) }

// checkRedirectURL refuses a callback URL no web login can use.
func checkRedirectURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("%w: LINE.RedirectURL is empty: a web login needs the callback URL", ErrConfig)
	}
	redirect, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: LINE.RedirectURL: %v", ErrConfig, err)
	}
	if redirect.Scheme != "https" && !localHost(redirect.Hostname()) {
		return fmt.Errorf("%w: LINE.RedirectURL %q is plain http on a public host: use https (http is for localhost, *.localhost, 127.0.0.0/8 and ::1 only)", ErrConfig, raw)
	}
	return nil
}

// tenancy is what an Auth of many channels keeps: the tenants, how a
// request names its tenant, and an Auth of one channel per tenant (a
// view), built at the tenant's first request and again when it changes.
type tenancy struct {
	store *Tenants
	key   func(*http.Request) string // in lower case, as Tenants keeps keys

	mu    sync.RWMutex
	views map[string]*view
}

// view is the Auth of one tenant, or why it could not be built.
type view struct {
	t   *tenant
	a   *Auth
	err error
}

// at returns the Auth of r's tenant: a itself with one channel, the
// tenant's view with many. An unknown tenant fails with ErrUnknownTenant.
func (a *Auth) at(r *http.Request) (*Auth, error) {
	if a.tenancy == nil {
		return a, nil
	}
	return a.tenancy.view(a, a.tenancy.key(r))
}

func (tc *tenancy) view(a *Auth, key string) (*Auth, error) {
	t := tc.store.lookup(key)
	if t == nil {
		tc.forget(key)
		return nil, ErrUnknownTenant
	}
	tc.mu.RLock()
	v := tc.views[key]
	tc.mu.RUnlock()
	if v != nil && v.t == t {
		return v.a, v.err
	}
	tc.mu.Lock()
	defer tc.mu.Unlock() // building a view does no I/O
	if v := tc.views[key]; v != nil && v.t == t {
		return v.a, v.err
	}
	v = &view{t: t}
	v.a, v.err = a.newView(t.line)
	if v.err != nil {
		a.log.Error("linelogin: tenant misconfigured", "tenant", key, "channel", t.line.ChannelID, "error", v.err.Error())
	}
	tc.views[key] = v
	return v.a, v.err
}

// forget drops the view of key, a removed tenant, if there is one: the
// views stay bounded by the tenants there are, whatever hosts requests
// name.
func (tc *tenancy) forget(key string) {
	tc.mu.RLock()
	_, ok := tc.views[key]
	tc.mu.RUnlock()
	if ok {
		tc.mu.Lock()
		delete(tc.views, key)
		tc.mu.Unlock()
	}
}

// all returns the views of every tenant, building those not built yet.
func (tc *tenancy) all(a *Auth) []*Auth {
	var out []*Auth
	for _, key := range tc.store.Keys() {
		if v, err := tc.view(a, key); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// newView returns the Auth of one channel of a: a's settings and rooms
// with line's channel, its own client, session and flow cookies (bound
// to the channel), caches and metrics labelled with the channel.
func (a *Auth) newView(line callback.Config) (*Auth, error) {
	v := *a
	v.tenancy = nil
	v.cfg.LINE = line
	// Every line a tenant logs names its channel: a mistake of one tenant
	// is told as that tenant's.
	v.log = a.log.With("channel", line.ChannelID)
	v.cfg.Logger = v.log
	if err := checkRedirectURL(line.RedirectURL); err != nil {
		return nil, err
	}
	redirect, _ := url.Parse(line.RedirectURL)
	if redirect.Path == v.cfg.Routes.Login || redirect.Path == v.cfg.Routes.Logout {
		return nil, fmt.Errorf("%w: the login, callback and logout paths must differ", ErrConfig)
	}
	client, err := callback.New(line, callback.WithClock(v.cfg.Now), callback.WithMeterProvider(v.cfg.MeterProvider))
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(v.cfg.MeterProvider, line.ChannelID)
	if err != nil {
		return nil, errMetrics(err)
	}
	idVerifier := v.cfg.Bearer.IDTokenVerifier
	if idVerifier == nil {
		idVerifier = client
	}
	v.client = client
	v.metrics = m
	v.bearer = newBearer(client, idVerifier, v.cfg)
	v.bearer.metrics = m
	v.sessionCache = newSessionCache(v.cfg.Now)
	v.refreshes = newTokenCache[renewal](refreshMemory, refreshCacheSize, v.cfg.Now)
	v.tenantChannel = line.ChannelID
	// Flows and sessions are bound to their channel by keys of the
	// channel's own (derived from Session.Keys): a flow cookie of one
	// tenant cannot be read at another's callback, nor a session cookie
	// anywhere but on its tenant (which its channel binding says again).
	keys := make([][]byte, len(v.cfg.Session.Keys))
	for i, k := range v.cfg.Session.Keys {
		if keys[i], err = hkdf.Key(sha256.New, k, nil, "linelogin flow "+line.ChannelID, session.KeySize); err != nil {
			return nil, fmt.Errorf("%w: Session: %v", ErrConfig, err)
		}
	}
	v.cfg.Session.Keys = keys
	if a.linking != nil {
		// Links are the tenant's own: its view of the store prefixes the
		// IDs with its channel, and it keeps the accounts it read apart.
		k := *a.linking
		k.cfg.Store = newTenantLinks(a.linking.cfg.Store, line.ChannelID)
		k.accounts = newLinkCache(k.cfg.Store, v.cfg.Now)
		k.log = v.log
		v.linking = &k
	}
	if err := v.setupWebLogin(); err != nil {
		return nil, err
	}
	return &v, nil
}

// perTenant is build(a) with one channel; with many, a handler that
// serves each request with build of its tenant's view (built once per
// view), and answers an unknown tenant with 421.
func (a *Auth) perTenant(build func(t *Auth) http.Handler) http.Handler {
	if a.tenancy == nil {
		return build(a)
	}
	type builtFor struct {
		view *Auth
		h    http.Handler
	}
	// By tenant key, so that a replaced view's handler is dropped; only
	// keys of tenants get this far.
	var built sync.Map // string → builtFor
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := a.tenancy.key(r)
		t, err := a.tenancy.view(a, key)
		if err != nil {
			a.serveTenantError(w, r, err)
			return
		}
		b, ok := built.Load(key)
		if !ok || b.(builtFor).view != t {
			b = builtFor{view: t, h: build(t)}
			built.Store(key, b)
		}
		b.(builtFor).h.ServeHTTP(w, r)
	})
}

// serveTenantError answers a request of an unknown tenant (421), or of a
// tenant whose configuration is wrong (500): the OnError hook if set, the
// default page otherwise.
func (a *Auth) serveTenantError(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Cache-Control", "no-store")
	if isAPIRequest(r) && errors.Is(err, ErrUnknownTenant) {
		writeJSONError(w, http.StatusMisdirectedRequest, "misdirected_request", "this host serves no LINE Login channel")
		return
	}
	if a.cfg.Pages.OnError != nil {
		a.cfg.Pages.OnError(w, r, err)
		return
	}
	a.ServeError(w, r, err)
}

// everyChannel returns every view of a, or a itself with one channel.
func (a *Auth) everyChannel() []*Auth {
	if a.tenancy == nil {
		return []*Auth{a}
	}
	return a.tenancy.all(a)
}
