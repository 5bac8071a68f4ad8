package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/session"
)

// Auth is LINE Login for one app. Make it with New and share it; it is safe
// for concurrent use.
type Auth struct {
	cfg          Config
	client       *callback.Client
	sessions     *session.Manager
	flows        *flowStore
	origin       string // the app's origin, from the callback URL
	callbackPath string
	log          *slog.Logger
}

// New validates cfg and returns an Auth.
func New(cfg Config) (*Auth, error) {
	cfg.setDefaults()
	client, err := callback.New(cfg.LINE)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	redirect, _ := url.Parse(client.Config().RedirectURL) // validated by callback.New
	if err := cfg.validate(redirect.Path); err != nil {
		return nil, err
	}
	secure := redirect.Scheme == "https"
	sessions, err := session.NewManager(session.Config{
		Keys:     cfg.SessionKeys,
		Secure:   secure,
		Lifetime: cfg.SessionLifetime,
		Store:    cfg.SessionStore,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	flows, err := newFlowStore(cfg.SessionKeys, secure, client.Config().ResponseMode, cfg.MaxFlows)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return &Auth{
		cfg:          cfg,
		client:       client,
		sessions:     sessions,
		flows:        flows,
		origin:       redirect.Scheme + "://" + redirect.Host,
		callbackPath: redirect.Path,
		log:          cfg.Logger,
	}, nil
}

// Client returns the LINE Login client, for calls such as Profile.
func (a *Auth) Client() *callback.Client { return a.client }

// Handler serves the login, callback and logout paths and passes every
// other request to next, with the session's user (if any) in its context.
// It has the shape of chi's and gorilla/mux's middleware.
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
			next.ServeHTTP(w, a.withSession(w, r))
		}
	})
}

// LoginHandler starts a login: GET with an optional return_to path.
func (a *Auth) LoginHandler() http.Handler { return http.HandlerFunc(a.serveLogin) }

// CallbackHandler finishes a login at the callback URL.
func (a *Auth) CallbackHandler() http.Handler { return http.HandlerFunc(a.serveCallback) }

// LogoutHandler ends the session: POST from the app's own pages only.
func (a *Auth) LogoutHandler() http.Handler { return http.HandlerFunc(a.serveLogout) }

// withSession returns r with the session's user, or the reason there is
// none, in its context.
func (a *Auth) withSession(w http.ResponseWriter, r *http.Request) *http.Request {
	if _, ok := r.Context().Value(stateKey{}).(*requestState); ok {
		return r // mounted twice, or RequireLINEUser behind Handler
	}
	st := &requestState{}
	payload, err := a.sessions.Load(w, r)
	switch {
	case err == nil:
		st.data, err = decodeSessionData(payload)
		if err != nil {
			// A payload this version cannot read: logged out, not a 500.
			st.data = nil
		}
	case errors.Is(err, session.ErrNoSession):
	default:
		a.log.Error("linelogin: session store unavailable", "error", err)
		st.err = err
	}
	return r.WithContext(withState(r.Context(), st))
}

// RevokeUser ends every session of the LINE user lineUserID on every app
// instance, for example when an operator bans an account. It needs a
// server-side SessionStore that indexes sessions by user; with the default
// cookie store it fails with session.ErrRevocationUnsupported.
func (a *Auth) RevokeUser(ctx context.Context, lineUserID string) error {
	return a.sessions.RevokeOwner(ctx, lineUserID)
}
