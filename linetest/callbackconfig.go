package linetest

import (
	"github.com/linelogin/linelogin/callback"
)

// CallbackConfig registers redirectURL as a callback URL and returns the
// callback.Config of an app that logs in with the platform: its channel,
// its access and API hosts, and redirectURL. Add the app's own settings
// (scopes, response mode, clock) to the result.
func (p *Platform) CallbackConfig(redirectURL string) (callback.Config, error) {
	if err := p.AddCallbackURL(redirectURL); err != nil {
		return callback.Config{}, err // it says what it refused
	}
	return callback.Config{
		ChannelID:     p.channelID,
		ChannelSecret: p.channelSecret,
		RedirectURL:   redirectURL,
		AccessURL:     p.AccessURL(),
		APIURL:        p.APIURL(),
	}, nil
}
