package main

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/linetest"
)

func TestExample_LINEExtraChannels(t *testing.T) {
	// A LIFF app's channel of the same provider, with its own secret.
	const liffChannel, liffSecret = "2000000001", "liff-channel-secret-0123456789abc"
	liff := linetest.NewServer(t, linetest.Config{ChannelID: liffChannel, ChannelSecret: liffSecret})
	srv, _, platform := startExample(t, "servemux", map[string]string{
		"LINE_EXTRA_CHANNELS": " " + liffChannel + ":" + liffSecret + " ,",
	})
	user := platform.Users()[0]
	idToken := func(signer *linetest.Server) string {
		tok, err := signer.SignIDToken(map[string]any{"alg": "HS256"}, map[string]any{
			"iss": platform.Issuer(), "sub": user.ID, "aud": liffChannel,
			"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "name": user.DisplayName,
		})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for name, tc := range map[string]struct {
		signer *linetest.Server
		want   int
	}{
		"signed with the LIFF channel's secret": {liff, http.StatusOK},
		"signed with the main channel's secret": {platform, http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/me", nil)
		req.Header.Set("X-Line-ID-Token", idToken(tc.signer))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, tc.want)
		}
	}
}

func TestLoadConfig_LINEExtraChannels(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	env := map[string]string{"LINE_EXTRA_CHANNELS": "2000000001:secret-a, 3000000002:secret-b"}
	cfg, err := loadConfig(func(k string) string { return env[k] }, log)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.ExtraChannels) != 2 || cfg.ExtraChannels[0].ID != "2000000001" || cfg.ExtraChannels[0].Secret != "secret-a" ||
		cfg.ExtraChannels[1].ID != "3000000002" || cfg.ExtraChannels[1].Secret != "secret-b" {
		t.Errorf("ExtraChannels %+v", cfg.ExtraChannels)
	}
	for _, bad := range []string{"2000000001", "2000000001:", ":secret", "2000000001:secret-a,3000000002"} {
		env := map[string]string{"LINE_EXTRA_CHANNELS": bad}
		_, err := loadConfig(func(k string) string { return env[k] }, log)
		if err == nil {
			t.Errorf("LINE_EXTRA_CHANNELS=%q accepted", bad)
		} else if strings.Contains(err.Error(), "secret-a") {
			t.Errorf("the error quotes a secret: %v", err)
		}
	}
}
