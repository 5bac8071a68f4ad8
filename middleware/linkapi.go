package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/linelogin/linelogin/link"
)

// maxLinkBody bounds the JSON body of Links.APIHandler.
const maxLinkBody = 8 << 10

// maxMemberNumber bounds a typed membership number.
const maxMemberNumber = 64

// Guessing limits of the link API with the default Linking.Attempts: after
// maxRefusedProofs refused proofs within refusedProofWindow for one
// LINE user, or for one membership number from any LINE users, further
// tries are answered 429 without being checked, right or not, until the
// oldest of those refusals leaves the window. Each try reserves its place
// before its proof is checked, so that of any number of simultaneous
// tries for one key at most maxRefusedProofs are checked; a try whose
// proof succeeds, or cannot be checked, gives its place back.
const (
	maxRefusedProofs   = 5
	refusedProofWindow = 15 * time.Minute
)

// linkRetryAfter is the Retry-After, in seconds, of Links.APIHandler's 503.
const linkRetryAfter = 5

// releaseTimeout bounds the release of a link attempt's reservation,
// which outlives a client that hangs up.
const releaseTimeout = 5 * time.Second

// linkRequest is Links.APIHandler's body: one proof, either an in-house ID
// token or typed facts. Any other field, a LINE user ID or a profile
// included, is ignored: the LINE user is the one LINE vouched for.
type linkRequest struct {
	IDToken      string `json:"idToken"`
	MemberNumber string `json:"memberNumber"`
	BirthDate    string `json:"birthDate"`
}

// APIHandler links the LINE user of a LIFF or native app's request to
// the app account that the request proves, and answers JSON:
//
//   - the LINE user comes from the request's credential, as in bearer mode
//     (Authorization: Bearer <access token>, or X-Line-ID-Token), never
//     from the body; without one, or with one LINE refuses: 401 with
//     WWW-Authenticate. A session cookie is not accepted, so that no other
//     site can make a browser link;
//   - the body (at most 8 KB) carries one proof: {"idToken": "..."}, an ID
//     token of the app's own OpenID Connect provider (Linking.InHouseIssuer)
//     whose sub is the account, checked for signature, iss, aud, exp, an
//     iat within the last 10 minutes, and single use; or {"memberNumber":
//     "...", "birthDate": "YYYY-MM-DD"}, checked by Linking.CheckFacts.
//     Anything else, or a proof of a kind not configured: 400
//     {"error":"invalid_request"};
//   - a refused proof: 403 {"error":"proof_refused"}, never saying why;
//     after 5 refusals within 15 minutes for the LINE
//     user, or for the membership number from any LINE users (compared
//     after NFKC normalization and case folding, without spaces, dashes
//     and underscores), 429 {"error":"too_many_attempts"} with
//     Retry-After, without checking; likewise while 5
//     proofs of that key are being checked;
//   - the LINE user or the account linked elsewhere: 409
//     {"error":"already_linked"};
//   - linked: 200 {"accountId": "..."}, also when that very link existed.
//
// LINE, the in-house provider (discovery or keys unreachable, slow past
// Linking.InHouseHTTPClient's timeout, or answering 5xx), CheckFacts
// failing with an error other than link.ErrProofRefused, or the store
// unreachable: 503 {"error":"unavailable"} with Retry-After, and no
// refusal counted.
func (l *Links) APIHandler() http.Handler {
	return l.a.perTenant(func(a *Auth) http.Handler { return http.HandlerFunc(a.serveLinkAPI) })
}

