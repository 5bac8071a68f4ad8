package linetest_test

import (
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
)

func TestLogger_NeverLogsSecretsCodesOrTokens(t *testing.T) {
	var logs testkit.Buffer
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
