package callback

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// JARM (JWT Secured Authorization Response Mode, FAPI JARM section 4.3):
// with response_mode query.jwt, jwt or form_post.jwt, LINE sends the
// callback's parameters inside one HS256 JWT, signed with the channel
// secret, in a single "response" parameter. Nothing in it is used before
// its signature, issuer, audience and expiry are checked, and a JARM flow
// never falls back to plain parameters: an attacker who can inject a query
// string must not be able to downgrade the response to an unsigned one.

// maxJARM bounds the response JWT: LINE's are a few hundred bytes.
const maxJARM = 8 << 10

// jarmClaims are the claims of a JARM response. Types are strict: a
// NumericDate given as a string, or an audience list, is not LINE's.
type jarmClaims struct {
	Issuer   string          `json:"iss"`
	Audience string          `json:"aud"`
	Expiry   *int64          `json:"exp"`
	Code     string          `json:"code"`
	State    string          `json:"state"`
	Error    string          `json:"error"`
	Desc     string          `json:"error_description"`
	Friend   json.RawMessage `json:"friendship_status_changed"`
}

// jarm reports whether the configured response mode is a JARM one.
func (cfg *Config) jarm() bool {
	switch cfg.ResponseMode {
	case ResponseModeQueryJWT, ResponseModeJWT, ResponseModeFormPostJWT:
		return true
	}
	return false
}

// ReadResponse reads LINE's answer at the callback from its parameters
// (the query string, or the posted form with a form_post mode). In a JARM
// response mode it verifies the response JWT first and refuses plain
// parameters with ErrResponseRejected; otherwise it is ParseResponse.
func (c *Client) ReadResponse(v url.Values) (Response, error) {
	if !c.cfg.jarm() {
		return ParseResponse(v), nil
	}
	for _, plain := range []string{"code", "state", "error", "errorCode", "friendship_status_changed"} {
		if v.Has(plain) {
			return Response{}, jarmError("plain " + plain + " parameter in a JARM response")
		}
	}
	if len(v["response"]) != 1 {
		return Response{}, jarmError("not exactly one response parameter")
	}
	claims, err := c.verifyJARM(v.Get("response"))
	if err != nil {
		return Response{}, err
	}
	inner := url.Values{}
	for k, s := range map[string]string{"code": claims.Code, "state": claims.State, "error": claims.Error, "error_description": claims.Desc} {
		if s != "" {
			inner.Set(k, s)
		}
	}
	switch string(claims.Friend) {
	case "true", `"true"`:
		inner.Set("friendship_status_changed", "true")
	case "false", `"false"`:
		inner.Set("friendship_status_changed", "false")
	}
	return ParseResponse(inner), nil
}

func (c *Client) verifyJARM(raw string) (*jarmClaims, error) {
	if len(raw) > maxJARM || !compactJWT(raw) {
		return nil, jarmError("malformed response JWT")
	}
	if _, err := parseHeader(raw); err != nil {
		return nil, jarmError(err.Error())
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{algHS256})
	if err != nil {
		return nil, jarmError("response JWT is not HS256")
	}
	payload, err := jws.Verify([]byte(c.cfg.ChannelSecret))
	if err != nil {
		return nil, jarmError("bad signature")
	}
	var claims jarmClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, jarmError("claims of the wrong type")
	}
	now := c.now()
	switch {
	case subtle.ConstantTimeCompare([]byte(claims.Issuer), []byte(c.cfg.Issuer)) != 1:
		// A response from another issuer is the mix-up JARM exists to stop.
		return nil, jarmError("iss is not LINE's access host")
	case claims.Audience != c.cfg.ChannelID:
		return nil, jarmError("aud is not the channel ID")
	case claims.Expiry == nil:
		return nil, jarmError("no exp")
	case !time.Unix(*claims.Expiry, 0).After(now.Add(-c.cfg.ClockSkew)):
		return nil, jarmError("expired at " + strconv.FormatInt(*claims.Expiry, 10))
	}
	return &claims, nil
}

func jarmError(reason string) error {
	return errors.Join(ErrResponseRejected, errors.New("callback: JARM: "+reason))
}
