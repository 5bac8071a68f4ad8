package linetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// refreshTokenTTL is the lifetime of refresh tokens: LINE's live up to 90
// days after the access token was issued.
const refreshTokenTTL = 90 * 24 * time.Hour

// grant is what a user granted the channel: the scopes, and the refresh
// token that renews access tokens for them.
type grant struct {
	userID         string
	scopes         []string
	refreshToken   string
	refreshExpires time.Time
	revoked        bool
	v20            bool // issued by a LINE Login v2.0 login: its scope is "P"
}

// v20Scope is the scope of every LINE Login v2.0 token, in its token and
// verify answers (the v2.0 reference).
const v20Scope = "P"

// scope is the grant's scope as the token and verify endpoints give it.
func (g *grant) scope() string {
	if g.v20 {
		return v20Scope
	}
	return scopeParam(g.scopes)
}

// accessToken is an issued access token.
type accessToken struct {
	grant   *grant
	expires time.Time
}

// Reasons an access token is refused; their text is LINE's
// error_description.
var (
	errTokenExpired = errors.New("access token expired")
	errTokenInvalid = errors.New("invalid access token")
)

// tokenInfo is what the platform knows about a valid access token.
type tokenInfo struct {
	userID    string
	scopes    []string
	scope     string // as verify answers it
	remaining time.Duration
}

// mintAccessToken returns a new access token string. LINE's v2.1 access
// tokens are JWTs signed with a key only LINE holds; clients must treat
// them as opaque and ask verify, so the claims here are just a unique ID.
func (p *Platform) mintAccessToken(now time.Time) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: p.tokenKey}, nil)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(struct {
		JTI string `json:"jti"`
		IAT int64  `json:"iat"`
	}{randomHex(16), now.Unix()})
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// newGrant records a grant for userID, of a v2.0 login when v20, and
// returns its first access token.
func (p *Platform) newGrant(userID string, scopes []string, v20 bool, now time.Time) (string, *grant, error) {
	g := &grant{
		userID:         userID,
		scopes:         scopes,
		v20:            v20,
		refreshToken:   randomURLSafe(15),
		refreshExpires: now.Add(refreshTokenTTL),
	}
	token, err := p.mintAccessToken(now)
	if err != nil {
		return "", nil, err
	}
	p.mu.Lock()
	p.refreshTokens[g.refreshToken] = g
	p.accessTokens[token] = &accessToken{grant: g, expires: now.Add(p.accessTTL)}
	p.mu.Unlock()
	return token, g, nil
}

// renew returns a new access token for the grant of refreshToken.
func (p *Platform) renew(refreshToken string, now time.Time) (string, *grant, error) {
	p.mu.Lock()
	g := p.refreshTokens[refreshToken]
	p.mu.Unlock()
	if g == nil || !now.Before(g.refreshExpires) {
		return "", nil, errTokenInvalid
	}
	token, err := p.mintAccessToken(now)
	if err != nil {
		return "", nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if g.revoked {
		return "", nil, errTokenInvalid
	}
	p.accessTokens[token] = &accessToken{grant: g, expires: now.Add(p.accessTTL)}
	return token, g, nil
}

// lookupAccessToken returns what is known of a valid token, or
// errTokenExpired or errTokenInvalid.
func (p *Platform) lookupAccessToken(token string) (tokenInfo, error) {
	now := p.clock()
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.accessTokens[token]
	if at == nil || at.grant.revoked {
		return tokenInfo{}, errTokenInvalid
	}
	// expires_in is reported in whole seconds, and clients must refuse a
	// token whose expires_in is not positive.
	remaining := at.expires.Sub(now)
	if remaining < time.Second {
		return tokenInfo{}, errTokenExpired
	}
	return tokenInfo{userID: at.grant.userID, scopes: at.grant.scopes, scope: at.grant.scope(), remaining: remaining}, nil
}

// IssueAccessToken returns a valid access token for userID with the given
// scopes (profile and openid when nil), as if the user had logged in: verify,
// profile, friendship, revoke and deauthorize accept it. Use it for bearer
// and native-app tests.
func (p *Platform) IssueAccessToken(userID string, scopes []string) (accessToken string, err error) {
	if _, ok := p.userIndex[userID]; !ok {
		return "", fmt.Errorf("linetest: issue access token: %w: %q", ErrUnknownUser, userID)
	}
	if scopes == nil {
		scopes = []string{"profile", "openid"}
	}
	granted, desc := parseScopes(strings.Join(scopes, " "))
	if desc != "" {
		return "", fmt.Errorf("linetest: issue access token: %s", desc)
	}
	token, _, err := p.newGrant(userID, granted, false, p.clock())
	if err != nil {
		return "", fmt.Errorf("linetest: issue access token: %w", err)
	}
	return token, nil
}

// RevokeAccessToken revokes token as the revoke endpoint does: the token,
// the other access tokens of the same login and its refresh token stop
// working. Unknown tokens are ignored.
func (p *Platform) RevokeAccessToken(token string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if at := p.accessTokens[token]; at != nil {
		at.grant.revoked = true
		delete(p.accessTokens, token)
	}
}

// revokeRefreshToken revokes the login of refreshToken, as v2.0's revoke
// does: the refresh token and every access token of that login stop
// working. Unknown tokens are ignored.
func (p *Platform) revokeRefreshToken(refreshToken string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if g := p.refreshTokens[refreshToken]; g != nil {
		g.revoked = true
	}
}

// revokeUser revokes every grant of userID, as deauthorize does, and
// forgets the user's consent: the next login shows the consent screen
// again.
func (p *Platform) revokeUser(userID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.consents, userID)
	for _, g := range p.refreshTokens {
		if g.userID == userID {
			g.revoked = true
		}
	}
}

// ExpireAccessTokens makes every access token issued so far expired (by
// the platform's clock); refresh tokens keep working.
func (p *Platform) ExpireAccessTokens() {
	now := p.clock()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, at := range p.accessTokens {
		at.expires = now
	}
}

// scopeParam is the scope as LINE returns it from token and verify: the
// granted scopes without email, which LINE never lists.
func scopeParam(scopes []string) string {
	var b strings.Builder
	for _, s := range scopes {
		if s == "email" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}
