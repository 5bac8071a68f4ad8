package middleware_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
)

func jarmMode(mode string) appOption {
	return func(c *middleware.Config) { c.LINE.ResponseMode = mode }
}

// TestJARM_LoginInEachMode: with query.jwt, jwt and form_post.jwt, LINE
// answers with one signed response parameter, and the login completes.
func TestJARM_LoginInEachMode(t *testing.T) {
	for _, mode := range []string{callback.ResponseModeQueryJWT, callback.ResponseModeJWT} {
		t.Run(mode, func(t *testing.T) {
			app := newTestApp(t, jarmMode(mode))
			b := app.browser()
			authz := b.startLogin("/orders")
			if got := authz.Query().Get("response_mode"); got != mode {
				t.Errorf("authorize asked for response_mode %q, want %q", got, mode)
			}
			cb := b.authorize(authz)
			if q := cb.Query(); len(q) != 1 || q.Get("response") == "" {
				t.Fatalf("callback %s: want only a response parameter", cb)
			}
			resp := b.get(cb.String())
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders" {
				t.Fatalf("callback: %d to %q, want 303 to /orders", resp.StatusCode, resp.Header.Get("Location"))
			}
			if status, me := b.me(); status != http.StatusOK || me.User == nil || me.User.ID != app.user.ID {
				t.Errorf("/api/me after a JARM login: %d %+v", status, me.User)
			}
		})
	}
	t.Run(callback.ResponseModeFormPostJWT, func(t *testing.T) {
		app := newTLSTestApp(t, jarmMode(callback.ResponseModeFormPostJWT))
		b := app.browser()
		page := readBody(t, b.get(b.startLogin("/orders").String()))
		m := regexp.MustCompile(`name="response" value="([^"]*)"`).FindStringSubmatch(page)
		if m == nil || strings.Contains(page, `name="code"`) {
			t.Fatalf("form_post.jwt page has no lone response field: %.500s", page)
		}
		resp := b.do(http.MethodPost, app.url("/callback"), http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"},
			"Origin":       {app.platform.AccessURL()},
		}, strings.NewReader(url.Values{"response": {html.UnescapeString(m[1])}}.Encode()))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders" {
			t.Fatalf("posted callback: %d to %q, want 303 to /orders", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// TestJARM_RefusalsNeverCallTheTokenEndpoint: a response JWT that fails any
// check, or plain parameters in a JARM flow, is refused with a "try again"
// page before anything in it is used: no session, and no call to LINE's
// token endpoint (a code injected or replayed this way is never spent).
func TestJARM_RefusalsNeverCallTheTokenEndpoint(t *testing.T) {
	hooks := map[string]func(p *linetest.Server) func(*linetest.JARMResponse){
		"bad signature": func(*linetest.Server) func(*linetest.JARMResponse) { return nil }, // tampered below
		"alg none": func(*linetest.Server) func(*linetest.JARMResponse) {
			return func(j *linetest.JARMResponse) { j.Header["alg"] = "none" }
		},
		"another secret": func(*linetest.Server) func(*linetest.JARMResponse) {
			return func(j *linetest.JARMResponse) { j.Secret = []byte(strings.Repeat("f", 32)) }
		},
		"wrong aud": func(*linetest.Server) func(*linetest.JARMResponse) {
			return func(j *linetest.JARMResponse) { j.Claims["aud"] = "9999999999" }
		},
		"the API host as iss": func(p *linetest.Server) func(*linetest.JARMResponse) {
			return func(j *linetest.JARMResponse) { j.Claims["iss"] = p.APIURL() }
		},
		"expired": func(*linetest.Server) func(*linetest.JARMResponse) {
			return func(j *linetest.JARMResponse) { j.Claims["exp"] = time.Now().Add(-time.Hour).Unix() }
		},
		"state mismatch inside": func(*linetest.Server) func(*linetest.JARMResponse) {
			return func(j *linetest.JARMResponse) { j.Claims["state"] = strings.Repeat("0", 32) }
		},
	}
	for name, hook := range hooks {
		t.Run(name, func(t *testing.T) {
			app := newTestApp(t, jarmMode(callback.ResponseModeQueryJWT))
			app.platform.SetJARMHook(hook(app.platform))
			b := app.browser()
			cb := b.authorize(b.startLogin(""))
			if name == "bad signature" {
				q := cb.Query()
				raw := q.Get("response")
				q.Set("response", raw[:len(raw)-4]+"AAAA")
				cb.RawQuery = q.Encode()
			}
			before := app.platform.Count(linetest.PathToken)
			assertRejected(t, b.get(cb.String()), http.StatusBadRequest, "try again")
			if n := app.platform.Count(linetest.PathToken) - before; n != 0 {
				t.Errorf("the token endpoint was called %d times", n)
			}
		})
	}

	// Parameters an attacker puts beside or instead of the response JWT.
	downgrades := map[string]func(cb *url.URL, claims map[string]any) string{
		"plain code and state": func(cb *url.URL, c map[string]any) string {
			return "code=" + url.QueryEscape(c["code"].(string)) + "&state=" + url.QueryEscape(c["state"].(string))
		},
		"plain and JWT together": func(cb *url.URL, c map[string]any) string {
			return cb.RawQuery + "&code=" + url.QueryEscape(c["code"].(string)) + "&state=" + url.QueryEscape(c["state"].(string))
		},
		"a plain error beside the JWT": func(cb *url.URL, c map[string]any) string {
			return cb.RawQuery + "&error=ACCESS_DENIED"
		},
	}
	for name, build := range downgrades {
		t.Run(name, func(t *testing.T) {
			app := newTestApp(t, jarmMode(callback.ResponseModeQueryJWT))
			b := app.browser()
			cb := b.authorize(b.startLogin(""))
			claims := testkit.JWTPart(t, cb.Query().Get("response"), 1)
			cb.RawQuery = build(cb, claims)
			before := app.platform.Count(linetest.PathToken)
			assertRejected(t, b.get(cb.String()), http.StatusBadRequest, "try again")
			if n := app.platform.Count(linetest.PathToken) - before; n != 0 {
				t.Errorf("the token endpoint was called %d times", n)
			}
		})
	}

	t.Run("replayed response", func(t *testing.T) {
		app := newTestApp(t, jarmMode(callback.ResponseModeQueryJWT))
		b := app.browser()
		cb := b.authorize(b.startLogin(""))
		if resp := b.get(cb.String()); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use: %d, want 303", resp.StatusCode)
		}
		before := app.platform.Count(linetest.PathToken)
		assertRejected(t, b.get(cb.String()), http.StatusBadRequest, "try again")
		if n := app.platform.Count(linetest.PathToken) - before; n != 0 {
			t.Errorf("the token endpoint was called %d times for a replay", n)
		}
	})

	t.Run("an error inside the JWT", func(t *testing.T) {
		app := newTestApp(t, jarmMode(callback.ResponseModeQueryJWT))
		app.platform.SetJARMHook(func(j *linetest.JARMResponse) {
			delete(j.Claims, "code")
			j.Claims["error"] = "ACCESS_DENIED"
			j.Claims["error_description"] = "<b>denied</b>"
		})
		b := app.browser()
		cb := b.authorize(b.startLogin(""))
		before := app.platform.Count(linetest.PathToken)
		resp := b.get(cb.String())
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Login cancelled") || strings.Contains(body, "<b>denied") {
			t.Errorf("LINE's error inside the JWT: %d %.300s; want the escaped 403 cancel page", resp.StatusCode, body)
		}
		if n := app.platform.Count(linetest.PathToken) - before; n != 0 {
			t.Errorf("the token endpoint was called %d times", n)
		}
	})
}
