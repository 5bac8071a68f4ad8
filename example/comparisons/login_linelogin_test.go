package comparisons_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/sessioncookie"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// newLineloginContender is the middleware as the README sets it up, with
// its defaults (an encrypted flow cookie, sessions in an encrypted
// cookie), the app a handler that is never reached: a login ends at the
// callback's redirect. The OnLogin hook reports the user.
func newLineloginContender(tb testing.TB, p *linetest.Platform) contender {
	tb.Helper()
	var last string
	auth, err := middleware.New(middleware.Config{
		LINE: callback.Config{
			ChannelID:     p.ChannelID(),
			ChannelSecret: p.ChannelSecret(),
			RedirectURL:   cmpCallbackURL,
			AccessURL:     p.AccessURL(),
			APIURL:        p.APIURL(),
			HTTPClient:    platformClient(p),
		},
		Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}},
		// The peers log nothing per login either.
		Logger: slog.New(slog.DiscardHandler),
		OnLogin: func(_ context.Context, l *callback.Login) error {
			last = l.User.ID
			return nil
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return contender{
		name:     "linelogin",
		platform: p,
		handler:  auth.Handler(http.NotFoundHandler()),
		session:  sessioncookie.DefaultCookieName,
		lastUser: func() string { u := last; last = ""; return u },
	}
}
