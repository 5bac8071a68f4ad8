// Command example is a small web app behind LINE Login. With no
// LINE_CHANNEL_ID set it starts an embedded fake LINE Platform (linetest),
// so it runs with no LINE account and no network:
//
//	go run ./example                 # or: make run
//	go run ./example -router=chi     # the same app on chi
//
// See the README for the environment variables.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/linelogin/linelogin/linetest"
)

func main() {
	router := flag.String("router", "servemux", "router to mount the app on: servemux, chi or gorillamux")
	reset := flag.Bool("reset", false, "delete the accounts database (DATABASE_PATH) first, for a clean start")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*router, *reset, os.Getenv, log); err != nil {
		log.Error("example stopped", "error", err)
		os.Exit(1)
	}
}

func run(router string, reset bool, getenv func(string) string, log *slog.Logger) error {
	cfg, err := loadConfig(getenv, log)
	if err != nil {
		return err
	}
	if reset {
		if err := removeAccounts(cfg.DatabasePath); err != nil {
			return err
		}
		log.Info("accounts database deleted (-reset): a clean start", "path", cfg.DatabasePath)
	}
	demo := cfg.demo()
	if demo {
		platform := startDemoPlatform(&cfg, log)
		defer platform.Close()
		shops, err := startDemoShops(&cfg, log)
		if err != nil {
			return err
		}
		for _, s := range shops {
			defer s.Close()
		}
	}
	accts, err := openAccounts(cfg.DatabasePath)
	if err != nil {
		return err
	}
	defer accts.Close()
	log.Info("accounts database, kept across restarts (start clean with -reset, or make run RESET=1)", "path", cfg.DatabasePath)
	if demo && cfg.AccountsFile == "" {
		printDemoAccounts(os.Stderr)
	}
	a, err := newApp(cfg, accts, demo, log)
	if err != nil {
		return err
	}
	h, err := a.handler(router)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if a.metrics != nil {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("METRICS_ADDR: %w", err)
		}
		defer a.metrics.serve(mln, log).Close()
		defer a.metrics.Shutdown(context.Background())
		log.Info("metrics listening", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	srv := newServer(h, defaultTimeouts)
	log.Info("example listening", "url", cfg.BaseURL, "router", router)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// demoRecordLimit is how many requests the demo's platform remembers: the
// demo reads none of them, and a demo left running under a flood must not
// grow without bound.
const demoRecordLimit = 100

// startDemoPlatform starts linetest and points cfg at it. It listens on
// 127.0.0.1 while the app defaults to localhost: two sites, as LINE and a
// real app are, so cookies behave as they will in production.
func startDemoPlatform(cfg *config, log *slog.Logger) *linetest.Server {
	platform := linetest.NewServer(nil, linetest.Config{
		CallbackURLs: []string{cfg.BaseURL + "/callback"},
		Logger:       log.With("component", "linetest"),
		RecordLimit:  demoRecordLimit,
		// A person's browser refuses httptest's self-signed certificate.
		HTTPPictures: true,
	})
	cfg.ChannelID = platform.ChannelID()
	cfg.ChannelSecret = platform.ChannelSecret()
	cfg.AccessURL = platform.AccessURL()
	cfg.APIURL = platform.APIURL()
	log.Info(fmt.Sprintf("LINE_CHANNEL_ID is not set: demo mode with the embedded fake LINE Platform at %s (access host) and %s (API host)", platform.AccessURL(), platform.APIURL()))
	log.Info(fmt.Sprintf("try the API as a native app would: curl -H \"Authorization: Bearer $(curl -s %s%s)\" %s/api/me",
		platform.APIURL(), linetest.PathDemoTokens, cfg.BaseURL))
	return platform
}

// demoShops are the demo's tenants: hosts of the app with channels of
// their own, each of another provider (so another user ID per person).
var demoShops = []struct{ host, name, provider string }{
	{"shop-a.localhost", "Shop A", "demo-shop-a"},
	{"shop-b.localhost", "Shop B", "demo-shop-b"},
}

// startDemoShops starts a linetest platform per demo shop and adds the
// shops to cfg's tenants, on the app's port: *.localhost is loopback in
// browsers.
func startDemoShops(cfg *config, log *slog.Logger) ([]*linetest.Server, error) {
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("ADDR: %w", err)
	}
	scheme, _, _ := strings.Cut(cfg.BaseURL, "://")
	var servers []*linetest.Server
	for i, s := range demoShops {
		host := s.host + ":" + port
		secret := make([]byte, 16)
		_, _ = rand.Read(secret)
		p := linetest.NewServer(nil, linetest.Config{
			ChannelID:     fmt.Sprintf("200000000%d", i+1),
			ChannelSecret: hex.EncodeToString(secret),
			CallbackURLs:  []string{scheme + "://" + host + "/callback"},
			Users:         linetest.ProviderUsers(s.provider),
			Logger:        log.With("component", "linetest", "tenant", s.host),
			RecordLimit:   demoRecordLimit,
			HTTPPictures:  true,
		})
		servers = append(servers, p)
		cfg.Tenants = append(cfg.Tenants, tenant{Host: host, Name: s.name, ChannelID: p.ChannelID(), ChannelSecret: p.ChannelSecret(),
			AccessURL: p.AccessURL(), APIURL: p.APIURL()})
		log.Info(fmt.Sprintf("demo tenant %s: %s://%s with its own fake LINE Platform at %s", s.name, scheme, host, p.AccessURL()))
	}
	return servers, nil
}
