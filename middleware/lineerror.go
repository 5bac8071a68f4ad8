package middleware

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/linelogin/linelogin/callback"
)

// lineErrorTexts maps the error codes LINE documents for its error
// callback (compared in upper case: LINE v2.0 sends them in lower case) to
// the text the error page shows. An unknown code gets Messages.LINEError.
// LINE's error_description is never shown: anyone can write any sentence
// into a callback URL on the app's origin.
var lineErrorTexts = map[string]func(*Messages) Text{
	"ACCESS_DENIED":             func(m *Messages) Text { return m.Cancelled },
	"INTERACTION_REQUIRED":      func(m *Messages) Text { return m.InteractionRequired },
	"LOGIN_REQUIRED":            func(m *Messages) Text { return m.InteractionRequired },
	"CONSENT_REQUIRED":          func(m *Messages) Text { return m.InteractionRequired },
	"SERVER_ERROR":              func(m *Messages) Text { return m.LINEServerError },
	"TEMPORARILY_UNAVAILABLE":   func(m *Messages) Text { return m.LINEServerError },
	"INVALID_REQUEST":           func(m *Messages) Text { return m.LoginRequestRefused },
	"INVALID_SCOPE":             func(m *Messages) Text { return m.LoginRequestRefused },
	"UNAUTHORIZED_CLIENT":       func(m *Messages) Text { return m.LoginRequestRefused },
	"UNSUPPORTED_RESPONSE_TYPE": func(m *Messages) Text { return m.LoginRequestRefused },
}

// lineErrorPage returns what the error page shows for LINE's error: the
// code when LINE documents it (else ""), and the app's text for it.
func lineErrorPage(e *callback.AuthError) (code string, text func(*Messages) Text) {
	if e.Denied() {
		return "ACCESS_DENIED", lineErrorTexts["ACCESS_DENIED"]
	}
	code = strings.ToUpper(e.Code)
	if text, ok := lineErrorTexts[code]; ok {
		return code, text
	}
	return "", func(m *Messages) Text { return m.LINEError }
}

// maxLoggedDescription bounds LINE's error description in a log record.
const maxLoggedDescription = 200

// lineErrorAttrs are the log attributes of LINE's error description, when
// err carries one: the hook and the log see it, the page never does. The
// value is cut short and logged as one attribute, which the handler
// quotes, so it cannot forge a record of its own. The code is already in
// err's text (only when it looks like a code).
func lineErrorAttrs(err error) []any {
	var e *callback.AuthError
	if !errors.As(err, &e) {
		return nil
	}
	desc := e.Description
	if desc == "" {
		desc = e.V2Message
	}
	if desc == "" {
		return nil
	}
	if len(desc) > maxLoggedDescription {
		desc = desc[:maxLoggedDescription]
		for len(desc) > 0 && !utf8.ValidString(desc) {
			desc = desc[:len(desc)-1]
		}
		desc += "…"
	}
	return []any{"line_error_description", desc}
}