func (a *Auth) serveLinkAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeLinkError(w, http.StatusMethodNotAllowed, "invalid_request")
		return
	}
	k := a.linking
	if k == nil {
		a.log.Error("linelogin: Links.APIHandler without Config.Linking")
		writeLinkError(w, http.StatusInternalServerError, "server_error")
		return
	}
	r, st := a.state(w, r)
	switch {
	case st.user != nil && (st.source == SourceAccessToken || st.source == SourceIDToken):
	case st.unavailable != nil:
		writeLinkUnavailable(w)
		return
	case errors.Is(st.refused, ErrMalformedCredential):
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_request"`)
		writeLinkError(w, http.StatusBadRequest, "invalid_request")
		return
	case st.refused != nil:
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeLinkError(w, http.StatusUnauthorized, "invalid_token")
		return
	default:
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeLinkError(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	req, ok := decodeLinkRequest(w, r)
	if !ok {
		writeLinkError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	byToken := req.IDToken != ""
	if byToken && k.inHouse == nil || !byToken && k.cfg.CheckFacts == nil {
		writeLinkError(w, http.StatusBadRequest, "invalid_request")
		return
	}

	// The LINE user's key comes first: a LINE user already locked out
	// then never takes a membership number's place, even for a moment
	// (see redislink.Attempts.Reserve).
	// With Config.Tenants, each tenant counts its own.
	keys := []string{a.tenantPrefix() + "line:" + st.user.ID}
	if !byToken {
		keys = append(keys, a.tenantPrefix()+"member:"+memberKey(req.MemberNumber))
	}
	// The attempt is reserved before the proof is checked, in one step
	// with the test of the limit: check-then-count would let simultaneous
	// guesses through. Locked keys are not checked at all: a right guess
	// during a lockout must look the same as a wrong one.
	reservation, wait, err := k.cfg.Attempts.Reserve(r.Context(), keys, a.cfg.Now())
	if err != nil {
		// Never fail open: without the count, guessing would be free.
		a.log.Error("linelogin: reserving a link attempt failed", "error", err.Error())
		writeLinkUnavailable(w)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		writeLinkError(w, http.StatusTooManyRequests, "too_many_attempts")
		return
	}
	refused := false
	defer func() {
		if refused {
			return // the reservation is the refusal, counted for the window
		}
		// A success or an outage is no guess: give the place back, even
		// when the client has gone.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), releaseTimeout)
		defer cancel()
		if err := k.cfg.Attempts.Release(ctx, keys, reservation); err != nil {
			a.log.Error("linelogin: releasing a link attempt failed", "error", err.Error())
		}
	}()
	var acct string
	if byToken {
		acct, err = k.inHouse.verify(r.Context(), req.IDToken)
	} else {
		acct, err = k.cfg.CheckFacts(r.Context(), link.Facts{MemberNumber: req.MemberNumber, BirthDate: req.BirthDate})
		if err == nil && acct == "" {
			err = link.ErrProofRefused
		}
	}
	if err != nil {
		refused = a.failLinkAPI(w, st.source, err)
		return
	}
	err = k.link(r.Context(), st.user.ID, acct)
	if err != nil {
		refused = a.failLinkAPI(w, st.source, err)
		return
	}
	a.emit(r.Context(), Event{Kind: EventLink, UserID: st.user.ID, AccountID: acct})
	a.log.Info("linelogin: linked", "source", st.source.String(), "proof", map[bool]string{true: "id_token", false: "facts"}[byToken])
	writeLinkJSON(w, http.StatusOK, map[string]string{"accountId": acct})
}

// failLinkAPI answers a proof or link that failed with the JSON error of
// its category (see errorClasses), and reports whether it was a refused
// guess, which keeps its reservation. An error of no such category is an
// outage: the in-house provider, the app's check or the link store is
// down, not the user's fault and no refusal.
func (a *Auth) failLinkAPI(w http.ResponseWriter, source Source, err error) (refused bool) {
	answer := classify(err).linkAPI
	if answer.code == "" {
		a.log.Error("linelogin: link failed", "error", err.Error())
		writeLinkUnavailable(w)
		return false
	}
	a.log.Info("linelogin: link refused", "source", source.String(), "error", err.Error())
	writeLinkError(w, answer.status, answer.code)
	return answer.guess
}

// decodeLinkRequest reads one JSON object of at most maxLinkBody bytes
// holding exactly one well-formed proof.
func decodeLinkRequest(w http.ResponseWriter, r *http.Request) (linkRequest, bool) {
	var req linkRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxLinkBody))
	if err := dec.Decode(&req); err != nil {
		return req, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, false // trailing data
	}
	facts := req.MemberNumber != "" || req.BirthDate != ""
	switch {
	case req.IDToken != "" && facts, req.IDToken == "" && !facts:
		return req, false
	case req.IDToken != "":
		return req, validToken(req.IDToken)
	}
	if req.MemberNumber == "" || len(req.MemberNumber) > maxMemberNumber || len(req.BirthDate) != len("2006-01-02") {
		return req, false
	}
	for _, c := range []byte(req.MemberNumber) {
		if c < 0x20 || c == 0x7f {
			return req, false
		}
	}
	_, err := time.Parse(time.DateOnly, req.BirthDate)
	return req, err == nil
}

// writeLinkUnavailable answers an outage: 503 {"error":"unavailable"}
// with Retry-After.
func writeLinkUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(linkRetryAfter))
	writeLinkError(w, http.StatusServiceUnavailable, "unavailable")
}

// writeLinkError writes {"error": code}, and nothing else: clients match
// the code, and a refusal must not say which fact was wrong.
func writeLinkError(w http.ResponseWriter, status int, code string) {
	writeLinkJSON(w, status, map[string]string{"error": code})
}

func writeLinkJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// memberKey is the membership number as the lockout counts it: NFKC
// (full-width "Ｍ－２０１０" is "M-2010"), case-folded, with white space,
// dashes and underscores left out, so that "m-2010 ", "M 2010" and
// "Ｍ-2010" share M-2010's count even when the app's checker accepts such
// spellings. Folding more spellings together than the checker does only
// makes the lockout stricter.
func memberKey(n string) string {
	n = norm.NFKC.String(cases.Fold().String(norm.NFKC.String(n)))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || r == '_' {
			return -1
		}
		return r
	}, n)
}

// tenantPrefix is what the keys of a tenant's lockout counts begin with:
// its channel ID and a colon; "" with one channel.
func (a *Auth) tenantPrefix() string {
	if a.tenantChannel == "" {
		return ""
	}
	return a.tenantChannel + ":"
}
