package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/flow"
	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/session"
)

// Auth is LINE Login for one app. Make it with New and share it; it is safe
// for concurrent use. Its methods are what an app mounts (Handler, or
// LoginHandler, CallbackHandler and LogoutHandler), wraps its routes in
// (RequireLINEUser, RequireLINEUserFrom, OptionalLINEUser,
// RequireSameOrigin) and calls from a handler (Token, Client, ServeError,
// Language); users' sessions and account linking are in the rooms that
// Sessions and Links return.
type Auth struct {
	cfg          Config
	client       *callback.Client
	sessions     *sessioncookie.Manager // nil without a web login
	flows        *flow.Store            // nil without a web login
	formPost     bool                   // LINE posts the callback
	origin       string                 // the app's origin, from the callback URL
	callbackPath string
	bearer       *bearer
	sessionCache *sessionCache
	refreshes    *tokenCache[renewal]
	linking      *linker // nil without Config.Linking
	metrics      *metrics
	languages    *languages
	log          *slog.Logger

	tenancy       *tenancy // with Config.Tenants; nil in a tenant's view
	tenantChannel string   // the channel of a tenant's view, "" otherwise
}

// New validates cfg and returns an Auth. It refuses, with an error
// wrapping ErrConfig, every configuration that could only fail later.
func New(cfg Config) (*Auth, error) {
	cfg.setDefaults()
	var client *callback.Client
	if cfg.Tenants == nil || cfg.LINE.ChannelID != "" {
		var err error
		client, err = callback.New(cfg.LINE, callback.WithClock(cfg.Now), callback.WithMeterProvider(cfg.MeterProvider))
		if err != nil {
			return nil, err // already ErrConfig
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.MeterProvider, "")
	if err != nil {
		return nil, errMetrics(err)
	}
	langs, err := newLanguages(cfg.Pages.Messages, cfg.Pages.Language)
	if err != nil {
		return nil, err
	}
	idVerifier := cfg.Bearer.IDTokenVerifier
	if idVerifier == nil {
		idVerifier = client
	}
	b := newBearer(client, idVerifier, cfg)
	b.metrics = m
	a := &Auth{
		bearer:       b,
		metrics:      m,
		languages:    langs,
		sessionCache: newSessionCache(cfg.Now),
		refreshes:    newTokenCache[renewal](refreshMemory, refreshCacheSize, cfg.Now),
		client:       client,
		cfg:          cfg,
		log:          cfg.Logger,
	}
	if cfg.Tenants != nil {
		key := HostTenant // in lower case already
		if own := cfg.TenantKey; own != nil {
			key = func(r *http.Request) string { return strings.ToLower(own(r)) } // as Tenants keeps keys
		}
		a.tenancy = &tenancy{store: cfg.Tenants, key: key, views: map[string]*view{}}
	} else if cfg.webLogin() {
		if err := a.setupWebLogin(); err != nil {
			return nil, err
		}
	}
	if err := a.setupLinking(); err != nil {
		return nil, err
	}
	return a, nil
}

// setupWebLogin makes the session and flow cookies of a web login.
func (a *Auth) setupWebLogin() error {
	cfg := &a.cfg
	redirect, _ := url.Parse(cfg.LINE.RedirectURL) // validated
	secure := redirect.Scheme == "https"
	formPost := cfg.LINE.ResponseMode == callback.ResponseModeFormPost || cfg.LINE.ResponseMode == callback.ResponseModeFormPostJWT
	sessions, err := sessioncookie.NewManager(sessioncookie.Config{
		Keys:       cfg.Session.Keys,
		Channel:    cfg.LINE.ChannelID,
		CookieName: cfg.Session.CookieName,
		Secure:     secure,
		Lifetime:   cfg.Session.Lifetime,
		Store:      cfg.Session.Store,
		Now:        cfg.Now,
	})
	if err != nil {
		return fmt.Errorf("%w: Session: %v", ErrConfig, err) // validated: not reached
	}
	flows, err := flow.NewStore(cfg.Session.Keys, secure, formPost, maxFlows, cfg.Now)
	if err != nil {
		return fmt.Errorf("%w: Session: %v", ErrConfig, err) // validated: not reached
	}
	a.sessions, a.flows = sessions, flows
	a.formPost = formPost
	a.origin = redirect.Scheme + "://" + redirect.Host
	a.callbackPath = redirect.Path
	return nil
}

// Client returns the LINE Login client, for calls such as Profile: that
// of LINE's channel, nil with Config.Tenants and no channel in LINE (see
// ClientFor).
func (a *Auth) Client() *callback.Client { return a.client }

// ClientFor returns the LINE Login client of r's channel: that of r's
// tenant with Config.Tenants (failing with ErrUnknownTenant, or ErrConfig
// for a tenant whose configuration is wrong), Client otherwise. Calls
// such as Friendship with a user's token go to the user's channel.
func (a *Auth) ClientFor(r *http.Request) (*callback.Client, error) {
	t, err := a.at(r)
	if err != nil {
		return nil, err
	}
	return t.client, nil
}

// Handler serves the login, callback and logout paths and passes every
// other request to next, with the session's user (if any) in its context.
// It has the shape of chi's and gorilla/mux's middleware.
//
// Handler never asks LINE about anything: a request with a bearer
// credential (Authorization: Bearer, or X-Line-ID-Token) reaches next
// without a user, and the credential is checked only where a route asks for
// a LINE user (RequireLINEUser, OptionalLINEUser, the link API), so that an
// app's own API tokens on its other routes cost nothing at LINE. An
// Authorization header of another scheme (Basic, an app's own "Token ...")
// is not LINE's business: it is never sent to LINE, and the session cookie
// of the same request counts.
//
// Without a web login (no LINE.RedirectURL and no Session.Keys), Handler
// mounts nothing and passes every request on.
//
// With Config.Tenants, each request is served by its tenant's channel, and
// a request of no tenant gets the 421 page.
func (a *Auth) Handler(next http.Handler) http.Handler {
	return a.perTenant(func(a *Auth) http.Handler { return a.handler(next) })
}

func (a *Auth) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.sessions == nil {
			next.ServeHTTP(w, r) // bearer only: nothing to mount, no cookie to read
			return
		}
		switch r.URL.Path {
		case a.cfg.Routes.Login:
			a.serveLogin(w, r)
		case a.callbackPath:
			a.serveCallback(w, r)
		case a.cfg.Routes.Logout:
			a.serveLogout(w, r)
		default:
			next.ServeHTTP(w, a.withSession(w, r, false))
		}
	})
}

