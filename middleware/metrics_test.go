package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// observed is what an app sees of the middleware through its metrics
// (an SDK MeterProvider read by a ManualReader) and its OnEvent hook.
type observed struct {
	t      testing.TB
	reader *sdkmetric.ManualReader
	mu     sync.Mutex
	events []middleware.Event
}

func withObservation(t testing.TB) (*observed, appOption) {
	o := &observed{t: t, reader: sdkmetric.NewManualReader()}
	return o, func(c *middleware.Config) {
		c.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(o.reader))
		c.OnEvent = func(_ context.Context, e middleware.Event) {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.events = append(o.events, e)
		}
	}
}

// series is one metric's time series: its attributes as "k=v,k=v"
// (sorted) mapped to the count (or, for histograms, the sample count).
type series map[string]int64

func (o *observed) collect() map[string]series {
	o.t.Helper()
	var rm metricdata.ResourceMetrics
	if err := o.reader.Collect(context.Background(), &rm); err != nil {
		o.t.Fatal(err)
	}
	out := map[string]series{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			s := series{}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					s[labels(dp.Attributes)] += dp.Value
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					s[labels(dp.Attributes)] += int64(dp.Count)
				}
			default:
				o.t.Errorf("metric %s of unexpected type %T", m.Name, m.Data)
			}
			out[m.Name] = s
		}
	}
	return out
}

func labels(set attribute.Set) string {
	var kv []string
	for _, a := range set.ToSlice() {
		kv = append(kv, string(a.Key)+"="+a.Value.String())
	}
	slices.Sort(kv)
	return strings.Join(kv, ",")
}

func (o *observed) kinds() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var k []string
	for _, e := range o.events {
		s := string(e.Kind)
		if e.Reason != "" {
			s += ":" + string(e.Reason)
		}
		k = append(k, s)
	}
	return k
}

// TestMetrics_LoginOutcomes: after real logins against linetest (one
// success, a cancel, a bad state, LINE down, a wrong channel secret), each
// metric counts them under the documented names and labels, and the event
// hook saw each.
func TestMetrics_LoginOutcomes(t *testing.T) {
	obs, observe := withObservation(t)
	app := newTestApp(t, observe)

	// Success.
	b := app.browser()
	b.mustLogin()
	if got := obs.kinds(); !slices.Equal(got, []string{"login"}) {
		t.Errorf("events after a login: %v", got)
	}
	if e := obs.events[0]; e.UserID != app.user.ID || e.Time.IsZero() {
		t.Errorf("login event %+v: want the user %s and a time", e, app.user.ID)
	}

	// The user cancels at LINE.
	app.platform.SetAuthorizeError("ACCESS_DENIED", "The user has denied the request")
	if resp := app.browser().login(""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cancel: status %d", resp.StatusCode)
	}
	app.platform.SetAuthorizeError("", "")

	// A callback whose state matches no flow (the LINE app opened another
	// browser).
	b = app.browser()
	cb := b.authorize(b.startLogin(""))
	q := cb.Query()
	q.Set("state", strings.Repeat("a", 32))
	cb.RawQuery = q.Encode()
	if resp := b.get(cb.String()); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad state: status %d", resp.StatusCode)
	}

	// LINE down at the token endpoint.
	app.platform.SetFault(linetest.PathToken, linetest.Fault{Status: http.StatusServiceUnavailable, Times: 1})
	if resp := app.browser().login(""); resp.StatusCode != http.StatusBadGateway {
		t.Errorf("LINE down: status %d", resp.StatusCode)
	}

	// A wrong channel secret: LINE refuses the app's credentials.
	wrong := app.cfg
	wrong.LINE.ChannelSecret = strings.Repeat("w", 32)
	app.mount(t, wrong)
	resp := app.browser().login("")
	if body := readBody(t, resp); resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "This site is misconfigured") {
		t.Errorf("wrong secret: status %d: %.300s", resp.StatusCode, body)
	}

	got := obs.collect()
	want := map[string]series{
		"linelogin.login.started": {"": 5},
		"linelogin.login.finished": {
			"result=success":                      1,
			"reason=access_denied,result=failure": 1,
			"reason=state,result=failure":         1,
			"reason=upstream,result=failure":      1,
			"reason=config,result=failure":        1,
		},
	}
	for name, w := range want {
		if !mapsEqual(got[name], w) {
			t.Errorf("%s = %v, want %v", name, got[name], w)
		}
	}
	// Three logins reached the token endpoint: the success, LINE down and
	// the wrong secret; every call is timed, failed ones too.
	if n := got["linelogin.line.request.duration"]["channel="+app.platform.ChannelID()+",endpoint=token"]; n != 3 {
		t.Errorf("token calls timed: %d, want 3 (%v)", n, got["linelogin.line.request.duration"])
	}
	wantEvents := []string{"login", "failure:access_denied", "failure:state", "failure:upstream", "failure:config"}
	if got := obs.kinds(); !slices.Equal(got, wantEvents) {
		t.Errorf("events %v, want %v", got, wantEvents)
	}
	if !strings.Contains(app.logs.String(), "configuration error") {
		t.Errorf("the wrong secret is not logged as a configuration error:\n%s", app.logs.String())
	}
	noSecretsInLabels(t, got, app.platform.ChannelID(), app.platform.ChannelSecret(), wrong.LINE.ChannelSecret, q.Get("code"))
}

