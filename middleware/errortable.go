package middleware

import (
	"errors"
	"net/http"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/session"
)

// errorClass is how the middleware answers one category of error: the
// default page's status and text, the metric reason and Event.Reason, and
// LinkAPIHandler's JSON error.
type errorClass struct {
	// is is the category's sentinel, matched with errors.Is. The module's
	// categories are exclusive, so an error matches at most one row and
	// the order of the rows does not matter.
	is     error
	status int
	reason Reason
	text   func(*Messages) Text
	// code is LINE's documented error code the page shows, or "".
	code string
	// retry: the page links to a new login. A link page offers none (the
	// user was not logging in), nor does a configuration mistake (trying
	// again cannot help).
	retry bool
	// linkAPI is LinkAPIHandler's answer, or zero for an error it answers
	// as an outage (503 unavailable): a refused proof or link must be
	// named, anything else is not the user's fault.
	linkAPI linkAPIError
	// detail, when set, refines the row from what err carries beyond its
	// category: LINE's error code, which side of a link conflicts.
	detail func(err error, c errorClass) errorClass
}

// linkAPIError is a JSON error of LinkAPIHandler: {"error": code}.
type linkAPIError struct {
	status int
	code   string
	// guess: a refused proof, which keeps its place in the lockout count
	// (see Linking.Attempts); a conflict is no guess.
	guess bool
}

// errorClasses is the one table from an error's category to its answers:
// adding a category is adding a row. Errors of no row (ErrLoginRequired,
// callback.ErrRefreshRejected, ...) get otherError.
var errorClasses = []errorClass{
	{is: ErrUnknownTenant, status: http.StatusMisdirectedRequest, reason: ReasonOther,
		text: func(m *Messages) Text { return m.UnknownSite }},
	{is: ErrConfig, status: http.StatusInternalServerError, reason: ReasonConfig,
		text: func(m *Messages) Text { return m.Misconfigured }},
	{is: callback.ErrUpstream, status: http.StatusBadGateway, reason: ReasonUpstream,
		text: func(m *Messages) Text { return m.Upstream }, retry: true},
	{is: callback.ErrState, status: http.StatusBadRequest, reason: ReasonState,
		text: func(m *Messages) Text { return m.State }, retry: true},
	{is: callback.ErrResponseRejected, status: http.StatusBadRequest, reason: ReasonResponse,
		text: func(m *Messages) Text { return m.ResponseRejected }, retry: true},
	{is: callback.ErrAuthorization, status: http.StatusBadRequest, reason: ReasonAuthorization,
		text: func(m *Messages) Text { return m.LINEError }, retry: true, detail: lineErrorClass},
	{is: callback.ErrCodeRejected, status: http.StatusBadRequest, reason: ReasonCodeRejected,
		text: func(m *Messages) Text { return m.CodeRejected }, retry: true},
	{is: callback.ErrInvalidToken, status: http.StatusUnauthorized, reason: ReasonIDToken,
		text: func(m *Messages) Text { return m.InvalidToken }, retry: true},
	{is: ErrLoginRejected, status: http.StatusForbidden, reason: ReasonRejected,
		text: func(m *Messages) Text { return m.Rejected }, retry: true},
	{is: session.ErrStoreUnavailable, status: http.StatusServiceUnavailable, reason: ReasonSessionStore,
		text: func(m *Messages) Text { return m.StoreUnavailable }, retry: true},
	{is: ErrCrossSiteRequest, status: http.StatusForbidden, reason: ReasonCrossSite,
		text: func(m *Messages) Text { return m.CrossSite }},
	{is: ErrNotSignedIn, status: http.StatusForbidden, reason: ReasonLink,
		text: func(m *Messages) Text { return m.NotSignedIn }},
	{is: ErrConnectSessionChanged, status: http.StatusForbidden, reason: ReasonLink,
		text: func(m *Messages) Text { return m.ConnectSessionChanged }},
	{is: ErrUnlinkRefused, status: http.StatusConflict, reason: ReasonLink,
		text: func(m *Messages) Text { return m.UnlinkRefused }},
	{is: link.ErrAlreadyLinked, status: http.StatusConflict, reason: ReasonLink,
		text: func(m *Messages) Text { return m.LINEUserLinked }, detail: conflictClass,
		linkAPI: linkAPIError{http.StatusConflict, "already_linked", false}},
	{is: link.ErrUnavailable, status: http.StatusServiceUnavailable, reason: ReasonLink,
		text: func(m *Messages) Text { return m.LinkUnavailable }},
	// A refused proof is only ever LinkAPIHandler's: no page names it.
	{is: link.ErrProofRefused, status: http.StatusInternalServerError, reason: ReasonOther,
		text: otherText, retry: true, linkAPI: linkAPIError{http.StatusForbidden, "proof_refused", true}},
	{is: link.ErrInvalidID, status: http.StatusInternalServerError, reason: ReasonOther,
		text: otherText, retry: true, linkAPI: linkAPIError{http.StatusForbidden, "proof_refused", true}},
}

// otherError is the answer to an error of no row.
var otherError = errorClass{status: http.StatusInternalServerError, reason: ReasonOther, text: otherText, retry: true}

func otherText(m *Messages) Text { return m.Other }

// classify returns the row of err's category, refined by its details.
func classify(err error) errorClass {
	for _, c := range errorClasses {
		if errors.Is(err, c.is) {
			if c.detail != nil {
				c = c.detail(err, c)
			}
			return c
		}
	}
	return otherError
}

// errorStatus returns the HTTP status of the default page for err.
func errorStatus(err error) int { return classify(err).status }

// failureReason returns the Reason of err.
func failureReason(err error) Reason { return classify(err).reason }

// lineErrorClass refines LINE's error at the callback: a user who declined
// gets 403 and ReasonAccessDenied, LINE's server_error 502, and the page
// names the code when LINE documents it.
func lineErrorClass(err error, c errorClass) errorClass {
	var e *callback.AuthError
	if !errors.As(err, &e) {
		return c
	}
	switch {
	case e.Denied():
		c.status, c.reason = http.StatusForbidden, ReasonAccessDenied
	case e.Code == "SERVER_ERROR":
		c.status = http.StatusBadGateway
	}
	c.code, c.text = lineErrorPage(e)
	return c
}

// conflictClass names the side of a link conflict: the page for an app
// account linked to another LINE user differs from the one for a LINE user
// linked to another account.
func conflictClass(err error, c errorClass) errorClass {
	var conflict *link.ConflictError
	if errors.As(err, &conflict) && conflict.Account && !conflict.LINEUser {
		c.text = func(m *Messages) Text { return m.AccountLinked }
	}
	return c
}
