package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/flow"
	"github.com/linelogin/linelogin/internal/linkmemory"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/session"
)

// Linking configures account linking: each LINE user ID linked to at most
// one of the app's own accounts, and each account to at most one LINE
// user, in a link.Store. With it, the linked account of every request's
// LINE user (session, Bearer access token or X-Line-ID-Token) is read by
// LinkedAccountFromContext, and the handlers of Auth.Links serve linking:
// ConnectHandler and UnlinkHandler let a user signed in to the app connect
// and disconnect LINE; APIHandler links from LIFF and native apps. New
// refuses a Linking without Store, or, with a web login, without
// SignedInAccount.
type Linking struct {
	// Store keeps the links. Required. With Config.Tenants it holds every
	// tenant's links, each tenant's LINE user and account IDs prefixed
	// with its channel ID and a colon ("1234567890:U4af4..."), so that
	// links are per tenant (the prefix counts toward link.MaxIDLength);
	// the hooks and events see the IDs without it.
	Store link.Store

	// SignUp, when set, decides whether a LINE user with no link who logs
	// in on the web gets a new account: it creates one and returns its ID,
	// which is then linked, or returns "" to leave the user unlinked. An
	// error refuses the login (403). Bearer requests never sign up: they
	// stay unlinked until they link.
	SignUp func(ctx context.Context, login *callback.Login) (accountID string, err error)

	// SignedInAccount returns the account signed in to the app's own
	// session on r, or "" when none is. Connect and unlink act on that
	// account, and a connect's callback links only if it still returns
	// the account that started it. At that callback, r has no LINE user in
	// its context yet: the answer must come from the app's own session. An
	// error (the app's session store is down) answers 503: it must never
	// read as "signed out". Required with a web login.
	SignedInAccount func(r *http.Request) (accountID string, err error)

	// BeforeUnlink, when set, runs before Links.UnlinkHandler removes the link
	// of accountID to lineUserID, and may refuse it: an error (say, LINE
	// is the account's only way in, and unlinking would lock the user
	// out) answers 409 with a page saying that the site kept LINE
	// connected (ErrUnlinkRefused, the hook's error in the log only), and
	// nothing is unlinked. An error wrapping link.ErrUnavailable answers
	// 503 instead.
	BeforeUnlink func(ctx context.Context, accountID, lineUserID string) error

	// AfterUnlink is where Links.UnlinkHandler sends the browser; "/" if
	// empty.
	AfterUnlink string
	// DeauthorizeToken, when set, makes unlink also deauthorize the app at
	// LINE for the unlinked LINE user, when the request carries that
	// user's session: it returns a channel access token of the LINE Login
	// channel (see callback.Client.Deauthorize). The session then ends.
	DeauthorizeToken func(ctx context.Context) (channelAccessToken string, err error)

	// InHouseIssuer and InHouseClientID name the app's own OpenID Connect
	// provider and the client ID its ID tokens are issued to, for
	// Links.APIHandler's {"idToken"} proof (method 1 of LINE's ID-linking
	// guide). Empty: that proof is unsupported. The provider's discovery
	// document is fetched on first use, and its keys as needed.
	InHouseIssuer   string
	InHouseClientID string
	// InHouseHTTPClient fetches the provider's discovery document and
	// keys; a client with a 10-second timeout if nil.
	InHouseHTTPClient *http.Client
	// Replay remembers the in-house ID tokens already used, so that each
	// links once; one process's memory if nil. Apps with several
	// instances share one, such as redislink.Replay (package link/redislink).
	Replay link.ReplayMemory

	// CheckFacts checks the {"memberNumber","birthDate"} proof of
	// Links.APIHandler (methods 2 and 3 of LINE's guide). Nil: that proof is
	// unsupported.
	CheckFacts link.FactsChecker
	// Attempts reserves Links.APIHandler's tries before their proofs are
	// checked and keeps the refused ones, per LINE user and per
	// membership number; if nil, one process's memory with
	// 5 refusals in 15 minutes. Apps with several instances
	// share one, such as redislink.Attempts, so that guesses spread over
	// instances add up.
	Attempts link.Attempts
}

// linker is Linking at work, one per Auth.
type linker struct {
	cfg      Linking
	accounts *linkCache
	inHouse  *inHouseVerifier // nil without an in-house issuer
	log      *slog.Logger
}

