package middleware

import (
	"net/http"
	"slices"
	"strings"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/flow"
)

// LoginOptions are the choices of one login, made by the app's code: where
// to land, and authorize parameters that replace Config.LINE's for this
// login only. The login path's query string never sets them, since whoever
// wrote a link to it would choose them: only return_to is read from it.
//
// On top of callback.LoginOptions' own rules: a MaxAge makes the callback
// refuse an ID token whose auth_time is missing or older (see
// RequireRecentLogin); an empty Prompt on a login that asks again for a
// scope the user declined before is sent as "consent", so that LINE shows
// its consent screen again; an empty UILocales is, with
// Config.Pages.SendUILocales, the language of the request's pages. The
// session records the scopes granted (see RequireScope).
type LoginOptions struct {
	// ReturnTo is the local path (with its query) to land on after the
	// login; "/" if empty or not a same-origin path (an absolute URL, a
	// scheme-relative one, a backslash, an encoded slash: all become "/").
	ReturnTo string
	// LINE are the authorize parameters of this login, e.g. Scopes with
	// "email" added on the page that needs the address, or BotPrompt on a
	// campaign page.
	LINE callback.LoginOptions
}

// Login starts a login with opts: it binds them to a new flow cookie and
// redirects the browser to LINE. Call it from the app's own handler, for
// example on a page that needs a scope the session lacks; opts come from
// the app's code, never from the request. Options LINE would refuse answer
// with the error page of ErrConfig.
func (a *Auth) Login(w http.ResponseWriter, r *http.Request, opts LoginOptions) {
	t, err := a.at(r)
	if err != nil {
		a.serveTenantError(w, r, err)
		return
	}
	t.startLogin(w, r, opts)
}

// LoginHandlerWith is LoginHandler with the options of opts, for a login
// button of its own (e.g. one that offers the official account). A
// return_to in the query is used when opts.ReturnTo is empty; nothing else
// in the request changes the login.
func (a *Auth) LoginHandlerWith(opts LoginOptions) http.Handler {
	return a.perTenant(func(a *Auth) http.Handler { return a.loginHandlerWith(opts) })
}

func (a *Auth) loginHandlerWith(opts LoginOptions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		o := opts
		if o.ReturnTo == "" {
			o.ReturnTo = r.URL.Query().Get("return_to")
		}
		a.startLogin(w, r, o)
	})
}

// startLogin starts a new flow with opts and redirects to LINE.
func (a *Auth) startLogin(w http.ResponseWriter, r *http.Request, opts LoginOptions) {
	lo := opts.LINE
	lo.Scopes = slices.Clone(lo.Scopes) // the flow keeps them; the caller may reuse its slice
	if lo.UILocales == "" && a.cfg.Pages.SendUILocales {
		if msgs, matched := a.languages.forRequest(r); matched {
			lo.UILocales = msgs.Tag.String()
		}
	}
	if lo.Prompt == "" && lo.Scopes != nil && a.declinedBefore(r, lo.Scopes) {
		// LINE skips its consent screen for a user who answered it before:
		// without consent, asking again would get the same refusal.
		lo.Prompt = "consent"
	}
	if err := lo.Check(slices.Contains(a.configScopes(), "openid")); err != nil {
		a.fail(w, r, err, nil)
		return
	}
	f := flow.New(safeReturnTo(opts.ReturnTo), a.cfg.Now())
	f.SetOptions(lo)
	if err := a.flows.Save(w, r, f); err != nil {
		a.fail(w, r, err, nil)
		return
	}
	a.metrics.loginStarted(r.Context())
	if a.loopbackMismatch(r) {
		a.log.Warn("linelogin: login started on another host name than the callback URL's: it will fail with a state error",
			"host", r.Host, "callback_origin", a.origin, "hint", "open the app at "+a.origin)
	}
	w.Header().Set("Cache-Control", "no-store")
	authorize, err := a.client.AuthCodeURL(f.Attempt())
	if err != nil {
		a.fail(w, r, err, nil)
		return
	}
	// The authorize URL is absolute, so http.Redirect would only parse it
	// again and write an HTML copy of it as the body, which no browser
	// shows for a 302.
	w.Header().Set("Location", authorize)
	w.WriteHeader(http.StatusFound)
}

// configScopes are the scopes of Config.LINE, defaults applied.
func (a *Auth) configScopes() []string {
	if len(a.cfg.LINE.Scopes) == 0 {
		return []string{"openid", "profile"} // callback.Config's default
	}
	return a.cfg.LINE.Scopes
}

// declinedBefore reports whether the request's session shows that the user
// declined one of scopes: its login asked for it and did not get it.
func (a *Auth) declinedBefore(r *http.Request, scopes []string) bool {
	st := stateFrom(r.Context())
	if st == nil || st.session == nil {
		return false
	}
	for _, s := range scopes {
		if st.session.declined(s) {
			return true
		}
	}
	return false
}

// declined reports whether the session's login asked for scope and the
// user did not grant it.
func (d *sessionData) declined(scope string) bool {
	return hasWord(d.asked, scope) && !hasWord(d.granted, scope)
}

// hasWord reports whether the space-separated list has w.
func hasWord(list, w string) bool {
	for s := range strings.FieldsSeq(list) {
		if s == w {
			return true
		}
	}
	return false
}