func mapsEqual(a, b series) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// noSecretsInLabels fails when any label value holds one of secrets, or
// anything but the documented values (a channel label: channel).
func noSecretsInLabels(t *testing.T, got map[string]series, channel string, secrets ...string) {
	t.Helper()
	allowed := map[string][]string{
		"channel":  {channel},
		"result":   {"success", "failure", "cached", "verified", "invalid", "malformed", "unavailable", "limited"},
		"reason":   {"state", "access_denied", "authorization", "code_rejected", "id_token", "upstream", "rejected", "config", "session_store", "cross_site", "other"},
		"source":   {"access_token", "id_token"},
		"endpoint": {"token", "verify", "profile", "revoke", "certs", "friendship", "deauthorize"},
	}
	for name, s := range got {
		for set := range s {
			for _, kv := range strings.Split(set, ",") {
				if kv == "" {
					continue
				}
				k, v, _ := strings.Cut(kv, "=")
				if !slices.Contains(allowed[k], v) {
					t.Errorf("%s has label %s=%q, outside the documented set", name, k, v)
				}
				for _, secret := range secrets {
					if secret != "" && strings.Contains(v, secret) {
						t.Errorf("%s has a secret in label %s", name, k)
					}
				}
			}
		}
	}
}

// TestMetrics_BearerChecks: bearer credentials are counted by source and
// result: a miss verified with LINE, then cache hits, a token LINE
// refuses, a malformed header, LINE down; a session request counts
// nothing.
func TestMetrics_BearerChecks(t *testing.T) {
	obs, observe := withObservation(t)
	app := newTestApp(t, observe)
	call := func(header, value string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, app.url("/api/me"), nil)
		req.Header.Set(header, value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	access, _ := app.platform.IssueAccessToken(app.user.ID, []string{"openid", "profile"})
	for range 3 {
		if s := call("Authorization", "Bearer "+access); s != http.StatusOK {
			t.Fatalf("access token: %d", s)
		}
	}
	idToken, _ := app.platform.IssueLIFFIDToken(app.user.ID, "")
	for range 2 {
		if s := call(middleware.HeaderIDToken, idToken); s != http.StatusOK {
			t.Fatalf("ID token: %d", s)
		}
	}
	unknown, _ := app.platform.IssueAccessToken(app.user.ID, []string{"profile"})
	app.platform.RevokeAccessToken(unknown)
	if s := call("Authorization", "Bearer "+unknown); s != http.StatusUnauthorized {
		t.Errorf("revoked token: %d", s)
	}
	if s := call("Authorization", "Bearer a b"); s != http.StatusBadRequest {
		t.Errorf("malformed: %d", s)
	}
	app.platform.SetFault(linetest.PathVerify, linetest.Fault{Status: http.StatusInternalServerError})
	other, _ := app.platform.IssueAccessToken(app.platform.Users()[1].ID, []string{"profile"})
	if s := call("Authorization", "Bearer "+other); s != http.StatusServiceUnavailable {
		t.Errorf("LINE down: %d", s)
	}
	app.platform.ClearFaults()
	b := app.browser()
	b.mustLogin()
	before := obs.collect()["linelogin.bearer.checks"]
	for range 3 {
		if s, _ := b.me(); s != http.StatusOK {
			t.Fatalf("session: %d", s)
		}
	}

	got := obs.collect()
	want := series{
		"result=verified,source=access_token":    1,
		"result=cached,source=access_token":      2,
		"result=verified,source=id_token":        1,
		"result=cached,source=id_token":          1,
		"result=invalid,source=access_token":     1,
		"result=malformed,source=access_token":   1,
		"result=unavailable,source=access_token": 1,
	}
	if !mapsEqual(got["linelogin.bearer.checks"], want) {
		t.Errorf("linelogin.bearer.checks = %v, want %v", got["linelogin.bearer.checks"], want)
	}
	if !mapsEqual(before, got["linelogin.bearer.checks"]) {
		t.Error("session requests changed the bearer counts")
	}
	ch := "channel=" + app.platform.ChannelID() + ","
	if d := got["linelogin.line.request.duration"]; d[ch+"endpoint=verify"] < 3 || d[ch+"endpoint=profile"] < 2 {
		t.Errorf("verify and profile calls not timed: %v", d)
	}
	noSecretsInLabels(t, got, app.platform.ChannelID(), access, idToken, unknown, other, app.platform.ChannelSecret())
}

// TestEvents_LogoutAndRevoke: logout and RevokeUser reach the hook with
// the user, and nothing else does.
func TestEvents_LogoutAndRevoke(t *testing.T) {
	obs, observe := withObservation(t)
	app := newTestApp(t, observe)
	b := app.browser()
	b.mustLogin()
	resp := b.do(http.MethodPost, app.url("/logout"), http.Header{"Origin": {app.srv.URL}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	// A cross-site logout is a failure, with its reason.
	b.do(http.MethodPost, app.url("/logout"), http.Header{"Origin": {"https://evil.example"}}, nil)
	_ = app.auth.Sessions().RevokeUser(context.Background(), app.user.ID) // the cookie store cannot: no event
	want := []string{"login", "logout", "failure:cross_site"}
	if got := obs.kinds(); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	for _, e := range obs.events[:2] {
		if e.UserID != app.user.ID {
			t.Errorf("%s event for %q, want %q", e.Kind, e.UserID, app.user.ID)
		}
	}
}

// TestReason_OneReasonPerCategory: each error category a login can
// fail with maps to its documented reason, wrapped or not.
func TestReason_OneReasonPerCategory(t *testing.T) {
	cases := []struct {
		err  error
		want middleware.Reason
	}{
		{callback.ErrState, middleware.ReasonState},
		{&callback.AuthError{Code: "ACCESS_DENIED"}, middleware.ReasonAccessDenied},
		{&callback.AuthError{Code: "access_denied"}, middleware.ReasonAccessDenied},
		{&callback.AuthError{Code: "417", V2Code: "417", V2Message: "DISALLOWED"}, middleware.ReasonAccessDenied},
		{&callback.AuthError{Code: "INTERACTION_REQUIRED"}, middleware.ReasonAuthorization},
		{&callback.UpstreamError{Op: "token", Status: 400, Code: "invalid_grant", Message: "code expired"}, middleware.ReasonCodeRejected},
		{&callback.UpstreamError{Op: "token", Status: 400, Code: "invalid_grant", Message: "redirect_uri does not match"}, middleware.ReasonConfig},
		{&callback.UpstreamError{Op: "token", Status: 401, Code: "invalid_client"}, middleware.ReasonConfig},
		{&callback.UpstreamError{Op: "token", Status: 503}, middleware.ReasonUpstream},
		{&callback.TokenError{Kind: "ID token", Reason: "nonce does not match"}, middleware.ReasonIDToken},
		{fmt.Errorf("%w: %w", middleware.ErrLoginRejected, errors.New("banned")), middleware.ReasonRejected},
		{fmt.Errorf("save: %w", session.ErrStoreUnavailable), middleware.ReasonSessionStore},
		{middleware.ErrCrossSiteRequest, middleware.ReasonCrossSite},
		{fmt.Errorf("%w: bad signature", callback.ErrResponseRejected), middleware.ReasonResponse},
		{&link.ConflictError{LINEUser: true}, middleware.ReasonLink},
		{middleware.ErrConnectSessionChanged, middleware.ReasonLink},
		{fmt.Errorf("%w: database is locked", link.ErrUnavailable), middleware.ReasonLink},
		{errors.New("something else"), middleware.ReasonOther},
	}
	for _, tc := range cases {
		if got := middleware.ReasonOf(fmt.Errorf("wrapped: %w", tc.err)); got != tc.want {
			t.Errorf("ReasonOf(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}
