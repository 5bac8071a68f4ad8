package middleware

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// meterName is the instrumentation scope of this module's metrics, the
// same as the callback package's.
const meterName = "github.com/linelogin/linelogin"

// Reason says why a login (or a logout) failed, in a closed set fit for a
// metric label and an audit log (Event.Reason): every error of this module
// has exactly one.
type Reason string

// The reasons a login fails: the reason label of
// linelogin_login_finished_total{result="failure"}, and Event.Reason.
const (
	// ReasonState: the callback answered no login in progress
	// (callback.ErrState): a replay, an expired flow, or a login finished
	// in another browser than it started in.
	ReasonState Reason = "state"
	// ReasonAccessDenied: the user declined at LINE.
	ReasonAccessDenied Reason = "access_denied"
	// ReasonAuthorization: LINE sent another error to the callback
	// (callback.ErrAuthorization, not a refusal by the user).
	ReasonAuthorization Reason = "authorization"
	// ReasonCodeRejected: LINE's token endpoint refused the code
	// (callback.ErrCodeRejected), e.g. expired.
	ReasonCodeRejected Reason = "code_rejected"
	// ReasonIDToken: the ID token failed verification
	// (callback.ErrInvalidToken).
	ReasonIDToken Reason = "id_token"
	// ReasonUpstream: LINE could not be reached or answered something
	// unusable (callback.ErrUpstream).
	ReasonUpstream Reason = "upstream"
	// ReasonRejected: the app's OnLogin hook refused the user
	// (ErrLoginRejected).
	ReasonRejected Reason = "rejected"
	// ReasonConfig: a configuration mistake (ErrConfig), such as LINE
	// refusing the channel secret or the callback URL.
	ReasonConfig Reason = "config"
	// ReasonSessionStore: the session store could not be reached
	// (session.ErrStoreUnavailable).
	ReasonSessionStore Reason = "session_store"
	// ReasonResponse: a JARM response that failed verification, or plain
	// parameters where one was due (callback.ErrResponseRejected).
	ReasonResponse Reason = "response"
	// ReasonLink: a connect that could not link: the LINE user or the
	// account is linked elsewhere, the app's session changed or is gone,
	// or the link store is down (Config.Linking).
	ReasonLink Reason = "link"
	// ReasonCrossSite: a logout, connect, unlink or end-session POST
	// without same-origin proof (ErrCrossSiteRequest).
	ReasonCrossSite Reason = "cross_site"
	// ReasonOther: anything else.
	ReasonOther Reason = "other"
)

// reasons is the closed set, in the order of the constants.
var reasons = []Reason{ReasonState, ReasonAccessDenied, ReasonAuthorization, ReasonCodeRejected, ReasonIDToken,
	ReasonUpstream, ReasonRejected, ReasonConfig, ReasonSessionStore, ReasonResponse, ReasonLink, ReasonCrossSite, ReasonOther}

// The results of a bearer check, indexes of bearerResults: the result
// label of linelogin_bearer_checks_total.
const (
	bearerCached      = iota // accepted from the cache, no call to LINE
	bearerVerified           // accepted after a check with LINE (a cache miss)
	bearerInvalid            // refused: LINE does not vouch for it
	bearerMalformed          // not a well-formed credential header
	bearerUnavailable        // LINE could not be reached: 503
	bearerLimited            // not checked: over a flood limit (BearerLimits), 429 or 503
	numBearerResults
)

var bearerResults = [numBearerResults]string{"cached", "verified", "invalid", "malformed", "unavailable", "limited"}

// bearerSources are the sources a bearer check counts under.
var bearerSources = []Source{SourceAccessToken, SourceIDToken}

// metrics are the middleware's instruments. Every attribute set is built
// once, in newMetrics, each in a one-element option slice passed on with
// "...", so that recording allocates nothing (a fresh variadic slice would
// escape through the instrument's interface). A request with a session
// cookie records nothing at all; a bearer request increments an atomic
// counter, which the MeterProvider reads when it collects, because a
// synchronous Add costs more than a cache hit itself.
type metrics struct {
	started  metric.Int64Counter
	finished metric.Int64Counter

	startedWith []metric.AddOption // the channel label, if any

	success []metric.AddOption
	failure map[Reason][]metric.AddOption

	// checks counts bearer checks by Source and result.
	checks [SourceIDToken + 1][numBearerResults]atomic.Int64
}

