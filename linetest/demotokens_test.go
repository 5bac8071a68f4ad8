package linetest_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/linelogin/linelogin/linetest"
)

func TestDemoTokens_IssueUsableTokens(t *testing.T) {
	p := linetest.NewServer(t, linetest.Config{})
	get := func(q string) (int, string) {
		resp, err := http.Get(p.APIURL() + linetest.PathDemoTokens + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, tok := get("")
	if status != http.StatusOK || tok == "" {
		t.Fatalf("access token: %d %q", status, tok)
	}
	req, _ := http.NewRequest(http.MethodGet, p.APIURL()+linetest.PathProfile, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("profile with the demo token: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	if status, _ := get("?kind=id_token&user=" + p.Users()[1].ID); status != http.StatusOK {
		t.Errorf("ID token: %d", status)
	}
	if status, _ := get("?user=Unone"); status != http.StatusNotFound {
		t.Errorf("unknown user: %d", status)
	}
}
