package main

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

// TestDemoPlatform_KeepsABoundedRecord: the demo's embedded platform
// remembers only its latest demoRecordLimit requests, so a demo left
// running under a flood does not grow without bound.
func TestDemoPlatform_KeepsABoundedRecord(t *testing.T) {
	cfg := config{BaseURL: "http://localhost:8080"}
	platform := startDemoPlatform(&cfg, slog.New(slog.DiscardHandler))
	defer platform.Close()
	const sent = demoRecordLimit + 150
	for range sent {
		resp, err := platform.Client().Get(cfg.APIURL + linetest.PathCerts)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("certs: %d", resp.StatusCode)
		}
	}
	if n := len(platform.Requests()); n != demoRecordLimit {
		t.Errorf("the demo platform recorded %d of %d requests, want the latest %d", n, sent, demoRecordLimit)
	}
}