// LoginHandler starts a login: GET with an optional return_to path.
// Without a web login it answers 404.
func (a *Auth) LoginHandler() http.Handler { return a.webHandler((*Auth).serveLogin) }

// CallbackHandler finishes a login at the callback URL. Without a web login
// it answers 404.
func (a *Auth) CallbackHandler() http.Handler { return a.webHandler((*Auth).serveCallback) }

// LogoutHandler ends the session: POST from the app's own pages only.
// Without a web login it answers 404.
func (a *Auth) LogoutHandler() http.Handler { return a.webHandler((*Auth).serveLogout) }

// webHandler is serve, or 404 when there is no web login to serve.
func (a *Auth) webHandler(serve func(*Auth, http.ResponseWriter, *http.Request)) http.Handler {
	return a.perTenant(func(a *Auth) http.Handler {
		if a.sessions == nil {
			return http.NotFoundHandler()
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serve(a, w, r) })
	})
}

// withSession returns r with the request's user (if any), or the reason
// there is none, in its context. Credentials come from an Authorization
// header of the Bearer scheme, the X-Line-ID-Token header or the session
// cookie, in that order. Those of a header are checked only when askLINE
// is set (a route that asks for a LINE user); otherwise r is returned as it
// is, and a later call with askLINE checks them.
// This runs on every request: the session path allocates only the context
// and the request copy when its cookie is in the session cache.
func (a *Auth) withSession(w http.ResponseWriter, r *http.Request, askLINE bool) *http.Request {
	if stateFrom(r.Context()) != nil {
		return r // mounted twice, or RequireLINEUser behind Handler
	}
	var st *requestState
	switch {
	case hasBearer(r):
		if !askLINE {
			return r
		}
		st = a.bearer.identifyAccessToken(r)
	case r.Header[headerIDTokenKey] != nil:
		if !askLINE {
			return r
		}
		st = a.bearer.identifyIDToken(r)
	default:
		st = a.identifySession(w, r)
	}
	if st == anonymous {
		return r // the context's absence of state means the same, for free
	}
	return r.WithContext(a.withLinker(withState(r.Context(), st), st))
}

// anonymous is the state of a request without credentials. It is not put
// in the context: finding it again costs a header lookup.
var anonymous = &requestState{}

// loggedOut is the state of a request whose session cookie is no session
// (tampered, expired, under a removed key). Unlike anonymous it goes in the
// context, so that RequireLINEUser behind Handler does not decode the
// cookie a second time.
var loggedOut = &requestState{}

func (a *Auth) identifySession(w http.ResponseWriter, r *http.Request) *requestState {
	if a.sessions == nil {
		return anonymous // bearer only: a cookie is nobody
	}
	value := a.sessions.Value(r)
	if value == "" {
		return anonymous
	}
	if st, touch := a.sessionCache.get(value); st != nil {
		a.touchSession(r, touch)
		return st
	}
	o, err := a.sessions.Open(w, r)
	switch {
	case errors.Is(err, sessioncookie.ErrNoSession):
		return loggedOut
	case err != nil:
		a.log.Error("linelogin: session store unavailable", "error", err)
		return &requestState{unavailable: err}
	}
	d, err := decodeSessionData(o.Payload)
	if err != nil {
		// A payload this version cannot read means logged out, not a 500.
		return loggedOut
	}
	d.user.ChannelID = a.cfg.LINE.ChannelID // web login is for the main channel only
	st := &requestState{user: &d.user, source: SourceSession, session: d}
	touch := a.newSessionTouch(d.user.ID, o.Ref)
	if o.CacheUntil.IsZero() {
		// Not cached: every request comes this way, and the store's own
		// rate limit makes a touch that is not due cost a map lookup.
		a.touchSessionNow(r, touch)
		return st
	}
	a.touchSession(r, touch)
	a.sessionCache.put(o.Value, sessionCacheEntry{state: st, expiry: o.CacheUntil, lease: o.Lease, touch: touch})
	return st
}

// RevokeUser ends every session of the LINE user lineUserID on every app
// instance, for example when an operator bans an account. It needs a
// server-side Session.Store that indexes sessions by user; with the default
// cookie store, or without a web login, it fails with
// session.ErrRevocationUnsupported.
//
// With Config.Tenants, it ends the user's sessions on every tenant.
func (s *UserSessions) RevokeUser(ctx context.Context, lineUserID string) error {
	views := s.a.everyChannel()
	if len(views) == 0 || views[0].sessions == nil {
		return session.ErrRevocationUnsupported
	}
	for _, a := range views {
		if err := a.sessions.RevokeOwner(ctx, lineUserID); err != nil {
			return err
		}
		a.emit(ctx, Event{Kind: EventRevoke, UserID: lineUserID})
	}
	return nil
}