// setupLinking validates cfg.Linking and prepares it.
func (a *Auth) setupLinking() error {
	if a.cfg.Linking == nil {
		return nil
	}
	l := *a.cfg.Linking // defaults go in the copy, not the caller's value
	if l.Store == nil {
		return fmt.Errorf("%w: Linking.Store is required", ErrConfig)
	}
	if l.AfterUnlink == "" {
		l.AfterUnlink = "/"
	}
	if !strings.HasPrefix(l.AfterUnlink, "/") || strings.HasPrefix(l.AfterUnlink, "//") {
		return fmt.Errorf("%w: Linking.AfterUnlink %q must be a local path", ErrConfig, l.AfterUnlink)
	}
	if (l.InHouseIssuer == "") != (l.InHouseClientID == "") {
		return fmt.Errorf("%w: Linking.InHouseIssuer and InHouseClientID go together", ErrConfig)
	}
	k := &linker{cfg: l, accounts: newLinkCache(l.Store, a.cfg.Now), log: a.log}
	if k.cfg.Attempts == nil {
		k.cfg.Attempts = linkmemory.NewAttempts(maxRefusedProofs, refusedProofWindow)
	}
	if l.InHouseIssuer != "" {
		replay := l.Replay
		if replay == nil {
			replay = linkmemory.NewReplay(a.cfg.Now)
		}
		k.inHouse = newInHouseVerifier(l.InHouseIssuer, l.InHouseClientID, l.InHouseHTTPClient, replay, a.cfg.Now)
	}
	a.linking = k
	return nil
}

type linkerKey struct{}

// withLinker puts the linker in the context of a request with a user, so
// that LinkedAccountFromContext can read the store. The states in the caches
// are shared between requests and never modified, hence a context value
// of its own.
func (a *Auth) withLinker(ctx context.Context, st *requestState) context.Context {
	if a.linking == nil || st.user == nil {
		return ctx
	}
	return context.WithValue(ctx, linkerKey{}, a.linking)
}

// LinkedAccountFromContext returns the app's own account linked to the
// request's LINE user, whatever the credential (session, access token or
// ID token), and "" when the user is unlinked or there is no user.
//
// With Config.Linking, each instance keeps the account of each LINE user
// it has read from Linking.Store, and reads the store again at most once
// a second per user, one read for all the
// requests that ask at once: the requests of a linked user make no store
// round trip in the common case. A link or unlink made through this
// instance (sign-up, Links' handlers) counts on this instance at once; one
// made through another instance, or straight in the store, counts on this
// one within a second. An app that must cut a LINE user off
// everywhere at once also ends their sessions
// (Auth.Sessions().RevokeUser).
//
// An error (matching link.ErrUnavailable for the library's stores) means
// the store could not answer when a read was due: the user may well be
// linked, so answer 503 (ServeError does), never treat it as unlinked.
// Without Linking it returns "" and no error.
func LinkedAccountFromContext(ctx context.Context) (string, error) {
	st := stateFrom(ctx)
	if st == nil || st.user == nil {
		return "", nil
	}
	k, _ := ctx.Value(linkerKey{}).(*linker)
	if k == nil {
		return "", nil
	}
	acct, err := k.accounts.account(ctx, st.user.ID)
	if err != nil {
		k.log.Error("linelogin: reading the linked account failed", "error", err.Error())
		return "", err
	}
	return acct, nil
}

// accountForLogin returns the account of a LINE user who just logged in
// on the web: the linked one, else one SignUp creates, else "".
// The store is read at the login, whatever this instance remembers, and
// what it says is remembered for the user's next requests.
func (k *linker) accountForLogin(ctx context.Context, login *callback.Login) (string, error) {
	acct, err := k.accounts.read(ctx, login.User.ID)
	switch {
	case err != nil:
		return "", err
	case acct != "" || k.cfg.SignUp == nil:
		return acct, nil
	}
	acct, err = k.cfg.SignUp(ctx, login)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrLoginRejected, err)
	}
	if acct == "" {
		return "", nil
	}
	err = k.link(ctx, login.User.ID, acct)
	var conflict *link.ConflictError
	if errors.As(err, &conflict) && conflict.LINEUser {
		// A login of the same user in another tab signed up first: its
		// account is the user's.
		acct, err := k.accounts.read(ctx, login.User.ID)
		if err == nil && acct == "" {
			err = link.ErrNotLinked // unlinked again meanwhile
		}
		return acct, err
	}
	if err != nil {
		return "", err
	}
	k.log.Info("linelogin: signed up and linked")
	return acct, nil
}

// Links serves account linking (see Config.Linking): the "Connect LINE"
// and "Unlink" buttons of a user signed in to the app (ConnectHandler,
// UnlinkHandler), and linking from LIFF and native apps (APIHandler). Get it
// from Auth.Links. Without Config.Linking its handlers answer that the
// site is misconfigured; without a web login, ConnectHandler and
// UnlinkHandler answer 404 (they act on the app's pages' forms and the
// session).
type Links struct{ a *Auth }

