package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/linelogin/linelogin/session"
)

// touchCheck is how often, at most, a request on a session cached here
// asks the store to record it as seen; the store itself writes at most
// every few minutes (redisstore.Options.TouchInterval).
const touchCheck = time.Minute

// touchTimeout bounds a "last seen" write, which runs after the request.
const touchTimeout = 2 * time.Second

// UserSession is one of the user's sessions, as a "where you're signed
// in" page lists them.
type UserSession struct {
	session.Info
	// Current is set for the session of the request that asked.
	Current bool
}

// UserSessions manages the sessions of the app's LINE users: a "where
// you're signed in" page (List, End, EndOthers, EndHandler), an operator's
// ban (RevokeUser) and a user's request to delete their account
// (Unregister). Get it from Auth.Sessions. Listing and ending other
// sessions need a server-side Session.Store that lists sessions
// (session/redisstore).
type UserSessions struct{ a *Auth }

// Sessions returns the room that manages users' sessions.
func (a *Auth) Sessions() *UserSessions { return &UserSessions{a: a} }

// List returns the sessions of the request's user, most recently seen
// first, with the request's own marked Current. It needs a server-side
// Session.Store that lists sessions (redisstore): with the cookie store it
// fails with session.ErrListingUnsupported. A request without a session
// cookie fails with ErrLoginRequired; a store outage wraps
// session.ErrStoreUnavailable.
func (s *UserSessions) List(r *http.Request) ([]UserSession, error) {
	a, err := s.a.at(r)
	if err != nil {
		return nil, err
	}
	l, owner, current, err := a.userSessionStore(r)
	if err != nil {
		return nil, err
	}
	infos, err := l.List(r.Context(), owner)
	if err != nil {
		return nil, fmt.Errorf("%w: list sessions: %w", session.ErrStoreUnavailable, err)
	}
	out := make([]UserSession, len(infos))
	for i, info := range infos {
		out[i] = UserSession{Info: info, Current: info.ID == current}
	}
	return out, nil
}

// End ends the request user's session id (a UserSession's ID) on
// every instance. Ending the request's own session also deletes its
// cookie through w, as a logout does. An id that is not one of the user's
// sessions ends nothing. Errors are those of List.
func (s *UserSessions) End(w http.ResponseWriter, r *http.Request, id string) error {
	a, err := s.a.at(r)
	if err != nil {
		return err
	}
	l, owner, current, err := a.userSessionStore(r)
	if err != nil {
		return err
	}
	if id == current {
		a.sessionCache.forget(a.sessions.Value(r))
		if err := a.sessions.Destroy(w, r); err != nil {
			return fmt.Errorf("%w: end session: %w", session.ErrStoreUnavailable, err)
		}
		return nil
	}
	if err := l.DeleteID(r.Context(), owner, id); err != nil {
		return fmt.Errorf("%w: end session: %w", session.ErrStoreUnavailable, err)
	}
	return nil
}

// EndOthers ends every session of the request's user but the
// request's own, on every instance ("sign out everywhere else"). Errors
// are those of List.
func (s *UserSessions) EndOthers(r *http.Request) error {
	a, err := s.a.at(r)
	if err != nil {
		return err
	}
	l, owner, current, err := a.userSessionStore(r)
	if err != nil {
		return err
	}
	infos, err := l.List(r.Context(), owner)
	if err != nil {
		return fmt.Errorf("%w: list sessions: %w", session.ErrStoreUnavailable, err)
	}
	for _, info := range infos {
		if info.ID == current {
			continue
		}
		if err := l.DeleteID(r.Context(), owner, info.ID); err != nil {
			return fmt.Errorf("%w: end session: %w", session.ErrStoreUnavailable, err)
		}
	}
	return nil
}

// EndHandler ends sessions of the logged-in user from a form of
// the app's own pages: a POST with `id` (a UserSession's ID) ends that
// session, one with `others` set ends every session but the request's
// own. Like logout it accepts only a same-origin POST (403 otherwise, 405
// for other methods), then answers 303 to the form's `return_to` (a
// same-origin path) or `/`. Without a session it answers as
// RequireLINEUser does; with the store down, 503 with Retry-After.
func (s *UserSessions) EndHandler() http.Handler {
	return s.a.perTenant(func(a *Auth) http.Handler { return (&UserSessions{a: a}).endHandler() })
}

