package linetest

import (
	"context"
	"net/http"
	"net/url"
)

// Test-only access to what the package does not export, for its external
// tests.

const (
	PathDiscovery    = pathDiscovery
	PathUserInfo     = pathUserInfo
	PathAuthorizeV20 = pathAuthorizeV20
	PathTokenV20     = pathTokenV20
	PathVerifyV20    = pathVerifyV20
	PathRevokeV20    = pathRevokeV20
	PathConsent      = pathConsent
)

// SetURL serves every endpoint on one origin: a client that mixes up the
// two hosts is not caught then.
func (p *Platform) SetURL(u string) { p.setURLs(u, u) }

func (p *Platform) SetURLs(accessURL, apiURL string) { p.setURLs(accessURL, apiURL) }

func (p *Platform) Browse(ctx context.Context, client *http.Client, method, target string, body url.Values) (*http.Response, error) {
	return p.browse(ctx, client, method, target, body)
}

func (p *Platform) ClientFor(c Consent) (*http.Client, error) { return p.clientFor(c) }

// CallbackURLs returns the registered callback URLs.
func (p *Platform) CallbackURLs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.callbackURLs...)
}

func (p *Platform) PictureURL() string { return p.pictureOrigin() }

func (p *Platform) SetFriend(userID string, friend bool) { p.setFriend(userID, friend) }
