package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/flow"
	"github.com/linelogin/linelogin/internal/sessioncookie"
)

// Auth is LINE Login for one app. Make it with New and share it; it is safe
// for concurrent use.
type Auth struct {
	cfg          Config
	client       *callback.Client
	sessions     *sessioncookie.Manager
	flows        *flow.Store
	formPost     bool   // LINE posts the callback
	origin       string // the app's origin, from the callback URL
	callbackPath string
	bearer       *bearer
	sessionCache *sessionCache
	refreshes    *tokenCache[renewal]
	linking      *linker // nil without Config.Linking
	metrics      *metrics
	languages    *languages
	log          *slog.Logger
}

// New validates cfg and returns an Auth.
func New(cfg Config) (*Auth, error) {
	cfg.setDefaults()
	if cfg.LINE.RedirectURL == "" {
		return nil, fmt.Errorf("%w: LINE.RedirectURL is empty", ErrConfig)
	}
	client, err := callback.New(cfg.LINE, callback.WithClock(cfg.Now), callback.WithMeterProvider(cfg.MeterProvider))
	if err != nil {
		return nil, err // already ErrConfig
	}
	redirect, _ := url.Parse(cfg.LINE.RedirectURL) // validated by callback.New
	if err := cfg.validate(redirect.Path); err != nil {
		return nil, err
	}
	secure := redirect.Scheme == "https"
	sessions, err := sessioncookie.NewManager(sessioncookie.Config{
		Keys:       cfg.SessionKeys,
		Channel:    cfg.LINE.ChannelID,
		CookieName: cfg.SessionCookieName,
		Secure:     secure,
		Lifetime:   cfg.SessionLifetime,
		Store:      cfg.SessionStore,
		Now:        cfg.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err) // err names its part once
	}
	// LINE posts the callback in these modes: a cross-site POST that the
	// flow cookie must allow.
	formPost := cfg.LINE.ResponseMode == callback.ResponseModeFormPost || cfg.LINE.ResponseMode == callback.ResponseModeFormPostJWT
	flows, err := flow.NewStore(cfg.SessionKeys, secure, formPost, cfg.MaxFlows, cfg.Now)
	if err != nil {
		return nil, fmt.Errorf("%w: flows: %v", ErrConfig, err)
	}
	idVerifier := cfg.IDTokenVerifier
	if idVerifier == nil {
		idVerifier = client
	}
	m, err := newMetrics(cfg.MeterProvider)
	if err != nil {
		return nil, errMetrics(err)
	}
	langs, err := newLanguages(cfg.Messages, cfg.Language)
	if err != nil {
		return nil, err
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
		sessions:     sessions,
		cfg:          cfg,
		flows:        flows,
		formPost:     formPost,
		origin:       redirect.Scheme + "://" + redirect.Host,
		callbackPath: redirect.Path,
		log:          cfg.Logger,
	}
	if err := a.setupLinking(); err != nil {
		return nil, err
	}
	return a, nil
}

// Client returns the LINE Login client, for calls such as Profile.
func (a *Auth) Client() *callback.Client { return a.client }

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
func (a *Auth) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case a.cfg.LoginPath:
			a.serveLogin(w, r)
		case a.callbackPath:
			a.serveCallback(w, r)
		case a.cfg.LogoutPath:
			a.serveLogout(w, r)
		default:
			next.ServeHTTP(w, a.withSession(w, r, false))
		}
	})
}

// LoginHandler starts a login: GET with an optional return_to path.
func (a *Auth) LoginHandler() http.Handler { return http.HandlerFunc(a.serveLogin) }

// CallbackHandler finishes a login at the callback URL.
func (a *Auth) CallbackHandler() http.Handler { return http.HandlerFunc(a.serveCallback) }

// LogoutHandler ends the session: POST from the app's own pages only.
func (a *Auth) LogoutHandler() http.Handler { return http.HandlerFunc(a.serveLogout) }

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
// server-side SessionStore that indexes sessions by user; with the default
// cookie store it fails with session.ErrRevocationUnsupported.
func (a *Auth) RevokeUser(ctx context.Context, lineUserID string) error {
	if err := a.sessions.RevokeOwner(ctx, lineUserID); err != nil {
		return err
	}
	a.emit(ctx, Event{Kind: EventRevoke, UserID: lineUserID})
	return nil
}