// newMetrics makes the instruments; with channel set (an Auth of many
// channels, see Config.Tenants), every attribute set carries it as the
// channel label, bounded by the configured channels.
func newMetrics(mp metric.MeterProvider, channel string) (*metrics, error) {
	meter := mp.Meter(meterName)
	m := &metrics{failure: make(map[Reason][]metric.AddOption, len(reasons))}
	var err error
	// OpenTelemetry names; the Prometheus exporter adds _total.
	if m.started, err = meter.Int64Counter("linelogin.login.started",
		metric.WithDescription("Logins started: redirects to LINE's authorize endpoint.")); err != nil {
		return nil, err
	}
	if m.finished, err = meter.Int64Counter("linelogin.login.finished",
		metric.WithDescription("Logins finished at the callback, by result (success, failure) and failure reason.")); err != nil {
		return nil, err
	}
	with := func(kv ...attribute.KeyValue) []metric.AddOption {
		if channel != "" {
			kv = append(kv, attribute.String("channel", channel))
		}
		return []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(kv...))}
	}
	if channel != "" {
		m.startedWith = with()
	}
	m.success = with(attribute.String("result", "success"))
	for _, r := range reasons {
		m.failure[r] = with(attribute.String("result", "failure"), attribute.String("reason", string(r)))
	}
	var observe [SourceIDToken + 1][numBearerResults]metric.ObserveOption
	for _, src := range bearerSources {
		for i, res := range bearerResults {
			kv := []attribute.KeyValue{attribute.String("source", src.label()), attribute.String("result", res)}
			if channel != "" {
				kv = append(kv, attribute.String("channel", channel))
			}
			observe[src][i] = metric.WithAttributeSet(attribute.NewSet(kv...))
		}
	}
	_, err = meter.Int64ObservableCounter("linelogin.bearer.checks",
		metric.WithDescription("Bearer credentials checked, by source (access_token, id_token) and result."),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			for _, src := range bearerSources {
				for i := range bearerResults {
					if n := m.checks[src][i].Load(); n > 0 {
						o.Observe(n, observe[src][i])
					}
				}
			}
			return nil
		}))
	if err != nil {
		return nil, err
	}
	return m, nil
}

// label is the source's metric label: access_token or id_token.
func (s Source) label() string {
	switch s {
	case SourceAccessToken:
		return "access_token"
	case SourceIDToken:
		return "id_token"
	case SourceSession:
		return "session"
	}
	return "none"
}

func (m *metrics) loginStarted(ctx context.Context) { m.started.Add(ctx, 1, m.startedWith...) }

func (m *metrics) loginSucceeded(ctx context.Context) { m.finished.Add(ctx, 1, m.success...) }

func (m *metrics) loginFailed(ctx context.Context, r Reason) {
	opt, ok := m.failure[r]
	if !ok {
		opt = m.failure[ReasonOther]
	}
	m.finished.Add(ctx, 1, opt...)
}

func (m *metrics) bearerChecked(src Source, result int) {
	if src == SourceAccessToken || src == SourceIDToken {
		m.checks[src][result].Add(1)
	}
}

// bearerResult names the result of a check that produced st.
func bearerResult(st *requestState, cached bool) int {
	switch {
	case st.user != nil && cached:
		return bearerCached
	case st.user != nil:
		return bearerVerified
	case errors.Is(st.unavailable, ErrRateLimited):
		return bearerLimited
	case st.unavailable != nil:
		return bearerUnavailable
	case errors.Is(st.refused, ErrMalformedCredential):
		return bearerMalformed
	}
	return bearerInvalid
}

// errMetrics wraps a MeterProvider's refusal to make an instrument.
func errMetrics(err error) error { return fmt.Errorf("%w: MeterProvider: %v", ErrConfig, err) }
