package middleware_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"

	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/middleware"
	"github.com/linelogin/linelogin/session"
)

// An app serving several countries, with one LINE Login channel each,
// mounts one Auth per country: here under /jp/ and /tw/ of one host, each
// with its own login, callback and logout paths and its own session cookie
// and keys, so that a browser holds both logins at once. (On a host per
// country, cookies are apart by themselves: dispatch on r.Host instead.)
// Bearer mode accepts the other channels' tokens through
// callback.Config.ExtraChannels.
func Example_severalCountries() {
	japan := linetest.NewServer(nil, linetest.Config{ChannelID: "1000000001", ChannelSecret: "japan-channel-secret-0123456789ab", AutoApprove: linetest.DefaultUsers()[0].ID})
	defer japan.Close()
	taiwan := linetest.NewServer(nil, linetest.Config{ChannelID: "2000000002", ChannelSecret: "taiwan-channel-secret-0123456789a", AutoApprove: linetest.DefaultUsers()[0].ID})
	defer taiwan.Close()

	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer srv.Close()

	mux := http.NewServeMux()
	for country, platform := range map[string]*linetest.Server{"jp": japan, "tw": taiwan} {
		// The country's channel, with its callback URL registered (in
		// production: the channel ID and secret of that country's channel).
		line, err := platform.CallbackConfig(srv.URL + "/" + country + "/callback")
		if err != nil {
			panic(err)
		}
		auth, err := middleware.New(middleware.Config{
			LINE: line,
			// Keys of its own, so that one country's session never opens
			// at another's Auth (from session.ParseKeys in production).
			Session: middleware.SessionConfig{
				Keys:       [][]byte{session.GenerateKey()},
				CookieName: "session_" + country,
			},
			Routes: middleware.Routes{
				Login:       "/" + country + "/login",
				Logout:      "/" + country + "/logout",
				AfterLogout: "/" + country + "/",
			},
		})
		if err != nil {
			panic(err)
		}
		pages := http.NewServeMux()
		pages.Handle("/"+country+"/me", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			user, _ := middleware.UserFromContext(r.Context())
			fmt.Fprintf(w, "Hello, %s! (channel %s)", user.DisplayName, user.ChannelID)
		})))
		mux.Handle("/"+country+"/", auth.Handler(pages))
	}
	h = mux

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	for _, path := range []string{"/jp/me", "/tw/me", "/jp/me"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := browser.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(path, string(body))
	}
	// The third visit needed no new login: both sessions live side by side.
	fmt.Println("logins:", japan.Count(linetest.PathToken), taiwan.Count(linetest.PathToken))
	// Output:
	// /jp/me Hello, Brown! (channel 1000000001)
	// /tw/me Hello, Brown! (channel 2000000002)
	// /jp/me Hello, Brown! (channel 1000000001)
	// logins: 1 1
}