// Links returns the room that serves account linking.
func (a *Auth) Links() *Links { return &Links{a: a} }

// maxLinkForm bounds the body of a connect or unlink POST.
const maxLinkForm = 8 << 10

// ConnectHandler starts a LINE login that links the LINE user to the
// account signed in to the app (Linking.SignedInAccount): a POST from the
// app's own pages (same-origin proof as for logout, else 403), with an
// optional return_to form field. The login's flow is bound to the
// account: at the callback, the link is made only if the app's session
// still names it (else 403), and only if neither the LINE user nor the
// account is linked elsewhere (else 409 and a page explaining what to do;
// nothing is overwritten). A connected user is also logged in with LINE.
func (l *Links) ConnectHandler() http.Handler { return l.a.webHandler((*Auth).serveConnect) }

// UnlinkHandler removes the link of the account signed in to the app: a
// POST from the app's own pages (else 403), then a redirect to
// Linking.AfterUnlink. With Linking.DeauthorizeToken, the app is also
// deauthorized at LINE for that LINE user when the request carries their
// session.
func (l *Links) UnlinkHandler() http.Handler { return l.a.webHandler((*Auth).serveUnlink) }

// signedIn runs the checks common to connect and unlink, answering the
// request when one fails, and returns the request with its context and
// the signed-in account.
func (a *Auth) signedIn(w http.ResponseWriter, r *http.Request) (*http.Request, string, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return r, "", false
	}
	if a.linking == nil || a.linking.cfg.SignedInAccount == nil {
		a.fail(w, r, fmt.Errorf("%w: Linking.SignedInAccount is not set", ErrConfig), nil)
		return r, "", false
	}
	if !a.sameOrigin(r) {
		a.failLink(w, r, ErrCrossSiteRequest)
		return r, "", false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLinkForm)
	r, _ = a.state(w, r)
	acct, err := a.linking.cfg.SignedInAccount(r)
	if err != nil {
		a.failLink(w, r, fmt.Errorf("%w: reading the signed-in account: %w", link.ErrUnavailable, err))
		return r, "", false
	}
	if acct == "" {
		a.failLink(w, r, ErrNotSignedIn)
		return r, "", false
	}
	return r, acct, true
}

func (a *Auth) serveConnect(w http.ResponseWriter, r *http.Request) {
	r, acct, ok := a.signedIn(w, r)
	if !ok {
		return
	}
	f := flow.New(safeReturnTo(r.PostFormValue("return_to")), a.cfg.Now())
	f.LinkAccount = acct
	if err := a.flows.Save(w, r, f); err != nil {
		a.fail(w, r, err, nil)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	// 303: the browser follows a POST's redirect with a GET.
	authorize, err := a.client.AuthCodeURL(f.Attempt())
	if err != nil {
		a.fail(w, r, err, nil)
		return
	}
	http.Redirect(w, r, authorize, http.StatusSeeOther)
}

// finishConnect links the LINE user of a connect flow's login to the
// flow's account. It answers the request and returns false when it does
// not.
func (a *Auth) finishConnect(w http.ResponseWriter, r *http.Request, f *flow.Flow, login *callback.Login) bool {
	if a.linking == nil || a.linking.cfg.SignedInAccount == nil {
		a.fail(w, r, fmt.Errorf("%w: a connect flow arrived without Linking", ErrConfig), f)
		return false
	}
	// The session may have ended, or another account signed in, while the
	// user was at LINE: linking then would give someone else's LINE
	// account to the account now signed in (or the other way round).
	acct, err := a.linking.cfg.SignedInAccount(r)
	if err != nil {
		a.failLink(w, r, fmt.Errorf("%w: reading the signed-in account: %w", link.ErrUnavailable, err))
		return false
	}
	if acct != f.LinkAccount {
		a.failLink(w, r, ErrConnectSessionChanged)
		return false
	}
	if err := a.linking.link(r.Context(), login.User.ID, f.LinkAccount); err != nil {
		a.failLink(w, r, err)
		return false
	}
	a.log.Info("linelogin: connected LINE to an account")
	a.emit(r.Context(), Event{Kind: EventLink, UserID: login.User.ID, AccountID: f.LinkAccount})
	return true
}

func (a *Auth) serveUnlink(w http.ResponseWriter, r *http.Request) {
	r, acct, ok := a.signedIn(w, r)
	if !ok {
		return
	}
	k := a.linking
	if k.cfg.BeforeUnlink != nil {
		if err := a.beforeUnlink(r.Context(), acct); err != nil {
			a.failLink(w, r, err)
			return
		}
	}
	lineUserID, err := k.unlink(r.Context(), acct)
	switch {
	case errors.Is(err, link.ErrNotLinked):
		// Already unlinked, in another tab perhaps: the wish is granted.
	case err != nil:
		a.failLink(w, r, err)
		return
	default:
		a.log.Info("linelogin: unlinked LINE from an account")
		a.emit(r.Context(), Event{Kind: EventUnlink, UserID: lineUserID, AccountID: acct})
		if err := a.deauthorize(w, r, lineUserID); err != nil {
			// The session LINE no longer authorizes is still live: saying
			// "done" would leave it working.
			a.failLink(w, r, err)
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, k.cfg.AfterUnlink, http.StatusSeeOther)
}

// beforeUnlink asks Linking.BeforeUnlink about unlinking acct, when it is
// linked. The hook's own error is kept out of the chain (%v), so that the
// refusal matches ErrUnlinkRefused alone whatever the hook wrapped.
func (a *Auth) beforeUnlink(ctx context.Context, acct string) error {
	lineUserID, err := a.linking.cfg.Store.LINEUserOf(ctx, acct)
	switch {
	case errors.Is(err, link.ErrNotLinked):
		return nil // nothing to refuse: the unlink below grants the wish
	case err != nil:
		return err
	}
	err = a.linking.cfg.BeforeUnlink(ctx, acct, lineUserID)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, link.ErrUnavailable):
		return fmt.Errorf("%w: before unlink: %v", link.ErrUnavailable, err)
	}
	return fmt.Errorf("%w: %v", ErrUnlinkRefused, err)
}

