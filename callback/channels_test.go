package callback_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
)

// LINEVerifier asks LINE's POST verify with the client_id of the channel a
// token names, when that channel is configured: LINE checks aud against
// client_id.
func TestLINEVerifier_ExtraChannels(t *testing.T) {
	const main, extra = "1000000001", "2000000002"
	var (
		mu   sync.Mutex
		sent []string
	)
	line := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id := r.PostForm.Get("client_id")
		mu.Lock()
		sent = append(sent, id)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		// A stand-in for LINE that checks aud against client_id only.
		var claims struct{ Aud string }
		if parts := strings.Split(r.PostForm.Get("id_token"), "."); len(parts) == 3 {
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			json.Unmarshal(payload, &claims)
		}
		if claims.Aud != id {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid_request","error_description":"Invalid IdToken Audience."}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"iss": "https://access.line.example", "sub": "U0123456789abcdef0123456789abcdef",
			"aud": id, "exp": time.Now().Add(time.Hour).Unix(),
		})
	}))
	defer line.Close()
	c, err := callback.New(callback.Config{
		ChannelID:     main,
		ChannelSecret: "main-channel-secret-0123456789abc",
		ExtraChannels: []callback.Channel{{ID: extra, Secret: "extra-channel-secret-0123456789ab"}},
		RedirectURL:   "https://app.example/callback",
		AccessURL:     "https://access.line.example",
		APIURL:        line.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	token := func(aud string) string {
		enc := base64.RawURLEncoding
		payload, _ := json.Marshal(map[string]any{"aud": aud})
		return enc.EncodeToString([]byte(`{"alg":"ES256"}`)) + "." + enc.EncodeToString(payload) + ".c2ln"
	}
	for aud, want := range map[string]string{extra: extra, main: main, "3000000003": main} {
		u, err := callback.LINEVerifier{Client: c}.VerifyIDToken(context.Background(), token(aud), "")
		mu.Lock()
		got := sent[len(sent)-1]
		mu.Unlock()
		if got != want {
			t.Errorf("aud %s: sent client_id %s, want %s", aud, got, want)
		}
		switch {
		case aud == want && (err != nil || u.ChannelID != want):
			t.Errorf("aud %s: user %+v, error %v: want channel %s", aud, u, err, want)
		case aud != want && !errors.Is(err, callback.ErrInvalidToken):
			t.Errorf("aud %s of no configured channel: error %v, want ErrInvalidToken", aud, err)
		}
	}
	if _, err := callback.New(callback.Config{
		ChannelID: main, ChannelSecret: "main-channel-secret-0123456789abc", RedirectURL: "https://app.example/callback",
		ExtraChannels: []callback.Channel{{ID: extra, Secret: "too-short"}},
	}); !errors.Is(err, callback.ErrConfig) {
		t.Errorf("short extra secret: %v, want ErrConfig", err)
	}
}
