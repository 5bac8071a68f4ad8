package middleware_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
	"github.com/linelogin/linelogin/link"
	"github.com/linelogin/linelogin/middleware"
)

// A LIFF app links its LINE user to a membership (method 3 of LINE's
// ID-linking guide): the LINE user comes from the access token in the
// header, the proof from the body; every later request of that user, with
// any credential, carries the account.
func ExampleLinks_APIHandler() {
	platform := linetest.NewServer(nil, linetest.Config{})
	defer platform.Close()
	members := map[string]link.Facts{"alice": {MemberNumber: "M-1001", BirthDate: "1990-04-01"}}
	auth, err := middleware.New(middleware.Config{
		LINE: callback.Config{
			ChannelID:     platform.ChannelID(),
			ChannelSecret: platform.ChannelSecret(),
			AccessURL:     platform.AccessURL(),
			APIURL:        platform.APIURL(),
			// No RedirectURL and no Session: an API for LIFF and native
			// apps needs no web login.
		},
		Linking: &middleware.Linking{
			Store: &link.MemoryStore{}, // link.NewSQLStore in production
			CheckFacts: func(_ context.Context, f link.Facts) (string, error) {
				for account, want := range members {
					if link.Equal(f, want) {
						return account, nil
					}
				}
				return "", link.ErrProofRefused
			},
		},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /api/link", auth.Links().APIHandler())
	mux.Handle("GET /api/orders", auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		account, err := middleware.LinkedAccountFromContext(r.Context())
		if err != nil { // the store is down: not the same as unlinked
			http.Error(w, "try again later", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "orders of %s\n", account)
	})))
	srv := httptest.NewServer(auth.Handler(mux))
	defer srv.Close()

	token, _ := platform.IssueAccessToken(platform.Users()[0].ID, []string{"profile"})
	call := func(method, path, body string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Print(resp.StatusCode, " ", string(b))
	}
	call("POST", "/api/link", `{"memberNumber":"M-1001","birthDate":"1990-01-04"}`)
	call("POST", "/api/link", `{"memberNumber":"M-1001","birthDate":"1990-04-01"}`)
	call("GET", "/api/orders", "")
	// Output:
	// 403 {"error":"proof_refused"}
	// 200 {"accountId":"alice"}
	// 200 orders of alice
}