func (s *UserSessions) endHandler() http.Handler {
	a := s.a
	end := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		if r.PostFormValue("others") != "" {
			err = s.EndOthers(r)
		} else {
			err = s.End(w, r, r.PostFormValue("id"))
		}
		switch {
		case errors.Is(err, session.ErrStoreUnavailable):
			a.log.Error("linelogin: session store unavailable", "error", err)
			a.serveUnavailable(w, r, err)
			return
		case err != nil:
			a.fail(w, r, err, nil)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, safeReturnTo(r.PostFormValue("return_to")), http.StatusSeeOther)
	})
	protected := a.RequireLINEUserFrom(SourceSession)(end)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if !a.sameOrigin(r) {
			// Ending a session is a logout of one device: the same
			// proof is asked, for the same reason.
			a.fail(w, r, fmt.Errorf("end session: %w", ErrCrossSiteRequest), nil)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		protected.ServeHTTP(w, r)
	})
}

// userSessionStore returns the store as a Lister, the request's user (the
// owner of its session) and the ID of the request's session.
func (a *Auth) userSessionStore(r *http.Request) (l session.Lister, owner, current string, err error) {
	if a.sessions != nil {
		l = a.sessions.Lister()
	}
	if l == nil {
		return nil, "", "", session.ErrListingUnsupported
	}
	st := stateFrom(r.Context())
	if st == nil {
		st = a.identifySession(discardHeaders{}, r)
	}
	if st.unavailable != nil {
		return nil, "", "", st.unavailable
	}
	if st.source != SourceSession || st.user == nil {
		return nil, "", "", ErrLoginRequired
	}
	ref, err := a.sessions.Ref(r)
	if err != nil {
		return nil, "", "", ErrLoginRequired
	}
	return l, st.user.ID, l.ID(ref), nil
}

// discardHeaders is a ResponseWriter for a session lookup whose response
// is not this call's to write (a re-issued cookie waits for the next
// request through Handler).
type discardHeaders struct{}

func (discardHeaders) Header() http.Header         { return http.Header{} }
func (discardHeaders) Write(b []byte) (int, error) { return len(b), nil }
func (discardHeaders) WriteHeader(int)             {}

// sessionTouch is what a cached session needs to be recorded as seen.
type sessionTouch struct {
	lister session.Lister
	owner  string
	ref    []byte
	next   atomic.Int64 // Unix nanoseconds of the next check
}

// newSessionTouch returns the touch state of owner's session ref, or nil
// when the store does not list sessions.
func (a *Auth) newSessionTouch(owner string, ref []byte) *sessionTouch {
	l := a.sessions.Lister()
	if l == nil {
		return nil
	}
	return &sessionTouch{lister: l, owner: owner, ref: ref}
}

// touchSession records, at most once per touchCheck per cached session,
// that the session was used now from r's device. The write runs after
// the request, bounded by touchTimeout, and its failure only leaves "last
// seen" older: it never fails the request.
func (a *Auth) touchSession(r *http.Request, t *sessionTouch) {
	if t == nil {
		return
	}
	now := a.cfg.Now()
	next := t.next.Load()
	if now.UnixNano() < next || !t.next.CompareAndSwap(next, now.Add(touchCheck).UnixNano()) {
		return
	}
	device := deviceHint(r.UserAgent())
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), touchTimeout)
		defer cancel()
		if err := t.lister.Touch(ctx, t.owner, t.ref, now, device); err != nil {
			a.log.Debug("linelogin: recording a session as seen failed", "error", err)
		}
	}()
}

// touchSessionNow is touchSession for a session that is not cached here,
// so that no touch state outlives the request: it asks the store at once,
// and the store writes only when its interval has passed.
func (a *Auth) touchSessionNow(r *http.Request, t *sessionTouch) {
	if t == nil {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), touchTimeout)
	defer cancel()
	if err := t.lister.Touch(ctx, t.owner, t.ref, a.cfg.Now(), deviceHint(r.UserAgent())); err != nil {
		a.log.Debug("linelogin: recording a session as seen failed", "error", err)
	}
}

// deviceHint returns a coarse description of the browser and system a
// User-Agent names, such as "Chrome on Android" or "LINE on iPhone", or ""
// when it names neither. It is a hint for people looking at their
// sessions, never a security check: the header is the client's to choose.
func deviceHint(ua string) string {
	var browser, system string
	for _, b := range []struct{ token, name string }{
		{" Line/", "LINE"}, {"Edg/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"}, {"Chrome/", "Chrome"},
		{"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, s := range []struct{ token, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Macintosh", "macOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	}
	return system
}
