package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/middleware"
)

// app is the example: a public home page, a protected /me page and a
// protected /api/me JSON endpoint, behind LINE Login.
type app struct {
	auth     *middleware.Auth
	accounts *accounts
	demo     bool
	log      *slog.Logger
	secure   bool // BASE_URL is https: the app's own cookie is Secure
	// postedCallback: LINE posts the callback (form_post), a cross-site
	// POST that a SameSite=Lax cookie does not come along with.
	postedCallback bool
	// metrics is set when METRICS_ADDR is: run serves it there.
	metrics *metricsExporter
	// shops are the names of the tenants' home pages, by host.
	shops map[string]string
}

// newApp builds the example for c, linking LINE users to accounts; demo
// says that c points at the embedded linetest platform, which the pages
// then mention.
func newApp(c config, accts *accounts, demo bool, log *slog.Logger) (*app, error) {
	store, err := redisStore(c.RedisURL, log)
	if err != nil {
		return nil, err
	}
	linking, err := accts.linking(c, log)
	if err != nil {
		return nil, err
	}
	var a *app
	linking.SignedInAccount = func(r *http.Request) (string, error) { return a.signedInAccount(r) }
	var metrics *metricsExporter
	if c.MetricsAddr != "" {
		if metrics, err = newMetricsExporter(); err != nil {
			return nil, err
		}
	}
	cfg := middleware.Config{
		Linking: linking,
		OnLogin: func(ctx context.Context, login *callback.Login) error { return a.onLogin(ctx, login) },
		LINE: callback.Config{
			ChannelID:     c.ChannelID,
			ChannelSecret: c.ChannelSecret,
			ExtraChannels: c.ExtraChannels,
			RedirectURL:   c.BaseURL + "/callback",
			Scopes:        c.Scopes,
			AccessURL:     c.AccessURL,
			APIURL:        c.APIURL,
			ResponseMode:  c.ResponseMode,
		},
		Session: middleware.SessionConfig{
			Keys:             c.SessionKeys,
			Store:            store,
			KeepRefreshToken: true, // /me calls LINE's friendship API
		},
		Pages: middleware.Pages{
			SendUILocales: true, // LINE's screens in the language of the example's
			OnError:       func(w http.ResponseWriter, r *http.Request, err error) { a.onError(w, r, err) },
		},
		Logger:        log,
		MeterProvider: metrics.meterProvider(),
	}
	shops := map[string]string{}
	if len(c.Tenants) > 0 {
		// A tenant per host: the channel chosen by the request's host, and
		// a 421 page for any other host.
		if cfg.Tenants, err = tenantStore(c, cfg.LINE); err != nil {
			return nil, err
		}
		for _, t := range c.Tenants {
			if t.Name != "" {
				shops[t.Host] = t.Name
			}
		}
	}
	auth, err := middleware.New(cfg)
	if err != nil {
		return nil, err
	}
	a = &app{auth: auth, accounts: accts, demo: demo, log: log, secure: strings.HasPrefix(c.BaseURL, "https://"),
		postedCallback: strings.HasPrefix(c.ResponseMode, "form_post"), metrics: metrics, shops: shops}
	return a, nil
}

// home greets a logged-in user, or offers the LINE login button.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	user, _ := middleware.UserFromContext(r.Context())
	render(w, homePage, pageData{User: user, Demo: a.demo, Shop: a.shopName(r.Host), T: a.texts(r)})
}

// me shows the logged-in user, their account here, and whether they are a
// friend of the channel's official account (asked of LINE with the
// session's access token); RequireLINEUser guards it.
func (a *app) me(w http.ResponseWriter, r *http.Request) {
	user, _ := middleware.UserFromContext(r.Context())
	acct, err := middleware.LinkedAccountFromContext(r.Context())
	if err != nil {
		a.auth.ServeError(w, r, err)
		return
	}
	data := pageData{User: user, Demo: a.demo, AccountID: acct, Friend: "unknown", T: a.texts(r)}
	client, err := a.auth.ClientFor(r) // the channel of r's host
	if tok, terr := a.auth.Token(w, r); err == nil && terr == nil {
		if friend, err := client.Friendship(r.Context(), tok.AccessToken); err == nil {
			data.Friend = map[bool]string{true: "yes", false: "no"}[friend]
		}
	}
	data.Sessions = a.sessions(r)
	render(w, mePage, data)
}

// texts returns the words of r's pages, in the language the middleware
// chose for it (from Accept-Language), so that the example's pages and
// the library's error pages agree.
func (a *app) texts(r *http.Request) *texts { return textsFor(a.auth.Language(r)) }

// meJSON is the user as JSON: fields LINE did not give are left out.
type meJSON struct {
	UserID      string `json:"userId"`
	DisplayName string `json:"displayName,omitempty"`
	PictureURL  string `json:"pictureUrl,omitempty"`
	Email       string `json:"email,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
}

func (a *app) apiMe(w http.ResponseWriter, r *http.Request) {
	user, _ := middleware.UserFromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	acct, err := middleware.LinkedAccountFromContext(r.Context())
	if err != nil {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "unavailable"})
		return
	}
	_ = json.NewEncoder(w).Encode(meJSON{
		UserID:      user.ID,
		DisplayName: user.DisplayName,
		PictureURL:  user.PictureURL,
		Email:       user.Email,
		AccountID:   acct,
	})
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok"))
}
