package linetest_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
)

// jarmResponse returns the response parameter of a JARM answer: from the
// Location of a 302 (query.jwt, jwt), or from the auto-submitting form
// (form_post.jwt), which must hold nothing else.
func jarmResponse(t *testing.T, res *http.Response, formPost bool) string {
	t.Helper()
	if !formPost {
		q := redirectQuery(t, res)
		if len(q) != 1 || q.Get("response") == "" {
			t.Fatalf("callback query = %v, want response alone", q)
		}
		return q.Get("response")
	}
	page := readBody(t, res)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `<form method="post" action="`+callbackURL+`" id="response">`) ||
		!strings.Contains(page, `<script>document.forms[0].submit()</script>`) {
		t.Fatalf("form_post.jwt page: %d\n%s", res.StatusCode, page)
	}
	inputs := regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`).FindAllStringSubmatch(page, -1)
	if len(inputs) != 1 || inputs[0][1] != "response" {
		t.Fatalf("form fields = %v, want response alone", inputs)
	}
	return html.UnescapeString(inputs[0][2])
}

// jarmClaims verifies a JARM JWT as a client must (HS256, channel secret)
// and returns its header and claims.
func jarmClaims(t *testing.T, token string, secret string) (jose.Header, map[string]any) {
	t.Helper()
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatalf("parse JARM JWT: %v", err)
	}
	var claims map[string]any
	if err := parsed.Claims([]byte(secret), &claims); err != nil {
		t.Fatalf("JARM JWT does not verify: %v", err)
	}
	return parsed.Headers[0], claims
}

func TestJARM_ResponseModesCarryTheResponseInOneJWT(t *testing.T) {
	clock := newClock()
	for _, mode := range []string{"query.jwt", "jwt", "form_post.jwt"} {
		formPost := mode == "form_post.jwt"
		t.Run(mode+" code", func(t *testing.T) {
			s := newServer(t, linetest.Config{AutoApprove: cony().ID, Now: clock.Now})
			l := newLogin("profile openid")
			l.params.Set("response_mode", mode)
			l.params.Set("bot_prompt", "normal")
			header, claims := jarmClaims(t, jarmResponse(t, authorize(t, s, l.params), formPost), linetest.DefaultChannelSecret)
			if header.Algorithm != "HS256" || header.ExtraHeaders["typ"] != "JWT" {
				t.Errorf("header = %+v", header)
			}
			want := map[string]any{
				"iss": s.AccessURL(), "aud": linetest.DefaultChannelID,
				"exp":   float64(clock.Now().Add(10 * time.Minute).Unix()),
				"state": l.params.Get("state"), "friendship_status_changed": "false",
			}
			for k, v := range want {
				if claims[k] != v {
					t.Errorf("claim %s = %v, want %v", k, claims[k], v)
				}
			}
			c, _ := claims["code"].(string)
			if len(claims) != len(want)+1 || c == "" {
				t.Errorf("claims = %v, want %v and a code", claims, want)
			}
			if res, body := postForm(t, s, linetest.PathToken, exchangeForm(c, l)); res.StatusCode != http.StatusOK {
				t.Errorf("token for the code in the JWT: %d %v", res.StatusCode, body)
			}
		})
		t.Run(mode+" error", func(t *testing.T) {
			s := newServer(t, linetest.Config{AutoApprove: cony().ID, Now: clock.Now})
			s.SetAuthorizeError("SERVER_ERROR", "try later")
			l := newLogin("openid")
			l.params.Set("response_mode", mode)
			_, claims := jarmClaims(t, jarmResponse(t, authorize(t, s, l.params), formPost), linetest.DefaultChannelSecret)
			if claims["error"] != "SERVER_ERROR" || claims["error_description"] != "try later" || claims["state"] != l.params.Get("state") || claims["code"] != nil {
				t.Errorf("claims = %v", claims)
			}
		})
		t.Run(mode+" missing state", func(t *testing.T) {
			s := newServer(t, linetest.Config{AutoApprove: cony().ID, Now: clock.Now})
			l := newLogin("openid")
			l.params.Set("response_mode", mode)
			l.params.Del("state")
			_, claims := jarmClaims(t, jarmResponse(t, authorize(t, s, l.params), formPost), linetest.DefaultChannelSecret)
			if claims["error"] != "INVALID_REQUEST" || claims["state"] != nil {
				t.Errorf("claims = %v", claims)
			}
		})
	}
}

func TestJARM_KeepsTheRegisteredCallbacksOwnQuery(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	l := newLogin("openid")
	l.params.Set("redirect_uri", callbackURL+"?from=app")
	l.params.Set("response_mode", "query.jwt")
	q := redirectQuery(t, authorize(t, s, l.params))
	if q.Get("from") != "app" || q.Get("response") == "" || len(q) != 2 {
		t.Fatalf("callback query = %v", q)
	}
}

func TestSetJARMHook_TampersWithTheJWT(t *testing.T) {
	const otherSecret = "ffffffffffffffffffffffffffffffff"
	for _, tc := range []struct {
		name  string
		hook  func(*linetest.JARMResponse)
		check func(t *testing.T, token string)
	}{
		{
			name: "claims changed, still signed with the channel secret",
			hook: func(r *linetest.JARMResponse) { r.Claims["aud"] = "999"; r.Claims["state"] = "other" },
			check: func(t *testing.T, token string) {
				if _, c := jarmClaims(t, token, linetest.DefaultChannelSecret); c["aud"] != "999" || c["state"] != "other" {
					t.Errorf("claims = %v", c)
				}
			},
		},
		{
			name: "signed with another secret",
			hook: func(r *linetest.JARMResponse) { r.Secret = []byte(otherSecret) },
			check: func(t *testing.T, token string) {
				parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.HS256})
				var c map[string]any
				if err != nil || parsed.Claims([]byte(linetest.DefaultChannelSecret), &c) == nil {
					t.Error("verifies with the channel secret")
				}
				jarmClaims(t, token, otherSecret)
			},
		},
		{
			name: "alg none",
			hook: func(r *linetest.JARMResponse) { r.Header["alg"] = "none" },
			check: func(t *testing.T, token string) {
				if !strings.HasSuffix(token, ".") || testkit.JWTPart(t, token, 0)["alg"] != "none" {
					t.Errorf("token %q is not unsigned", token)
				}
			},
		},
		{
			name: "expired",
			hook: func(r *linetest.JARMResponse) { r.Claims["exp"] = int64(1) },
			check: func(t *testing.T, token string) {
				if _, c := jarmClaims(t, token, linetest.DefaultChannelSecret); c["exp"] != float64(1) {
					t.Errorf("exp = %v", c["exp"])
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, linetest.Config{AutoApprove: brown().ID})
			s.SetJARMHook(tc.hook)
			l := newLogin("openid")
			l.params.Set("response_mode", "jwt")
			tc.check(t, jarmResponse(t, authorize(t, s, l.params), false))

			s.SetJARMHook(nil)
			jarmClaims(t, jarmResponse(t, authorize(t, s, l.params), false), linetest.DefaultChannelSecret)
		})
	}
}
