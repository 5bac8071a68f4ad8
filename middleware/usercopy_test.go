package middleware_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/linelogin/linelogin/middleware"
)

// TestUserFromContext_HandlersGetCopies: the middleware keeps one verified
// user per session and per token in its caches; a handler that changes the
// user it got (its name, its AMR slice in place, its friendship flag) must
// not change what any other request sees. Many requests at once, with
// every credential kind, under -race.
func TestUserFromContext_HandlersGetCopies(t *testing.T) {
	app := newTestApp(t)
	b := app.browser()
	b.mustLogin()
	cookie := b.jarCookie(sessionCookie)
	access := app.accessToken(t)
	idToken, err := app.platform.IssueLIFFIDToken(app.user.ID, "")
	if err != nil {
		t.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("/mutate", app.auth.RequireLINEUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFromContext(r.Context())
		json.NewEncoder(w).Encode(u) // what this request saw, before it meddles
		u.DisplayName = "mallory"
		for i := range u.AMR {
			u.AMR[i] = "forged"
		}
		u.AMR = append(u.AMR[:len(u.AMR):len(u.AMR)], "extra")
		if u.FriendshipStatusChanged != nil {
			*u.FriendshipStatusChanged = !*u.FriendshipStatusChanged
		}
		again, _ := middleware.UserFromContext(r.Context())
		if again.DisplayName == "mallory" {
			http.Error(w, "a second call saw the first call's change", http.StatusConflict)
		}
	})))
	var h http.Handler = app.auth.Handler(mux)
	app.handler.Store(&h)

	kinds := map[string]func(*http.Request){
		"session":      func(r *http.Request) { r.AddCookie(cookie) },
		"access token": func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+access) },
		"ID token":     func(r *http.Request) { r.Header.Set(middleware.HeaderIDToken, idToken) },
	}
	client := &http.Client{}
	defer client.CloseIdleConnections()
	seen := make(map[string][]middleware.User)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for kind, credential := range kinds {
		for range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 5 {
					req, _ := http.NewRequest(http.MethodGet, app.url("/mutate"), nil)
					req.Header.Set("Accept", "application/json")
					credential(req)
					resp, err := client.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					var u middleware.User
					err = json.NewDecoder(resp.Body).Decode(&u)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || err != nil {
						t.Errorf("%s: status %d, %v", kind, resp.StatusCode, err)
						return
					}
					mu.Lock()
					seen[kind] = append(seen[kind], u)
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	for kind, users := range seen {
		for i, u := range users {
			if u.DisplayName != app.user.DisplayName || slices.Contains(u.AMR, "forged") || slices.Contains(u.AMR, "extra") {
				t.Errorf("%s, request %d saw %s: another handler's change", kind, i, fmt.Sprintf("%q %q", u.DisplayName, u.AMR))
				break
			}
		}
	}
	if len(seen["session"]) == 0 || len(seen["session"][0].AMR) == 0 {
		t.Fatal("the session's user has no AMR: the test checks nothing of the slice")
	}
}
