package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/middleware"
)

// tenant is a host of the app with a LINE Login channel of its own
// (LINE_TENANTS, and the demo's shops).
type tenant struct {
	Host                     string // with its port, as the browser sends it
	ChannelID, ChannelSecret string
	// AccessURL and APIURL are LINE's, or the demo's linetest.
	AccessURL, APIURL string
	// Name is what the home page calls it ("" for none).
	Name string
}

// parseTenants reads LINE_TENANTS: comma-separated
// host=channelID:channelSecret items. Errors never quote a secret.
func parseTenants(s string, c config) ([]tenant, error) {
	var ts []tenant
	seen := map[string]bool{}
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		host, channel, ok := strings.Cut(item, "=")
		id, secret, ok2 := strings.Cut(channel, ":")
		host, id, secret = strings.ToLower(strings.TrimSpace(host)), strings.TrimSpace(id), strings.TrimSpace(secret)
		if !ok || !ok2 || host == "" || id == "" || secret == "" {
			return nil, fmt.Errorf("LINE_TENANTS: item %d is not host=channelID:channelSecret", i+1)
		}
		if u, err := url.Parse("http://" + host); err != nil || u.Host != host || u.Path != "" {
			return nil, fmt.Errorf("LINE_TENANTS: item %d: %q is not a host (with its port)", i+1, host)
		}
		if seen[host] {
			return nil, fmt.Errorf("LINE_TENANTS: host %q is listed twice", host)
		}
		seen[host] = true
		ts = append(ts, tenant{Host: host, ChannelID: id, ChannelSecret: secret, AccessURL: c.AccessURL, APIURL: c.APIURL})
	}
	return ts, nil
}

// tenantStore makes the middleware's tenants of c: each of c.Tenants,
// and the host of BASE_URL with LINE_CHANNEL_ID's channel (main) when
// there is one. Each tenant's callback is <scheme>://host/callback, the
// scheme BASE_URL's.
func tenantStore(c config, main callback.Config) (*middleware.Tenants, error) {
	base, err := url.Parse(c.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("BASE_URL: %w", err)
	}
	store := middleware.NewTenants()
	if c.ChannelID != "" {
		if err := store.Add(base.Host, main); err != nil {
			return nil, err
		}
	}
	for _, t := range c.Tenants {
		line := main
		line.ChannelID, line.ChannelSecret, line.ExtraChannels = t.ChannelID, t.ChannelSecret, nil
		line.RedirectURL = base.Scheme + "://" + t.Host + "/callback"
		line.AccessURL, line.APIURL = t.AccessURL, t.APIURL
		if err := store.Add(t.Host, line); err != nil {
			return nil, fmt.Errorf("LINE_TENANTS: %w", err)
		}
	}
	return store, nil
}

// shopName is what the home page of r's host calls it, or "".
func (a *app) shopName(host string) string { return a.shops[strings.ToLower(host)] }
