package callback_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
)

// TestNew_ConfigMistakesSayWhatTheyAre: each mistake a new user makes is
// refused by New with a message that names it, not a generic one.
func TestNew_ConfigMistakesSayWhatTheyAre(t *testing.T) {
	good := func() callback.Config {
		return callback.Config{
			ChannelID:     "1234567890",
			ChannelSecret: linetest.DefaultChannelSecret,
			RedirectURL:   "https://app.example/callback",
		}
	}
	cases := map[string]struct {
		change func(*callback.Config)
		want   string
	}{
		"empty channel secret": {func(c *callback.Config) { c.ChannelSecret = "" }, "ChannelSecret is empty"},
		"short channel secret": {func(c *callback.Config) { c.ChannelSecret = "abc" }, "at least 32 bytes"},
		"callback URL without a path": {func(c *callback.Config) { c.RedirectURL = "https://app.example" },
			`"https://app.example" has no path`},
		"callback URL at /": {func(c *callback.Config) { c.RedirectURL = "https://app.example/" },
			`"https://app.example/" has no path`},
		"scope typo": {func(c *callback.Config) { c.Scopes = []string{"openid", "porfile"} },
			`unknown scope "porfile": LINE Login's scopes are openid, profile, email`},
		"scope of another provider": {func(c *callback.Config) { c.Scopes = []string{"openid", "offline_access"} },
			`unknown scope "offline_access"`},
	}
	seen := map[string]string{}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := good()
			tc.change(&cfg)
			c, err := callback.New(cfg)
			if c != nil || !errors.Is(err, callback.ErrConfig) {
				t.Fatalf("New: %v, %v; want ErrConfig", c, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
		seen[name] = tc.want
	}
	for _, scopes := range [][]string{{"openid"}, {"profile"}, {"openid", "profile", "email"}} {
		cfg := good()
		cfg.Scopes = scopes
		if _, err := callback.New(cfg); err != nil {
			t.Errorf("scopes %v: %v", scopes, err)
		}
	}
}

// TestExchange_RefusedCredentialsAreConfigurationErrors: LINE refusing the
// channel secret, or the redirect_uri, is a configuration mistake every
// login repeats, not an outage and not a bad code; an expired code stays a
// rejected code.
func TestExchange_RefusedCredentialsAreConfigurationErrors(t *testing.T) {
	p := newAutoApprovePlatform(t)
	base := callback.Config{
		ChannelID:     p.ChannelID(),
		ChannelSecret: p.ChannelSecret(),
		RedirectURL:   "https://app.example/callback",
		AccessURL:     p.AccessURL(),
		APIURL:        p.APIURL(),
	}
	login := func(starter, finisher callback.Config) error {
		t.Helper()
		start, err := callback.New(starter)
		if err != nil {
			t.Fatal(err)
		}
		finish, err := callback.New(finisher)
		if err != nil {
			t.Fatal(err)
		}
		a := newAttempt()
		code := authorizeCode(t, p, authURL(t, start, a))
		_, err = finish.Exchange(context.Background(), a, callback.Response{Code: code, State: a.State})
		return err
	}
	wrongSecret := base
	wrongSecret.ChannelSecret = strings.Repeat("x", 32)
	otherCallback := base
	otherCallback.RedirectURL = "https://app.example/auth/callback"
	for name, tc := range map[string]struct {
		finisher callback.Config
		want     error
		code     string
	}{
		"wrong channel secret":  {wrongSecret, callback.ErrConfig, "invalid_client"},
		"redirect_uri mismatch": {otherCallback, callback.ErrConfig, "invalid_grant"},
	} {
		err := login(base, tc.finisher)
		var ue *callback.UpstreamError
		if !errors.Is(err, tc.want) || errors.Is(err, callback.ErrUpstream) || errors.Is(err, callback.ErrCodeRejected) ||
			!errors.As(err, &ue) || ue.Code != tc.code {
			t.Errorf("%s: %v; want only ErrConfig, with LINE's code %s", name, err, tc.code)
		}
	}
	// A code used twice is invalid_grant too, without redirect_uri: the
	// user starts again, nothing to configure.
	c, _ := callback.New(base)
	a := newAttempt()
	code := authorizeCode(t, p, authURL(t, c, a))
	resp := callback.Response{Code: code, State: a.State}
	if _, err := c.Exchange(context.Background(), a, resp); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exchange(context.Background(), a, resp); !errors.Is(err, callback.ErrCodeRejected) || errors.Is(err, callback.ErrConfig) {
		t.Errorf("a code used twice: %v, want ErrCodeRejected only", err)
	}
}

// TestMetrics_RequestDurationPerEndpoint: every back-channel endpoint is
// timed under its own endpoint attribute, and nothing else is a label.
func TestMetrics_RequestDurationPerEndpoint(t *testing.T) {
	p := newAutoApprovePlatform(t)
	reader := sdkmetric.NewManualReader()
	c, err := callback.New(callback.Config{
		ChannelID:     p.ChannelID(),
		ChannelSecret: p.ChannelSecret(),
		RedirectURL:   "https://app.example/callback",
		AccessURL:     p.AccessURL(),
		APIURL:        p.APIURL(),
	}, callback.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a := newAttempt()
	login, err := c.Exchange(ctx, a, callback.Response{Code: authorizeCode(t, p, authURL(t, c, a)), State: a.State}) // token
	if err != nil {
		t.Fatal(err)
	}
	tok := login.Token
	if _, _, err := c.UserFromAccessToken(ctx, tok.AccessToken); err != nil { // verify, profile
		t.Fatal(err)
	}
	if _, err := c.Friendship(ctx, tok.AccessToken); err != nil { // friendship
		t.Fatal(err)
	}
	if _, err := c.VerifyIDToken(ctx, mustIssueLIFF(t, p), ""); err != nil { // certs
		t.Fatal(err)
	}
	if _, err := c.Refresh(ctx, tok.RefreshToken); err != nil { // token again
		t.Fatal(err)
	}
	if err := c.Revoke(ctx, tok.AccessToken); err != nil { // revoke
		t.Fatal(err)
	}
	other, _ := p.IssueAccessToken(p.Users()[1].ID, []string{"profile"})
	if err := c.Deauthorize(ctx, p.IssueChannelAccessToken(), other); err != nil { // deauthorize
		t.Fatal(err)
	}
	// LINE down: the failed call is timed too.
	p.SetFault("/v2/profile", linetest.Fault{Status: http.StatusServiceUnavailable, Times: 1})
	if _, err := c.Profile(ctx, other); !errors.Is(err, callback.ErrUpstream) {
		t.Fatalf("profile with LINE down: %v", err)
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "linelogin.line.request.duration" {
				t.Errorf("unexpected metric %s", m.Name)
				continue
			}
			if m.Unit != "s" {
				t.Errorf("unit %q, want s", m.Unit)
			}
			for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
				if keys := attrKeys(dp.Attributes); !slices.Equal(keys, []string{"channel", "endpoint"}) {
					t.Errorf("labels %v, want channel and endpoint", keys)
				}
				if ch, _ := dp.Attributes.Value("channel"); ch.AsString() != p.ChannelID() {
					t.Errorf("channel label %q, want the client's %s", ch.AsString(), p.ChannelID())
				}
				op, _ := dp.Attributes.Value("endpoint")
				counts[op.AsString()] += dp.Count
				if dp.Sum <= 0 {
					t.Errorf("%s: sum %v", op.AsString(), dp.Sum)
				}
			}
		}
	}
	want := map[string]uint64{"token": 2, "verify": 1, "profile": 2, "friendship": 1, "certs": 1, "revoke": 1, "deauthorize": 1}
	for op, n := range want {
		if counts[op] != n {
			t.Errorf("endpoint %s: %d calls timed, want %d (all: %v)", op, counts[op], n, counts)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("endpoints %v, want exactly %v", counts, want)
	}
}

func attrKeys(s attribute.Set) []string {
	var keys []string
	for _, kv := range s.ToSlice() {
		keys = append(keys, string(kv.Key))
	}
	return keys
}
