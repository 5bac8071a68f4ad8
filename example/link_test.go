package main

import (
	"crypto/rand"
	"crypto/rsa"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// send makes one request with browser's cookies, following no redirect;
// a POST carries the same-origin proof when origin is set.
func send(t *testing.T, browser *http.Client, method, u, origin string, form url.Values, header http.Header) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	c := *browser
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, strings.TrimSpace(string(b))
}

// follow is send for a POST whose redirects the browser follows (through
// linetest, which approves at once).
func follow(t *testing.T, browser *http.Client, u, origin string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	req.Header.Set("Accept", "text/html")
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func signInAccount(t *testing.T, srv *httptest.Server, browser *http.Client, id, password string) {
	t.Helper()
	resp, body := send(t, browser, http.MethodPost, srv.URL+"/account/login", srv.URL, url.Values{"account_id": {id}, "password": {password}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
		t.Fatalf("password login as %s: %d %q %.300s", id, resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

func TestExample_AccountConnectOnEveryRouter(t *testing.T) {
	for router := range routers {
		t.Run(router, func(t *testing.T) {
			srv, browser, platform := startExample(t, router, nil)
			brown := platform.Users()[0].ID
			apiAccount := func() (int, string) {
				resp, body := send(t, browser, http.MethodGet, srv.URL+"/api/account", "", nil, nil)
				return resp.StatusCode, body
			}
			if status, body := apiAccount(); status != http.StatusUnauthorized {
				t.Errorf("/api/account signed out: %d %s", status, body)
			}
			form := url.Values{"account_id": {"alice"}, "password": {"wrong"}}
			if resp, _ := send(t, browser, http.MethodPost, srv.URL+"/account/login", srv.URL, form, nil); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("wrong password: %d, want 401", resp.StatusCode)
			}
			form.Set("password", "alice-password")
			if resp, _ := send(t, browser, http.MethodPost, srv.URL+"/account/login", "", form, nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("password login without same-origin proof: %d, want 403", resp.StatusCode)
			}
			signInAccount(t, srv, browser, "alice", "alice-password")
			if status, body := apiAccount(); status != http.StatusOK || body != `{"accountId":"alice"}` {
				t.Errorf("/api/account unlinked: %d %s", status, body)
			}
			_, page := send(t, browser, http.MethodGet, srv.URL+"/account", "", nil, nil)
			if !strings.Contains(page, "Connect LINE") || strings.Contains(page, `id="unlink"`) {
				t.Errorf("/account unlinked: %.600s", page)
			}

			// /api/link is mounted, and wants a LINE credential, not cookies.
			resp, _ := send(t, browser, http.MethodPost, srv.URL+"/api/link", "", nil, http.Header{"Content-Type": {"application/json"}})
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("/api/link without a LINE credential: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}

			// Every POST of a page needs the same-origin proof.
			for _, p := range []string{"/account/link", "/account/unlink", "/account/logout"} {
				if resp, _ := send(t, browser, http.MethodPost, srv.URL+p, "", url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
					t.Errorf("POST %s without proof: %d, want 403", p, resp.StatusCode)
				}
			}

			resp, page = follow(t, browser, srv.URL+"/account/link", srv.URL, url.Values{"return_to": {"/account"}})
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/account" || !strings.Contains(page, `data-line-user-id="`+brown+`"`) {
				t.Fatalf("after connect: %d at %s: %.800s", resp.StatusCode, resp.Request.URL.Path, page)
			}
			if !strings.Contains(page, "Unlink") || strings.Contains(page, "Connect LINE") {
				t.Errorf("/account linked shows no Unlink: %.800s", page)
			}
			if status, body := apiAccount(); status != http.StatusOK || body != `{"accountId":"alice","lineUserId":"`+brown+`"}` {
				t.Errorf("/api/account linked: %d %s", status, body)
			}
			if _, me := get(t, browser, srv.URL+"/api/me", "application/json"); !strings.Contains(me, `"accountId":"alice"`) {
				t.Errorf("/api/me after connect: %s", me)
			}

			// Log out of both; logging in with LINE lands in alice's account.
			if resp, _ := send(t, browser, http.MethodPost, srv.URL+"/account/logout", srv.URL, url.Values{}, nil); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("logout: %d", resp.StatusCode)
			}
			if status, _ := apiAccount(); status != http.StatusUnauthorized {
				t.Errorf("/api/account after logout: %d", status)
			}
			if resp, _ := get(t, browser, srv.URL+"/api/me", "application/json"); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("/api/me after logout: %d", resp.StatusCode)
			}
			get(t, browser, srv.URL+"/me", "text/html") // through LINE and back
			if status, body := apiAccount(); status != http.StatusOK || body != `{"accountId":"alice","lineUserId":"`+brown+`"}` {
				t.Errorf("/api/account after LINE login: %d %s", status, body)
			}

			resp, page = follow(t, browser, srv.URL+"/account/unlink", srv.URL, url.Values{})
			// Signed in through LINE only, the user has no account once
			// unlinked: the account page asks for the password.
			if resp.Request.URL.Path != "/account/login" || !strings.Contains(page, `id="account-login"`) {
				t.Errorf("after unlink: %s %.500s", resp.Request.URL.Path, page)
			}
			if _, me := get(t, browser, srv.URL+"/api/me", "application/json"); strings.Contains(me, "accountId") {
				t.Errorf("/api/me after unlink: %s", me)
			}
		})
	}
}

// inHouseIdP is an OpenID Connect provider of the app's own.
func inHouseIdP(t *testing.T) (issuer string, sign func(sub string) string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k", Algorithm: oidc.RS256}}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.SetIssuer(srv.URL)
	return srv.URL, func(sub string) string {
		now := time.Now()
		return oidctest.SignIDToken(key, "k", oidc.RS256, fmt.Sprintf(`{"iss":%q,"aud":"example-app","sub":%q,"iat":%d,"exp":%d}`,
			srv.URL, sub, now.Unix(), now.Add(time.Hour).Unix()))
	}
}

func TestExample_LinkAPI(t *testing.T) {
	issuer, sign := inHouseIdP(t)
	srv, _, platform := startExample(t, "servemux", map[string]string{"INHOUSE_ISSUER": issuer, "INHOUSE_CLIENT_ID": "example-app"})
	users := platform.Users()
	bearer := func(i int) http.Header {
		tok, _ := platform.IssueAccessToken(users[i].ID, []string{"openid", "profile"})
		return http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"application/json"}}
	}
	post := func(h http.Header, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/link", strings.NewReader(body))
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	if status, body := post(http.Header{}, `{"memberNumber":"M-1002","birthDate":"1985-12-24"}`); status != http.StatusUnauthorized {
		t.Errorf("no LINE credential: %d %s", status, body)
	}
	if status, body := post(bearer(1), `{"memberNumber":"M-1002","birthDate":"1985-12-25"}`); status != http.StatusForbidden || body != `{"error":"proof_refused"}` {
		t.Errorf("wrong birth date: %d %s", status, body)
	}
	if status, body := post(bearer(1), `{"memberNumber":"M-1002","birthDate":"1985-12-24","lineUserId":"`+users[0].ID+`"}`); status != http.StatusOK || body != `{"accountId":"bob"}` {
		t.Errorf("typed facts: %d %s", status, body)
	}
	token := sign("carol")
	if status, body := post(bearer(2), `{"idToken":"`+token+`"}`); status != http.StatusOK || body != `{"accountId":"carol"}` {
		t.Errorf("in-house ID token: %d %s", status, body)
	}
	if status, body := post(bearer(0), `{"idToken":"`+token+`"}`); status != http.StatusForbidden {
		t.Errorf("replayed in-house ID token: %d %s", status, body)
	}
	if status, body := post(bearer(0), `{"idToken":"`+sign("bob")+`"}`); status != http.StatusConflict || body != `{"error":"already_linked"}` {
		t.Errorf("bob linked to Cony already: %d %s", status, body)
	}

	// The account reaches /api/me for a bearer token and for an ID token.
	idToken, _ := platform.IssueLIFFIDToken(users[2].ID, "")
	for name, h := range map[string]http.Header{"access token": bearer(1), "ID token": {"X-Line-ID-Token": {idToken}}} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/me", nil)
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var me map[string]string
		json.NewDecoder(resp.Body).Decode(&me)
		resp.Body.Close()
		want := map[string]string{"access token": "bob", "ID token": "carol"}[name]
		if me["accountId"] != want {
			t.Errorf("/api/me with an %s: %v, want accountId %s", name, me, want)
		}
	}
}

