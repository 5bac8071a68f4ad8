package middleware

import (
	"net/http"

	"github.com/linelogin/linelogin/internal/flow"
)

func (a *Auth) serveLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	f := flow.New(SafeReturnTo(r.URL.Query().Get("return_to")), a.cfg.Now())
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
	attempt := f.Attempt()
	if a.cfg.SendUILocales {
		if msgs, matched := a.languages.forRequest(r); matched {
			attempt.UILocales = msgs.Tag.String()
		}
	}
	// The authorize URL is absolute, so http.Redirect would only parse it
	// again and write an HTML copy of it as the body, which no browser
	// shows for a 302.
	w.Header().Set("Location", a.client.AuthCodeURL(attempt))
	w.WriteHeader(http.StatusFound)
}
