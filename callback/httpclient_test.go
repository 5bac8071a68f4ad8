package callback_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
)

// TestBackChannel_HungLINEFailsWithinTheTimeout hangs each LINE endpoint
// in turn (it accepts the request and answers a minute later) and makes
// the call that uses it, with Config.Timeout short and an HTTPClient that
// has no Timeout of its own: the per-call deadline alone must end every
// call, the token exchange included, as an outage (ErrUpstream) and well
// before LINE would answer.
func TestBackChannel_HungLINEFailsWithinTheTimeout(t *testing.T) {
	const timeout = 250 * time.Millisecond
	// bound is far above the timeout, so that a busy machine passes, and
	// far below the hang, so that a call without a deadline fails.
	const bound = 10 * time.Second
	type call struct {
		name, path string
		run        func(ctx context.Context, p *linetest.Server, c *callback.Client, token, refreshToken string) error
	}
	calls := []call{
		{"Exchange", linetest.PathToken, func(ctx context.Context, p *linetest.Server, c *callback.Client, _, _ string) error {
			a := newAttempt()
			code := authorizeCode(t, p, authURL(t, c, a))
			_, err := c.Exchange(ctx, a, callback.Response{Code: code, State: a.State})
			return err
		}},
		{"Refresh", linetest.PathToken, func(ctx context.Context, _ *linetest.Server, c *callback.Client, _, refreshToken string) error {
			_, err := c.Refresh(ctx, refreshToken)
			return err
		}},
		{"UserFromAccessToken/verify", linetest.PathVerify, func(ctx context.Context, _ *linetest.Server, c *callback.Client, token, _ string) error {
			_, _, err := c.UserFromAccessToken(ctx, token)
			return err
		}},
		{"UserFromAccessToken/profile", linetest.PathProfile, func(ctx context.Context, _ *linetest.Server, c *callback.Client, token, _ string) error {
			_, _, err := c.UserFromAccessToken(ctx, token)
			return err
		}},
		{"Profile", linetest.PathProfile, func(ctx context.Context, _ *linetest.Server, c *callback.Client, token, _ string) error {
			_, err := c.Profile(ctx, token)
			return err
		}},
		{"Friendship", linetest.PathFriendship, func(ctx context.Context, _ *linetest.Server, c *callback.Client, token, _ string) error {
			_, err := c.Friendship(ctx, token)
			return err
		}},
		{"Revoke", linetest.PathRevoke, func(ctx context.Context, _ *linetest.Server, c *callback.Client, token, _ string) error {
			return c.Revoke(ctx, token)
		}},
		{"Deauthorize", linetest.PathDeauthorize, func(ctx context.Context, _ *linetest.Server, c *callback.Client, token, _ string) error {
			return c.Deauthorize(ctx, linetest.DefaultChannelAccessToken, token)
		}},
		{"LINEVerifier", linetest.PathVerify, func(ctx context.Context, p *linetest.Server, c *callback.Client, _, _ string) error {
			raw, err := p.IssueLIFFIDToken(p.Users()[0].ID, "")
			if err != nil {
				t.Error(err)
				return nil
			}
			_, err = callback.LINEVerifier{Client: c}.VerifyIDToken(ctx, raw, "")
			return err
		}},
		{"VerifyIDToken/certs", linetest.PathCerts, func(ctx context.Context, p *linetest.Server, c *callback.Client, _, _ string) error {
			raw, err := p.IssueLIFFIDToken(p.Users()[0].ID, "")
			if err != nil {
				t.Error(err)
				return nil
			}
			_, err = c.VerifyIDToken(ctx, raw, "")
			return err
		}},
	}
	for _, cl := range calls {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			p := newAutoApprovePlatform(t)
			c := newClientFor(t, p, nil, func(cfg *callback.Config) {
				cfg.Timeout = timeout
				cfg.HTTPClient = &http.Client{} // no Timeout: the context must do it
			})
			login := logIn(t, p, c)
			p.SetFault(cl.path, linetest.Fault{Delay: time.Minute})
			start := time.Now()
			err := cl.run(context.Background(), p, c, login.AccessToken, login.RefreshToken)
			took := time.Since(start)
			if took > bound {
				t.Errorf("took %v against a hung %s with a %v timeout", took, cl.path, timeout)
			}
			if took < timeout {
				t.Errorf("failed after %v, before the %v timeout: not the hang that ended it", took, timeout)
			}
			assertCategory(t, err, callback.ErrUpstream)
		})
	}
}