func TestExample_AccountsFileAndRestart(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "accounts.csv")
	os.WriteFile(file, []byte("account_id,password,member_number,birth_date\ndave,dave-secret-pw,M-2001,1970-01-01\n"), 0o600)
	env := map[string]string{"ACCOUNTS_FILE": file, "DATABASE_PATH": filepath.Join(dir, "app.db")}
	srv, browser, platform := startExample(t, "chi", env)
	signInAccount(t, srv, browser, "dave", "dave-secret-pw")
	form := url.Values{"account_id": {"alice"}, "password": {"alice-password"}}
	if resp, _ := send(t, browser, http.MethodPost, srv.URL+"/account/login", srv.URL, form, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a demo account exists beside ACCOUNTS_FILE: %d", resp.StatusCode)
	}
	follow(t, browser, srv.URL+"/account/link", srv.URL, url.Values{"return_to": {"/account"}})

	db, err := sql.Open("sqlite", env["DATABASE_PATH"])
	if err != nil {
		t.Fatal(err)
	}
	var n int
	db.QueryRow(`SELECT COUNT(*) FROM app_accounts WHERE password_hash LIKE '%dave-secret-pw%'`).Scan(&n)
	db.Close()
	if n != 0 {
		t.Error("a password is stored in clear")
	}

	// A new process on the same database: the account and its link remain.
	srv2, browser2, _ := startExample(t, "gorillamux", env)
	signInAccount(t, srv2, browser2, "dave", "dave-secret-pw")
	resp, body := send(t, browser2, http.MethodGet, srv2.URL+"/api/account", "", nil, nil)
	if resp.StatusCode != http.StatusOK || body != `{"accountId":"dave","lineUserId":"`+platform.Users()[0].ID+`"}` {
		t.Errorf("after a restart: %d %s", resp.StatusCode, body)
	}

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("id,pw\nx,y\n"), 0o600)
	accts, err := openAccounts(filepath.Join(dir, "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer accts.Close()
	if _, err := accts.linking(config{AccountsFile: bad}, nil); err == nil {
		t.Error("an ACCOUNTS_FILE with the wrong header was accepted")
	}
}

// TestOpenAccounts_MigratesEarlierDatabase: a database of the earlier
// example (one acct-<id> per LINE user) keeps its accounts and links, and
// sign-ups go on from the last number.
func TestOpenAccounts_MigratesEarlierDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`CREATE TABLE accounts (id INTEGER PRIMARY KEY AUTOINCREMENT, line_user_id TEXT NOT NULL UNIQUE,
		created_at INTEGER NOT NULL, last_login_at INTEGER NOT NULL);
		INSERT INTO accounts (line_user_id, created_at, last_login_at) VALUES ('U1', 1, 1), ('U2', 2, 2);`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	accts, err := openAccounts(path)
	if err != nil {
		t.Fatal(err)
	}
	defer accts.Close()
	ctx := t.Context()
	if acct, err := accts.links.AccountOf(ctx, "U2"); acct != "acct-2" || err != nil {
		t.Errorf("U2 after the migration: %q %v, want acct-2", acct, err)
	}
	if id, err := accts.signUp(ctx, nil); id != "acct-3" || err != nil {
		t.Errorf("next sign-up: %q %v, want acct-3", id, err)
	}
}
