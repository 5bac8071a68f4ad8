package linetest_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// A login against the fake platform, auto-approved as Brown: the
// authorization request on the access host, the code exchange and a
// profile call on the API host. In a test, pass t instead of nil and the
// server closes itself.
func Example() {
	srv := linetest.NewServer(nil, linetest.Config{
		CallbackURLs: []string{"https://app.example/callback"},
		AutoApprove:  linetest.DefaultUsers()[0].ID,
	})
	defer srv.Close()

	// See LINE's redirect instead of following it to the app.
	client := *srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	authorize := url.Values{
		"response_type": {"code"},
		"client_id":     {srv.ChannelID()},
		"redirect_uri":  {"https://app.example/callback"},
		"state":         {"abc123"},
		"scope":         {"profile openid"},
		"nonce":         {"n0nce"},
	}
	res, err := client.Get(srv.AccessURL() + linetest.PathAuthorize + "?" + authorize.Encode())
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	callback, _ := url.Parse(res.Header.Get("Location"))
	fmt.Println(res.StatusCode, callback.Host+callback.Path, callback.Query().Get("state"))

	// The channel secret goes in the body: LINE refuses HTTP Basic.
	res, err = client.PostForm(srv.APIURL()+linetest.PathToken, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {callback.Query().Get("code")},
		"redirect_uri":  {"https://app.example/callback"},
		"client_id":     {srv.ChannelID()},
		"client_secret": {srv.ChannelSecret()},
	})
	if err != nil {
		panic(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
		Scope       string `json:"scope"`
		ExpiresIn   int    `json:"expires_in"`
	}
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	fmt.Println(res.StatusCode, tok.Scope, tok.ExpiresIn, tok.IDToken != "")

	req, _ := http.NewRequest(http.MethodGet, srv.APIURL()+linetest.PathProfile, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err = client.Do(req)
	if err != nil {
		panic(err)
	}
	var profile struct {
		UserID      string `json:"userId"`
		DisplayName string `json:"displayName"`
	}
	_ = json.NewDecoder(res.Body).Decode(&profile)
	res.Body.Close()
	fmt.Println(profile.DisplayName, profile.UserID)
	fmt.Println(srv.Count(linetest.PathToken), "token request")

	// Output:
	// 302 app.example/callback abc123
	// 200 profile openid 2592000 true
	// Brown U4af4980629a3d1e8d1a0e6f0c3e0b0b1
	// 1 token request
}

// Faults make the platform fail the way LINE sometimes does.
func ExamplePlatform_SetFault() {
	srv := linetest.NewServer(nil, linetest.Config{})
	defer srv.Close()

	srv.SetFault(linetest.PathToken, linetest.Fault{
		Status: http.StatusBadGateway,
		Body:   "<html>bad gateway</html>",
		Header: http.Header{"Content-Type": {"text/html"}},
		Times:  1,
	})
	for range 2 {
		res, err := srv.Client().PostForm(srv.APIURL()+linetest.PathToken, url.Values{})
		if err != nil {
			panic(err)
		}
		res.Body.Close()
		fmt.Println(res.StatusCode)
	}
	// Output:
	// 502
	// 400
}

// startExampleApp serves the app under test: LINE Login by the middleware, with
// the callback.Config that CallbackConfig gives (channel, both hosts, and
// the callback URL, registered with the platform). The listener exists
// before the app, so the callback URL is known up front.
func startExampleApp(srv *linetest.Server, change func(*callback.Config)) *httptest.Server {
	app := httptest.NewUnstartedServer(nil)
	line, err := srv.CallbackConfig("http://" + app.Listener.Addr().String() + "/callback")
	if err != nil {
		panic(err)
	}
	if change != nil {
		change(&line)
	}
	auth, err := middleware.New(middleware.Config{LINE: line, Session: middleware.SessionConfig{Keys: [][]byte{session.GenerateKey()}}})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/me", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _ := middleware.UserFromContext(r.Context())
		fmt.Fprintf(w, "%s, picture %t, email %q, amr %v", user.DisplayName, user.PictureURL != "", user.Email, user.AMR)
		if user.FriendshipStatusChanged != nil {
			fmt.Fprintf(w, ", friendship changed %t", *user.FriendshipStatusChanged)
		}
	})))
	app.Config.Handler = auth.Handler(mux)
	app.Start()
	return app
}

