package linetest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/linelogin/linelogin/linetest"
)

// A login against the fake platform, auto-approved as Brown: the
// authorization request, the code exchange, and a profile call. In a test,
// pass t instead of nil and the server closes itself.
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
