package middleware_test

import (
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

// TestBackChannel_TokenEndpointFaults breaks LINE's token endpoint in the
// ways a real outage does: each gives a 502 page within the timeout, never
// a panic or a hang, and the next login after LINE recovers works.
func TestBackChannel_TokenEndpointFaults(t *testing.T) {
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	cases := map[string]linetest.Fault{
		"500":                  {Status: http.StatusInternalServerError, Body: `{"error":"server_error"}`},
		"503 HTML":             {Status: http.StatusServiceUnavailable, Body: "<html>maintenance</html>", Header: http.Header{"Content-Type": {"text/html"}}},
		"429":                  {Status: http.StatusTooManyRequests},
		"HTML instead of JSON": {Body: "<html><body>hello</body></html>", Header: http.Header{"Content-Type": {"text/html"}}},
		"truncated JSON":       {Body: `{"access_token":"abc","id_tok`, Header: jsonHeader},
		"no access_token":      {Body: `{"token_type":"Bearer","expires_in":3600}`, Header: jsonHeader},
		"expires_in a string":  {Body: `{"access_token":"a","token_type":"Bearer","expires_in":"soon","id_token":"x"}`, Header: jsonHeader},
		"id_token a number":    {Body: `{"access_token":"a","token_type":"Bearer","expires_in":3600,"id_token":42}`, Header: jsonHeader},
		"JSON null":            {Body: `null`, Header: jsonHeader},
		"8 MB body":            {Body: `{"access_token":"` + strings.Repeat("a", 8<<20) + `"}`, Header: jsonHeader},
		"hang":                 {Delay: 30 * time.Second},
	}
	app := newTestApp(t, func(c *middleware.Config) { c.LINE.Timeout = 500 * time.Millisecond })
	for name, fault := range cases {
		t.Run(name, func(t *testing.T) {
			b := app.browser()
			cb := b.authorize(b.startLogin(""))
			fault.Times = 1
			app.platform.SetFault(linetest.PathToken, fault)
			start := time.Now()
			resp := b.get(cb.String())
			assertRejected(t, resp, http.StatusBadGateway, "LINE is not responding")
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("502 took %v with a 500ms timeout", d)
			}
			b.mustLogin() // LINE has recovered
		})
	}
}

// TestBackChannel_InvalidClientIsAConfigurationError: LINE refusing the
// channel's credentials is the site's mistake, not an outage: a 500 page
// that says so (no retry link: retrying cannot help), and an error log that
// names it as a configuration error.
func TestBackChannel_InvalidClientIsAConfigurationError(t *testing.T) {
	var seen error
	var app *testApp
	app = newTestApp(t, func(c *middleware.Config) {
		c.Pages.OnError = func(w http.ResponseWriter, r *http.Request, err error) {
			seen = err
			app.auth.ServeError(w, r, err)
		}
	})
	b := app.browser()
	cb := b.authorize(b.startLogin(""))
	app.platform.SetFault(linetest.PathToken, linetest.Fault{
		Status: http.StatusUnauthorized, Body: `{"error":"invalid_client","error_description":"invalid client"}`,
		Header: http.Header{"Content-Type": {"application/json"}}, Times: 1,
	})
	resp := b.get(cb.String())
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "This site is misconfigured") || strings.Contains(body, `id="retry"`) {
		t.Errorf("invalid_client: %d %.300s; want 500 saying the site is misconfigured, without a retry link", resp.StatusCode, body)
	}
	if !errors.Is(seen, middleware.ErrConfig) || errors.Is(seen, callback.ErrUpstream) {
		t.Errorf("OnError saw %v; want ErrConfig and not ErrUpstream", seen)
	}
	if !strings.Contains(app.logs.String(), "invalid_client") {
		t.Errorf("the log does not name invalid_client: %s", app.logs.String())
	}
}

func TestBackChannel_RejectedCodeAsksToTryAgain(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	cb := b.authorize(b.startLogin(""))
	app.platform.SetFault(linetest.PathToken, linetest.Fault{
		Status: http.StatusBadRequest, Body: `{"error":"invalid_grant","error_description":"code expired"}`,
		Header: http.Header{"Content-Type": {"application/json"}}, Times: 1,
	})
	assertRejected(t, b.get(cb.String()), http.StatusBadRequest, "try again")
	if strings.Contains(app.logs.String(), "code expired") {
		t.Error("LINE's error description reached the log; only its code may")
	}
	if !strings.Contains(app.logs.String(), "invalid_grant") {
		t.Error("LINE's error code is not logged")
	}
}

func TestBackChannel_RedirectIsNotFollowed(t *testing.T) {
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer elsewhere.Close()
	app := newTestApp(t)
	b := app.browser()
	cb := b.authorize(b.startLogin(""))
	app.platform.SetFault(linetest.PathToken, linetest.Fault{
		Status: http.StatusTemporaryRedirect, Header: http.Header{"Location": {elsewhere.URL + "/steal"}}, Times: 1,
	})
	assertRejected(t, b.get(cb.String()), http.StatusBadGateway, "not responding")
	if n := hits.Load(); n != 0 {
		t.Errorf("the other host got %d requests: the code and secret were forwarded", n)
	}
}