// An app's end-to-end login test: Login logs in at the app as a chosen
// test user in one call (the consent page is answered per client, not
// platform-wide) and returns a client that holds the app's session.
func ExamplePlatform_Login() {
	srv := linetest.NewServer(nil, linetest.Config{})
	defer srv.Close()
	app := startExampleApp(srv, func(c *callback.Config) { c.Scopes = []string{"openid", "profile", "email"} })
	defer app.Close()

	for _, user := range srv.Users() {
		client, res, err := srv.Login(context.Background(), app.URL+"/me", linetest.Consent{UserID: user.ID})
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(res.Request.URL.Path, string(body))
		client.CloseIdleConnections()
	}
	// Output:
	// /me Brown, picture true, email "brown@example.com", amr [pwd]
	// /me Cony, picture true, email "cony@example.com", amr [lineqr]
	// /me Sally, picture true, email "", amr [linesso]
	// /me Moon, picture false, email "moon@example.com", amr [lineautologin]
	// /me James, picture false, email "", amr [pwd mfa]
	// /me Leonard, picture true, email "", amr []
}

// With bot_prompt, LINE offers to add the official account as a friend,
// but only to users who are not friends yet; Consent.AddFriend ticks the
// option, and the app learns it from friendship_status_changed.
func ExampleConsent() {
	srv := linetest.NewServer(nil, linetest.Config{})
	defer srv.Close()
	app := startExampleApp(srv, func(c *callback.Config) { c.BotPrompt = "normal" })
	defer app.Close()

	brown, cony := srv.Users()[0], srv.Users()[1]
	for _, c := range []linetest.Consent{
		{UserID: brown.ID, AddFriend: true}, // a friend already: no option shown
		{UserID: cony.ID},                   // shown, left unticked
		{UserID: cony.ID, AddFriend: true},  // shown, ticked
	} {
		_, res, err := srv.Login(context.Background(), app.URL+"/me", c)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(string(body))
	}
	fmt.Println("Cony is a friend:", srv.Users()[1].Friend)
	// Output:
	// Brown, picture true, email "", amr [pwd]
	// Cony, picture true, email "", amr [lineqr], friendship changed false
	// Cony, picture true, email "", amr [lineqr], friendship changed true
	// Cony is a friend: true
}

// CallbackConfig turns a running platform into the callback.Config of an
// app that logs in with it, and registers the app's callback URL, as the
// LINE Developers console would.
func ExamplePlatform_CallbackConfig() {
	srv := linetest.NewServer(nil, linetest.Config{})
	defer srv.Close()

	cfg, err := srv.CallbackConfig("https://app.example/callback")
	if err != nil {
		panic(err)
	}
	cfg.Scopes = []string{"openid", "profile"}
	client, err := callback.New(cfg)
	if err != nil {
		panic(err)
	}
	attempt := callback.Attempt{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier()}
	authorizeURL, err := client.AuthCodeURL(attempt)
	if err != nil {
		panic(err)
	}
	authorize, _ := url.Parse(authorizeURL)
	fmt.Println(cfg.ChannelID, cfg.AccessURL == srv.AccessURL(), cfg.APIURL == srv.APIURL(), cfg.AccessURL != cfg.APIURL)
	fmt.Println(authorize.Scheme+"://"+authorize.Host == srv.AccessURL(), authorize.Path)
	// Output:
	// 1234567890 true true true
	// true /oauth2/v2.1/authorize
}
