package linetest_test

import (
	"bytes"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLogger_NeverLogsSecretsCodesOrTokens(t *testing.T) {
	var logs syncBuffer
	s := newServer(t, linetest.Config{
		AutoApprove: brown().ID,
		Logger:      slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	l := newLogin("profile openid")
	c := code(t, s, l)
	_, tok := postForm(t, s, linetest.PathToken, exchangeForm(c, l))
	postForm(t, s, linetest.PathToken, exchangeForm(c, l)) // reused: rejected
	at := tok["access_token"].(string)
	get(t, s, linetest.PathVerify+"?access_token="+url.QueryEscape(at), "")
	get(t, s, linetest.PathProfile, at)
	postForm(t, s, linetest.PathVerify, url.Values{"id_token": {tok["id_token"].(string)}, "client_id": {"1"}})
	postForm(t, s, linetest.PathRevoke, url.Values{"access_token": {at}, "client_id": {linetest.DefaultChannelID}, "client_secret": {linetest.DefaultChannelSecret}})
	get(t, s, linetest.PathProfile, at)

	out := logs.String()
	if out == "" {
		t.Fatal("nothing logged")
	}
	for name, secret := range map[string]string{
		"channel secret": linetest.DefaultChannelSecret,
		"code":           c,
		"access token":   at,
		"refresh token":  tok["refresh_token"].(string),
		"ID token":       tok["id_token"].(string),
		"code verifier":  l.verifier,
		"state":          l.params.Get("state"),
	} {
		if strings.Contains(out, secret) {
			t.Errorf("the %s was logged:\n%s", name, out)
		}
	}
}
