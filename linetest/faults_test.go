package linetest_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/linelogin/linelogin/linetest"
)

func TestFault_StatusAndBodyForTheNextRequests(t *testing.T) {
	s := newServer(t, linetest.Config{})
	at, _ := s.IssueAccessToken(brown().ID, nil)
	s.SetFault(linetest.PathProfile, linetest.Fault{
		Status: http.StatusServiceUnavailable,
		Body:   "<html>maintenance</html>",
		Header: http.Header{"Content-Type": {"text/html"}},
		Times:  2,
	})
	for i := 0; i < 2; i++ {
		res, err := s.Client().Do(bearerRequest(t, s.APIURL()+linetest.PathProfile, at))
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, res); res.StatusCode != 503 || body != "<html>maintenance</html>" || res.Header.Get("Content-Type") != "text/html" {
			t.Fatalf("faulted request %d: %d %q %q", i, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
	if res, body := get(t, s, linetest.PathProfile, at); res.StatusCode != http.StatusOK {
		t.Fatalf("after Times: %d %v", res.StatusCode, body)
	}
	if got := s.Count(linetest.PathProfile); got != 3 {
		t.Fatalf("Count = %d, want 3 (faulted requests are recorded)", got)
	}
}

func TestFault_BodyWithoutStatusIsA200(t *testing.T) {
	s := newServer(t, linetest.Config{})
	s.SetFault(linetest.PathVerify, linetest.Fault{Body: `{"scope":"profile","client_id":"1234567890","expires_in":"soon"}`})
	res, err := s.Client().Get(s.APIURL() + linetest.PathVerify + "?access_token=x")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, res); res.StatusCode != 200 || body != `{"scope":"profile","client_id":"1234567890","expires_in":"soon"}` {
		t.Fatalf("got %d %q", res.StatusCode, body)
	}
	s.ClearFaults()
	if res, _ := get(t, s, linetest.PathVerify+"?access_token=x", ""); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("after ClearFaults: %d", res.StatusCode)
	}
}

func TestFault_RedirectHeader(t *testing.T) {
	s := newServer(t, linetest.Config{})
	s.SetFault(linetest.PathToken, linetest.Fault{Status: http.StatusTemporaryRedirect, Header: http.Header{"Location": {"http://evil.test/token"}}})
	res, err := noRedirects(s).PostForm(s.APIURL()+linetest.PathToken, url.Values{"grant_type": {"authorization_code"}})
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, res)
	if res.StatusCode != http.StatusTemporaryRedirect || res.Header.Get("Location") != "http://evil.test/token" {
		t.Fatalf("got %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestFault_DelayEndsWhenTheClientGivesUp(t *testing.T) {
	s := newServer(t, linetest.Config{})
	s.SetFault(linetest.PathCerts, linetest.Fault{Delay: time.Minute})
	c := *s.Client()
	c.Timeout = 100 * time.Millisecond
	start := time.Now()
	_, err := c.Get(s.APIURL() + linetest.PathCerts)
	if err == nil {
		t.Fatal("a delayed request did not time out")
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("took %v", elapsed)
	}

	// A short delay with no status still lets the endpoint answer.
	s.SetFault(linetest.PathCerts, linetest.Fault{Delay: 20 * time.Millisecond, Times: 1})
	start = time.Now()
	res, body := get(t, s, linetest.PathCerts, "")
	if res.StatusCode != http.StatusOK || body["keys"] == nil || time.Since(start) < 20*time.Millisecond {
		t.Fatalf("delayed certs: %d %v after %v", res.StatusCode, body, time.Since(start))
	}
}

func TestFault_DelayEndsWhenTheServerCloses(t *testing.T) {
	s := linetest.NewServer(nil, linetest.Config{})
	s.SetFault(linetest.PathDiscovery, linetest.Fault{Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		res, err := s.Client().Get(s.AccessURL() + linetest.PathDiscovery)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	for s.Count(linetest.PathDiscovery) == 0 {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on a delayed request")
	}
	<-done
}

func TestTransport_ServesInMemoryAndHonoursCancellation(t *testing.T) {
	p, err := linetest.New(linetest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p.SetURL("http://linetest.invalid")
	c := &http.Client{Transport: p.Transport()}
	res, err := c.Get("http://linetest.invalid" + linetest.PathDiscovery)
	if err != nil {
		t.Fatal(err)
	}
	body := decodeJSON(t, res)
	if res.StatusCode != http.StatusOK || body["issuer"] != "http://linetest.invalid" {
		t.Fatalf("discovery in memory: %d %v", res.StatusCode, body)
	}

	p.SetFault(linetest.PathCerts, linetest.Fault{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://linetest.invalid"+linetest.PathCerts, nil)
	if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
}

// bearerRequest is a GET with a bearer token.
func bearerRequest(t *testing.T, u, token string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}
