package comparisons_test

import (
	"context"
	"crypto/subtle"
	"net/http"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/gorilla/securecookie"
	"golang.org/x/oauth2"

	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/session"
)

// newBaselineContender is a login written by hand on x/oauth2 and go-oidc,
// as their documentation shows it: /login puts a random state, nonce and
// PKCE verifier in three HttpOnly cookies and redirects to LINE; /callback
// compares the state in constant time, exchanges the code with the
// verifier, verifies the ID token with oidc.NewVerifier (HS256 under the
// channel secret, through hmacKeySet) and compares the nonce, and ends with
// the user ID in a session cookie made with gorilla/securecookie (HMAC and
// AES, as gorilla/sessions' CookieStore makes them). The flow's cookies are
// neither signed nor encrypted (go-oidc's examples do the same): less work
// than linelogin's encrypted flow cookie.
func newBaselineContender(tb testing.TB, p *linetest.Platform) contender {
	tb.Helper()
	client := platformClient(p)
	conf := lineOAuth2(p)
	verifier := hs256Verifier(p, hmacKeySet{[]byte(p.ChannelSecret())})
	sessions := securecookie.New(session.GenerateKey(), session.GenerateKey())
	var last string
	setCookie := func(w http.ResponseWriter, name, value string, maxAge int) {
		http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		state, nonce, pkce := randomHex(), randomHex(), oauth2.GenerateVerifier()
		setCookie(w, "state", state, 600)
		setCookie(w, "nonce", nonce, 600)
		setCookie(w, "pkce", pkce, 600)
		http.Redirect(w, r, conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(pkce)), http.StatusFound)
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		state, err1 := r.Cookie("state")
		nonce, err2 := r.Cookie("nonce")
		pkce, err3 := r.Cookie("pkce")
		for _, name := range []string{"state", "nonce", "pkce"} {
			setCookie(w, name, "", -1)
		}
		q := r.URL.Query()
		if err1 != nil || err2 != nil || err3 != nil || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state.Value)) != 1 {
			http.Error(w, "bad state", http.StatusBadRequest)
			return
		}
		subject, ok := exchangeAndVerify(w, r, conf, verifier, client, q.Get("code"), pkce.Value, nonce.Value)
		if !ok {
			return
		}
		session, err := sessions.Encode("session", subject)
		if err != nil {
			http.Error(w, "no session", http.StatusInternalServerError)
			return
		}
		setCookie(w, "session", session, 0)
		last = subject
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	return contender{
		name:     "oauth2-go-oidc",
		platform: p,
		handler:  mux,
		session:  "session",
		lastUser: func() string { u := last; last = ""; return u },
	}
}

// hmacKeySet is a go-oidc KeySet for LINE's web-login ID tokens: HS256
// under the channel secret. go-oidc's StaticKeySet takes public keys only.
type hmacKeySet struct{ secret []byte }

func (k hmacKeySet) VerifySignature(_ context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return nil, err
	}
	return jws.Verify(k.secret)
}

// lineOAuth2 is the x/oauth2 configuration of a login written by hand
// against p: LINE wants client_secret in the body.
func lineOAuth2(p *linetest.Platform) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     p.ChannelID(),
		ClientSecret: p.ChannelSecret(),
		RedirectURL:  cmpCallbackURL,
		Scopes:       []string{oidc.ScopeOpenID, "profile"},
		Endpoint: oauth2.Endpoint{
			AuthURL:   p.AccessURL() + linetest.PathAuthorize,
			TokenURL:  p.APIURL() + linetest.PathToken,
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// hs256Verifier is go-oidc's verifier of p's web-login ID tokens, HS256
// under the channel secret through ks.
func hs256Verifier(p *linetest.Platform, ks oidc.KeySet) *oidc.IDTokenVerifier {
	return oidc.NewVerifier(p.Issuer(), ks, &oidc.Config{
		ClientID:             p.ChannelID(),
		SupportedSigningAlgs: []string{string(jose.HS256)},
	})
}

// exchangeAndVerify is the callback's core in the hand-written logins:
// exchange code with x/oauth2 (PKCE verifier pkce, bounded by
// loginTimeout), verify the ID token with go-oidc and compare its nonce.
// It returns the user's ID, or answers the error itself and reports false.
func exchangeAndVerify(w http.ResponseWriter, r *http.Request, conf *oauth2.Config, verifier *oidc.IDTokenVerifier, client *http.Client, code, pkce, nonce string) (string, bool) {
	ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), oauth2.HTTPClient, client), loginTimeout)
	defer cancel()
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	if err != nil {
		http.Error(w, "token exchange failed", http.StatusBadGateway)
		return "", false
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	if err != nil || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		http.Error(w, "bad ID token", http.StatusUnauthorized)
		return "", false
	}
	return idt.Subject, true
}
