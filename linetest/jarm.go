package linetest

import "time"

// jarmTTL is the lifetime of a JARM response JWT (its exp). FAPI JARM
// section 4.1 asks for a short one and suggests 10 minutes.
const jarmTTL = 10 * time.Minute

// JARMResponse is a JARM response JWT before it is signed, as a hook set
// with SetJARMHook sees it.
type JARMResponse struct {
	// Header is the JOSE header, {"alg":"HS256","typ":"JWT"} as in the
	// example of LINE's v2.1 guide. The token is signed according to
	// Header["alg"], as SignIDToken does: "none" leaves it unsigned, and an
	// algorithm other than HS256 gets a garbage signature.
	Header map[string]any
	// Claims are iss (the access host's origin), aud (the channel ID), exp
	// (now plus jarmTTL), and the authorization response's parameters as
	// strings: code, state and friendship_status_changed, or error,
	// error_description and state.
	Claims map[string]any
	// Secret is the HS256 key: the channel secret. Change it to sign with
	// another channel's secret, or with anything else.
	Secret []byte
}

// SetJARMHook installs h, called for every JARM response (response_mode
// query.jwt, jwt or form_post.jwt) from now on, until SetJARMHook(nil): h
// may change the header, the claims and the key, so that tests can check
// that a client refuses a tampered, unsigned, foreign, expired or
// misaddressed response. h runs without the platform's lock held.
func (p *Platform) SetJARMHook(h func(*JARMResponse)) {
	p.mu.Lock()
	p.jarmHook = h
	p.mu.Unlock()
}

// jarmJWT returns the JARM response JWT carrying params (FAPI JARM section
// 4.1): signed with the channel secret, as LINE signs its HS256 tokens.
func (p *Platform) jarmJWT(params []param) (string, error) {
	claims := map[string]any{
		"iss": p.Issuer(),
		"aud": p.channelID,
		"exp": p.clock().Add(jarmTTL).Unix(),
	}
	for _, prm := range params {
		claims[prm.Name] = prm.Value
	}
	r := &JARMResponse{
		Header: map[string]any{"typ": "JWT", "alg": "HS256"},
		Claims: claims,
		Secret: []byte(p.channelSecret),
	}
	p.mu.Lock()
	hook := p.jarmHook
	p.mu.Unlock()
	if hook != nil {
		hook(r)
	}
	return signJWT(r.Header, r.Claims, r.Secret, nil)
}
