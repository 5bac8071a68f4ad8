package linetest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// startApp serves an app behind the middleware, configured with
// CallbackConfig, whose /me writes the context user as JSON.
func startApp(t *testing.T, s *linetest.Server, change func(*callback.Config)) *httptest.Server {
	t.Helper()
	app := httptest.NewUnstartedServer(nil)
	line, err := s.CallbackConfig("http://" + app.Listener.Addr().String() + "/callback")
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(&line)
	}
	auth, err := middleware.New(middleware.Config{LINE: line, Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/me", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _ := middleware.UserFromContext(r.Context())
		_ = json.NewEncoder(w).Encode(user)
	})))
	app.Config.Handler = auth.Handler(mux)
	app.Start()
	t.Cleanup(app.Close)
	return app
}

// meOf reads the user an app's /me wrote.
func meOf(t *testing.T, res *http.Response) callback.User {
	t.Helper()
	body := readBody(t, res)
	var u callback.User
	if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &u) != nil {
		t.Fatalf("/me: %d %s", res.StatusCode, body)
	}
	return u
}

func TestCallbackConfig_PointsAtBothHostsAndRegistersTheCallback(t *testing.T) {
	s := newServer(t, linetest.Config{})
	cfg, err := s.CallbackConfig("https://app.example/auth/callback")
	if err != nil {
		t.Fatal(err)
	}
	want := callback.Config{
		ChannelID: s.ChannelID(), ChannelSecret: s.ChannelSecret(), RedirectURL: "https://app.example/auth/callback",
		AccessURL: s.AccessURL(), APIURL: s.APIURL(),
	}
	if fmt.Sprint(cfg) != fmt.Sprint(want) {
		t.Errorf("CallbackConfig = %+v, want %+v", cfg, want)
	}
	if cbs := s.CallbackURLs(); !strings.Contains(strings.Join(cbs, " "), "https://app.example/auth/callback") {
		t.Errorf("callback not registered: %v", cbs)
	}
	if _, err := s.CallbackConfig("app.example/callback"); err == nil {
		t.Error("a relative callback URL was accepted")
	}
}

func TestLogin_AsAChosenUserThroughAnAppInOneCall(t *testing.T) {
	for _, mode := range []string{callback.ResponseModeQuery, callback.ResponseModeFormPost} {
		t.Run(mode, func(t *testing.T) {
			s := newServer(t, linetest.Config{AutoApprove: brown().ID}) // each client overrides it
			app := startApp(t, s, func(c *callback.Config) { c.ResponseMode = mode })
			for _, u := range s.Users()[3:5] { // Moon and James: no picture
				client, res, err := s.Login(context.Background(), app.URL+"/me", linetest.Consent{UserID: u.ID})
				if err != nil {
					t.Fatal(err)
				}
				got := meOf(t, res)
				if got.ID != u.ID || got.PictureURL != "" || res.Request.URL.Path != "/me" {
					t.Errorf("logged in as %+v at %s, want %s with no picture", got, res.Request.URL, u.DisplayName)
				}
				// The client keeps the app's session.
				res, err = client.Get(app.URL + "/me")
				if err != nil {
					t.Fatal(err)
				}
				if again := meOf(t, res); again.ID != u.ID {
					t.Errorf("second request as %s, want %s", again.ID, u.ID)
				}
			}
		})
	}
}

func TestLogin_AddFriendAndDenyArePerClient(t *testing.T) {
	s := newServer(t, linetest.Config{})
	app := startApp(t, s, func(c *callback.Config) { c.BotPrompt = "normal" })

	_, res, err := s.Login(context.Background(), app.URL+"/me", linetest.Consent{UserID: cony().ID, AddFriend: true})
	if err != nil {
		t.Fatal(err)
	}
	if u := meOf(t, res); u.FriendshipStatusChanged == nil || !*u.FriendshipStatusChanged {
		t.Errorf("FriendshipStatusChanged = %v, want true", u.FriendshipStatusChanged)
	}

	_, res, err = s.Login(context.Background(), app.URL+"/me", linetest.Consent{UserID: brown().ID, Deny: true})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode == http.StatusOK && res.Request.URL.Path == "/me" {
		t.Fatalf("a user who cancelled reached /me: %s", body)
	}
	if last := s.Requests()[len(s.Requests())-1]; last.Path != linetest.PathAuthorize {
		t.Errorf("after cancelling, the platform got %s (the token endpoint must not be called)", last.Path)
	}
}

func TestSignIn_ChoosesTheUserPerClientOverAutoApprove(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	for _, u := range []linetest.User{cony(), brown(), linetest.DefaultUsers()[2]} {
		l := newLogin("openid")
		q := redirectQuery(t, authorizeAs(t, s, linetest.Consent{UserID: u.ID}, l))
		res, body := postForm(t, s, linetest.PathToken, exchangeForm(q.Get("code"), l))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("token: %d %v", res.StatusCode, body)
		}
		if _, claims := hs256Claims(t, body["id_token"].(string)); claims["sub"] != u.ID {
			t.Errorf("sub = %v, want %s", claims["sub"], u.DisplayName)
		}
	}
	if _, err := s.ClientFor(linetest.Consent{UserID: "U00000000000000000000000000000000"}); !errors.Is(err, linetest.ErrUnknownUser) {
		t.Errorf("ClientFor an unknown user: %v, want ErrUnknownUser", err)
	}
}

func TestBrowse_SubmitsTheFormPostPagesAsABrowserWould(t *testing.T) {
	for _, mode := range []string{"form_post", "form_post.jwt"} {
		t.Run(mode, func(t *testing.T) {
			s := newServer(t, linetest.Config{})
			app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.ParseForm() != nil {
					http.Error(w, "want a form POST", http.StatusBadRequest)
					return
				}
				fmt.Fprintf(w, "code=%t state=%s response=%t", r.PostForm.Get("code") != "", r.PostForm.Get("state"), r.PostForm.Get("response") != "")
			}))
			defer app.Close()
			if err := s.AddCallbackURL(app.URL + "/callback"); err != nil {
				t.Fatal(err)
			}
			client, err := s.ClientFor(linetest.Consent{UserID: brown().ID})
			if err != nil {
				t.Fatal(err)
			}
			l := newLogin("openid")
			l.params.Set("redirect_uri", app.URL+"/callback")
			l.params.Set("response_mode", mode)
			res, err := s.Browse(context.Background(), client, http.MethodGet, s.AccessURL()+linetest.PathAuthorize+"?"+l.params.Encode(), nil)
			if err != nil {
				t.Fatal(err)
			}
			want := "code=true state=" + l.params.Get("state") + " response=false"
			if mode == "form_post.jwt" {
				want = "code=false state= response=true"
			}
			if body := readBody(t, res); res.StatusCode != http.StatusOK || body != want || res.Request.URL.Path != "/callback" {
				t.Fatalf("got %d %q at %s, want %q", res.StatusCode, body, res.Request.URL, want)
			}
		})
	}
}
