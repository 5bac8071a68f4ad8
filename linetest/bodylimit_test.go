package linetest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

// lineBodyLimit is the request size LINE's API references document:
// "413 Payload Too Large: Request exceeds the max size of 2MB".
const lineBodyLimit = 2 << 20

// TestBodyLimit_OverLINEsLimitIs413 sends request bodies on either side of
// LINE's 2 MB limit, over HTTP: over it, 413 from the token, v2.0 token,
// revoke and deauthorize endpoints; just under it, the endpoint reads the
// request and answers as it would any other (a code it does not know).
func TestBodyLimit_OverLINEsLimitIs413(t *testing.T) {
	s := newServer(t, linetest.Config{})
	// form is a token request padded to exactly size bytes.
	form := func(size int) string {
		f := url.Values{
			"grant_type": {"authorization_code"}, "code": {"nope"}, "redirect_uri": {callbackURL},
			"client_id": {linetest.DefaultChannelID}, "client_secret": {linetest.DefaultChannelSecret},
		}.Encode() + "&padding="
		return f + strings.Repeat("x", size-len(f))
	}
	post := func(path, contentType, body string) (*http.Response, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, urlFor(s, path), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		if path == linetest.PathDeauthorize {
			req.Header.Set("Authorization", "Bearer "+linetest.DefaultChannelAccessToken)
		}
		res, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res, decodeJSON(t, res)
	}
	const formType = "application/x-www-form-urlencoded"
	for _, path := range []string{linetest.PathToken, linetest.PathTokenV20, linetest.PathRevoke} {
		res, body := post(path, formType, form(lineBodyLimit+1))
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s with %d bytes: %d %v, want 413", path, lineBodyLimit+1, res.StatusCode, body)
		}
	}
	res, body := post(linetest.PathDeauthorize, "application/json", `{"userAccessToken":"`+strings.Repeat("x", lineBodyLimit)+`"}`)
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("deauthorize over 2 MB: %d %v, want 413", res.StatusCode, body)
	}

	res, body = post(linetest.PathToken, formType, form(lineBodyLimit))
	wantOAuthError(t, res, body, "invalid_grant")
}
