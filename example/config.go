package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/session"
)

// config is the example's environment, as documented in the README.
type config struct {
	Addr          string
	BaseURL       string
	ChannelID     string
	ChannelSecret string
	ExtraChannels []callback.Channel
	// Tenants are further hosts with channels of their own
	// (LINE_TENANTS, and the demo's shops).
	Tenants      []tenant
	AccessURL    string
	APIURL       string
	Scopes       []string
	SessionKeys  [][]byte
	ResponseMode string
	RedisURL     string
	DatabasePath string
	MetricsAddr  string
	// AccountsFile, InHouseIssuer and InHouseClientID: account linking.
	AccountsFile    string
	InHouseIssuer   string
	InHouseClientID string
}

// demo reports whether no LINE channel is configured (neither
// LINE_CHANNEL_ID nor LINE_TENANTS), so that the example runs against an
// embedded linetest platform.
func (c config) demo() bool { return c.ChannelID == "" && len(c.Tenants) == 0 }

func loadConfig(getenv func(string) string, log *slog.Logger) (config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	c := config{
		Addr:          get("ADDR", "localhost:8080"),
		ChannelID:     get("LINE_CHANNEL_ID", ""),
		ChannelSecret: get("LINE_CHANNEL_SECRET", ""),
		AccessURL:     get("LINE_ACCESS_URL", callback.DefaultAccessURL),
		APIURL:        get("LINE_API_URL", callback.DefaultAPIURL),
		Scopes:        strings.Fields(get("LINE_SCOPES", "openid profile")),
		ResponseMode:  get("LINE_RESPONSE_MODE", callback.ResponseModeQuery),
		RedisURL:      get("REDIS_URL", ""),
		DatabasePath:  get("DATABASE_PATH", defaultAccountsPath()),
		MetricsAddr:   get("METRICS_ADDR", ""),
		AccountsFile:  get("ACCOUNTS_FILE", ""),

		InHouseIssuer:   get("INHOUSE_ISSUER", ""),
		InHouseClientID: get("INHOUSE_CLIENT_ID", ""),
	}
	if (c.InHouseIssuer == "") != (c.InHouseClientID == "") {
		return c, errors.New("INHOUSE_ISSUER and INHOUSE_CLIENT_ID go together")
	}
	c.BaseURL = strings.TrimRight(get("BASE_URL", "http://"+c.Addr), "/")
	if c.ChannelID != "" && c.ChannelSecret == "" {
		return c, errors.New("LINE_CHANNEL_SECRET is required with LINE_CHANNEL_ID")
	}
	extra, err := parseExtraChannels(getenv("LINE_EXTRA_CHANNELS"))
	if err != nil {
		return c, err
	}
	c.ExtraChannels = extra
	if c.Tenants, err = parseTenants(getenv("LINE_TENANTS"), c); err != nil {
		return c, err
	}
	if keys := getenv("SESSION_KEYS"); keys != "" {
		var err error
		if c.SessionKeys, err = session.ParseKeys(keys); err != nil {
			return c, fmt.Errorf("SESSION_KEYS: %w", err)
		}
	} else {
		key := session.GenerateKey()
		c.SessionKeys = [][]byte{key}
		log.Warn("SESSION_KEYS is not set: using a random key, so sessions end when the app restarts",
			"hint", "set SESSION_KEYS to the standard base64 of 32 random bytes, e.g. `openssl rand -base64 32`")
	}
	return c, nil
}
