package comparisons_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"

	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/session"
)

// newZitadelContender is zitadel/oidc's relying party (pkg/client/rp) with
// PKCE, its state and verifier in its CookieHandler's cookies (gorilla
// securecookie, hashed and encrypted), on linetest's discovery, with three
// additions LINE needs:
//
//   - Discovery lists ES256 only, and the relying party's verifier fetches
//     keys from the JWKS, but web-login ID tokens are HS256 under the
//     channel secret: the verifier is told to accept HS256
//     (WithSupportedSigningAlgorithms) and its KeySet is replaced, after
//     NewRelyingPartyOIDC, with zitadelHMACKeySet. IDTokenVerifier returns
//     the verifier the handlers use, and KeySet is an exported field.
//   - LINE wants client_secret in the token request's body
//     (WithAuthStyle(oauth2.AuthStyleInParams)), not a guess per request.
//   - The relying party sends no nonce of its own: /login makes one, keeps
//     it in a cookie of the same CookieHandler and adds it to the authorize
//     URL (WithURLParam); /callback reads it back into the request's
//     context, where the verifier's WithNonce finds it.
//
// The login ends with the user ID in a session cookie of the same
// CookieHandler. The app is not https, so the cookies are made
// WithUnsecure.
func newZitadelContender(tb testing.TB, p *linetest.Platform) contender {
	tb.Helper()
	cookies := httphelper.NewCookieHandler(session.GenerateKey(), session.GenerateKey(), httphelper.WithUnsecure())
	party, err := rp.NewRelyingPartyOIDC(context.Background(), p.Issuer(), p.ChannelID(), p.ChannelSecret(), cmpCallbackURL,
		[]string{oidc.ScopeOpenID, oidc.ScopeProfile},
		rp.WithPKCE(cookies),
		rp.WithHTTPClient(&http.Client{Transport: p.Transport(), Timeout: zitadelTimeout}),
		rp.WithAuthStyle(oauth2.AuthStyleInParams),
		rp.WithVerifierOpts(
			rp.WithSupportedSigningAlgorithms(string(jose.HS256)),
			rp.WithNonce(func(ctx context.Context) string { n, _ := ctx.Value(nonceKey{}).(string); return n }),
		),
	)
	if err != nil {
		tb.Fatal(err)
	}
	party.IDTokenVerifier().KeySet = zitadelHMACKeySet{[]byte(p.ChannelSecret())}

	var last string
	exchange := rp.CodeExchangeHandler(func(w http.ResponseWriter, r *http.Request, tokens *oidc.Tokens[*oidc.IDTokenClaims], _ string, _ rp.RelyingParty) {
		last = tokens.IDTokenClaims.GetSubject()
		if err := cookies.SetCookie(w, "session", last); err != nil {
			http.Error(w, "no session", http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}, party)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		nonce := randomHex()
		if err := cookies.SetCookie(w, "nonce", nonce); err != nil {
			http.Error(w, "no nonce", http.StatusInternalServerError)
			return
		}
		rp.AuthURLHandler(randomHex, party, rp.WithURLParam("nonce", nonce))(w, r)
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		nonce, err := cookies.CheckCookie(r, "nonce")
		cookies.DeleteCookie(w, "nonce")
		if err != nil {
			http.Error(w, "no nonce", http.StatusBadRequest)
			return
		}
		exchange(w, r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce)))
	})
	return contender{
		name:     "zitadel-rp",
		platform: p,
		handler:  mux,
		session:  "session",
		lastUser: func() string { u := last; last = ""; return u },
	}
}

// zitadelTimeout is the Timeout of zitadel/oidc's default HTTP client
// (httphelper.DefaultHTTPClient), which WithHTTPClient replaces.
const zitadelTimeout = 30 * time.Second

// nonceKey is the context key under which the zitadel contender's
// /callback hands the flow's nonce to the verifier.
type nonceKey struct{}

// zitadelHMACKeySet is a zitadel/oidc KeySet for LINE's web-login ID
// tokens: HS256 under the channel secret (CheckSignature has already
// limited the algorithms to the verifier's supported ones).
type zitadelHMACKeySet struct{ secret []byte }

func (k zitadelHMACKeySet) VerifySignature(_ context.Context, jws *jose.JSONWebSignature) ([]byte, error) {
	return jws.Verify(k.secret)
}