// deauthorize withdraws the app's permission at LINE for lineUserID, when
// configured and when the request carries that user's session (only its
// access token can name the user to LINE), then ends that session. It
// returns an error only when the session could not be ended.
func (a *Auth) deauthorize(w http.ResponseWriter, r *http.Request, lineUserID string) error {
	st := stateFrom(r.Context())
	if a.linking.cfg.DeauthorizeToken == nil || st == nil || st.session == nil ||
		st.user.ID != lineUserID || st.session.accessToken == "" {
		return nil
	}
	ctx := context.WithoutCancel(r.Context())
	channelToken, err := a.linking.cfg.DeauthorizeToken(ctx)
	if err == nil {
		err = a.client.Deauthorize(ctx, channelToken, st.session.accessToken)
	}
	if err != nil {
		// The link is gone whatever LINE says; the user can remove the app
		// in LINE's settings too.
		a.log.Warn("linelogin: deauthorize at unlink failed", "error", err.Error())
		return nil
	}
	a.sessionCache.forget(a.sessions.Value(r))
	if err := a.sessions.Destroy(w, r); err != nil {
		if !errors.Is(err, session.ErrStoreUnavailable) {
			err = fmt.Errorf("%w: ending the deauthorized session: %w", session.ErrStoreUnavailable, err)
		}
		return err
	}
	return nil
}

// failLink answers a failed connect or unlink: the OnError hook if set,
// else the default page (see ServeError).
func (a *Auth) failLink(w http.ResponseWriter, r *http.Request, err error) {
	status := errorStatus(err)
	level := a.log.Warn
	if status >= 500 {
		level = a.log.Error
	}
	level("linelogin: request failed", "path", r.URL.Path, "status", status, "error", err.Error())
	w.Header().Set("Cache-Control", "no-store")
	if a.cfg.Pages.OnError != nil {
		a.cfg.Pages.OnError(w, r, err)
		return
	}
	a.ServeError(w, r, err)
}

// link links lineUserID to accountID in the store; this instance's
// requests see it at once.
func (k *linker) link(ctx context.Context, lineUserID, accountID string) error {
	err := k.cfg.Store.Link(ctx, lineUserID, accountID)
	var conflict *link.ConflictError
	switch {
	case err == nil:
		k.accounts.wrote(lineUserID, accountID)
	case errors.As(err, &conflict):
		// Nothing changed.
	default:
		k.accounts.unsure(lineUserID)
	}
	return err
}

// unlink removes the link of accountID from the store; this instance's
// requests see it at once.
func (k *linker) unlink(ctx context.Context, accountID string) (string, error) {
	lineUserID, err := k.cfg.Store.Unlink(ctx, accountID)
	if err == nil {
		k.accounts.wrote(lineUserID, "")
	}
	return lineUserID, err
}