func TestBackChannel_UntrustedTLSIsRefused(t *testing.T) {
	app := newTestApp(t)
	tlsLINE := httptest.NewUnstartedServer(app.platform) // a certificate no one trusts
	tlsLINE.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsLINE.StartTLS()
	defer tlsLINE.Close()
	cfg := app.cfg
	cfg.LINE.APIURL = tlsLINE.URL
	app.mount(t, cfg)
	b := app.browser()
	assertRejected(t, b.login(""), http.StatusBadGateway, "not responding")
	if app.platform.Count(linetest.PathToken) != 0 {
		t.Error("the token request went through an untrusted TLS connection")
	}
}

func TestBackChannel_LINEDownGives502(t *testing.T) {
	app := newTestApp(t, func(c *middleware.Config) { c.LINE.Timeout = time.Second })
	b := app.browser()
	cb := b.authorize(b.startLogin(""))
	app.platform.Close()
	assertRejected(t, b.get(cb.String()), http.StatusBadGateway, "not responding")
}

func TestBackChannel_ProfileFaultsInProfileOnlyLogin(t *testing.T) {
	app := newTestApp(t, func(c *middleware.Config) {
		c.LINE.Scopes = []string{"profile"}
		c.LINE.Timeout = 500 * time.Millisecond
	})
	for name, fault := range map[string]linetest.Fault{
		"500":       {Status: http.StatusInternalServerError},
		"no userId": {Body: `{"displayName":"x"}`, Header: http.Header{"Content-Type": {"application/json"}}},
		"not JSON":  {Body: `<html>`},
		"hang":      {Delay: 10 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			b := app.browser()
			cb := b.authorize(b.startLogin(""))
			fault.Times = 1
			app.platform.SetFault(linetest.PathProfile, fault)
			assertRejected(t, b.get(cb.String()), http.StatusBadGateway, "not responding")
		})
	}
}

// TestLogs_NeverCarrySecrets runs logins, failures and a logout, then looks
// for every secret in the log and in the pages.
func TestLogs_NeverCarrySecrets(t *testing.T) {
	app := newTestApp(t, func(c *middleware.Config) { c.LINE.Timeout = 300 * time.Millisecond })
	var secrets []string
	var pages strings.Builder
	b := app.browser()
	authorize := b.startLogin("")
	cb := b.authorize(authorize)
	secrets = append(secrets, cb.Query().Get("code"), authorize.Query().Get("nonce"))
	resp := b.get(cb.String())
	for _, c := range resp.Cookies() {
		if c.Value != "" { // deleted cookies have none
			secrets = append(secrets, c.Value)
		}
	}
	b.logout(app.origin())
	for _, r := range app.platform.Requests() {
		if tok := r.Form.Get("access_token"); tok != "" {
			secrets = append(secrets, tok)
		}
		if v := r.Form.Get("code_verifier"); v != "" {
			secrets = append(secrets, v)
		}
	}
	// Failures that print errors: a hanging and a broken token endpoint,
	// a bad ID token, LINE down at logout.
	for _, fault := range []linetest.Fault{{Delay: 5 * time.Second, Times: 1}, {Status: 500, Body: "secret-ish body", Times: 1}} {
		b2 := app.browser()
		cb2 := b2.authorize(b2.startLogin(""))
		secrets = append(secrets, cb2.Query().Get("code"))
		app.platform.SetFault(linetest.PathToken, fault)
		pages.WriteString(readBody(t, b2.get(cb2.String())))
	}
	app.platform.SetIDTokenHook(func(h, _ map[string]any) { h["alg"] = "none" })
	b3 := app.browser()
	pages.WriteString(readBody(t, b3.login("")))
	app.platform.SetIDTokenHook(nil)
	b4 := app.browser()
	b4.mustLogin()
	app.platform.SetFault(linetest.PathRevoke, linetest.Fault{Status: 500})
	b4.logout(app.origin())

	secrets = append(secrets, app.platform.ChannelSecret())
	logs := app.logs.String()
	if logs == "" {
		t.Fatal("nothing was logged")
	}
	for _, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("secret %q too short to look for", s)
		}
		if strings.Contains(logs, s) {
			t.Errorf("log contains a secret (%.12s…): %s", s, logs)
		}
		if strings.Contains(pages.String(), s) {
			t.Errorf("a page contains a secret (%.12s…)", s)
		}
	}
	for _, leak := range []string{"access_token=", "client_secret", "code=", "secret-ish"} {
		if strings.Contains(logs, leak) {
			t.Errorf("log contains %q: %s", leak, logs)
		}
	}
}
