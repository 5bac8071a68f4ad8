package callback

import (
	"net/url"
	"strconv"
)

// maxParam bounds every callback parameter; longer values are dropped.
const maxParam = 2048

// Response is LINE's authorization response at the callback: a code and
// state, or an error.
type Response struct {
	Code  string
	State string
	// FriendshipStatusChanged is nil unless LINE sent it (with bot_prompt).
	FriendshipStatusChanged *bool
	// Err is set when LINE sent an error instead of a code.
	Err *AuthError
}

// ParseResponse reads the callback's parameters: the query string, or the
// posted form with response_mode=form_post. Over-long values are dropped,
// so that they fail the checks that follow.
func ParseResponse(v url.Values) Response {
	get := func(key string) string {
		s := v.Get(key)
		if len(s) > maxParam {
			return ""
		}
		return s
	}
	resp := Response{Code: get("code"), State: get("state")}
	if b, err := strconv.ParseBool(get("friendship_status_changed")); err == nil {
		resp.FriendshipStatusChanged = &b
	}
	code, v2code := get("error"), get("errorCode")
	if code != "" || v2code != "" {
		resp.Err = &AuthError{
			Code:        code,
			Description: get("error_description"),
			V2Code:      v2code,
			V2Message:   get("errorMessage"),
		}
		if code == "" {
			resp.Err.Code = v2code
		}
	}
	return resp
}
