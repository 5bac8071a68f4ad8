package middleware_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

// TestNew_ConfigErrorsSayEachPartOnce: each layer of a configuration error
// adds its context once, so the operator reads "linelogin: invalid config:
// Session.Keys ...", not the same prefix twice.
func TestNew_ConfigErrorsSayEachPartOnce(t *testing.T) {
	for name, keys := range map[string][][]byte{
		"no keys":   nil,
		"short key": {[]byte("x")},
	} {
		_, err := middleware.New(middleware.Config{
			LINE: callback.Config{
				ChannelID:     "1234567890",
				ChannelSecret: linetest.DefaultChannelSecret,
				RedirectURL:   "https://example.com/callback",
			},
			Session: middleware.SessionConfig{Keys: keys},
		})
		if !errors.Is(err, middleware.ErrConfig) {
			t.Fatalf("%s: New = %v, want ErrConfig", name, err)
		}
		t.Logf("%s: %v", name, err)
		for _, part := range []string{"linelogin:", "invalid config", "Session.Keys"} {
			if n := strings.Count(err.Error(), part); n != 1 {
				t.Errorf("%s: %q says %q %d times", name, err, part, n)
			}
		}
	}
}
