package linetest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/linetest"
)

// TestPictureURLs_AreHTTPSAndLoad collects every picture URL the platform
// hands out (Users, the profile API, the web login's and LIFF's ID tokens,
// userinfo, the consent page) and checks that each is https, as LINE's
// are, and serves the user's avatar to the server's client.
func TestPictureURLs_AreHTTPSAndLoad(t *testing.T) {
	s := newServer(t, linetest.Config{AutoApprove: brown().ID})
	want := s.PictureURL() + linetest.PathAvatarPrefix + brown().ID + ".svg"
	got := map[string]string{}

	for _, u := range s.Users() {
		if u.ID == brown().ID {
			got["Users"] = u.PictureURL
		}
	}
	at, err := s.IssueAccessToken(brown().ID, []string{"profile", "openid"})
	if err != nil {
		t.Fatal(err)
	}
	_, prof := get(t, s, linetest.PathProfile, at)
	got["profile pictureUrl"], _ = prof["pictureUrl"].(string)
	_, info := get(t, s, linetest.PathUserInfo, at)
	got["userinfo picture"], _ = info["picture"].(string)
	_, claims := hs256Claims(t, tokens(t, s, newLogin("openid profile"))["id_token"].(string))
	got["ID token picture"], _ = claims["picture"].(string)
	liff, err := s.IssueLIFFIDToken(brown().ID, "")
	if err != nil {
		t.Fatal(err)
	}
	got["LIFF ID token picture"], _ = testkit.JWTPart(t, liff, 1)["picture"].(string)
	s.SetAutoApprove("")
	page := readBody(t, authorize(t, s, newLogin("openid profile").params))
	got["consent page"] = regexpFind(t, page, `id="user-`+brown().ID+`"[^>]*><img src="([^"]+)"`)

	if !strings.HasPrefix(want, "https://") {
		t.Fatalf("PictureURL() = %s, want an https origin", s.PictureURL())
	}
	for where, u := range got {
		if u != want {
			t.Errorf("%s: %q, want %q", where, u, want)
		}
	}
	res, err := s.Client().Get(want)
	if err != nil {
		t.Fatal(err)
	}
	if svg := readBody(t, res); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(svg, ">B</text>") {
		t.Fatalf("GET %s: %d %s %s", want, res.StatusCode, res.Header.Get("Content-Type"), svg)
	}
}

// TestPictureHost_ServesPicturesOnly: the picture host, like LINE's image
// CDN, is no place for the LINE Login API.
func TestPictureHost_ServesPicturesOnly(t *testing.T) {
	s := newServer(t, linetest.Config{})
	for _, path := range []string{linetest.PathToken, linetest.PathProfile, linetest.PathAuthorize, linetest.PathDemoTokens} {
		res, err := s.Client().Get(s.PictureURL() + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s on the picture host: %d, want 404", path, res.StatusCode)
		}
	}
}

// TestPictureURLs_HTTPSWithoutAServer: a Platform served by the app's own
// means (here in memory, on an http origin) still names https pictures.
func TestPictureURLs_HTTPSWithoutAServer(t *testing.T) {
	p, err := linetest.New(linetest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p.SetURL("http://line.test:8080")
	if got, want := p.Users()[0].PictureURL, "https://line.test:8080"+linetest.PathAvatarPrefix+brown().ID+".svg"; got != want {
		t.Fatalf("PictureURL = %q, want %q", got, want)
	}
	res, err := (&http.Client{Transport: p.Transport()}).Get(p.Users()[0].PictureURL)
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, res); res.StatusCode != http.StatusOK {
		t.Fatalf("GET the picture in memory: %d", res.StatusCode)
	}
}

// TestPictureURLs_HTTPPicturesForABrowserDemo: a demo viewed in a person's
// browser asks for plain-HTTP avatars, which load with no certificate to
// trust.
func TestPictureURLs_HTTPPicturesForABrowserDemo(t *testing.T) {
	s := newServer(t, linetest.Config{HTTPPictures: true})
	u := s.Users()[0].PictureURL
	if !strings.HasPrefix(u, "http://") {
		t.Fatalf("PictureURL with HTTPPictures: %q, want http://", u)
	}
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, res); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("GET %s: %d %s", u, res.StatusCode, res.Header.Get("Content-Type"))
	}
}
