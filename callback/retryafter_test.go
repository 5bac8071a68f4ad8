package callback_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
)

func TestUpstreamError_CarriesLINEsRetryAfter(t *testing.T) {
	platform := linetest.NewServer(t, linetest.Config{})
	c, err := callback.New(callback.Config{
		ChannelID:     platform.ChannelID(),
		ChannelSecret: platform.ChannelSecret(),
		RedirectURL:   "https://app.example/callback",
		AccessURL:     platform.AccessURL(),
		APIURL:        platform.APIURL(),
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := platform.IssueAccessToken(platform.Users()[0].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		status int
		header http.Header
		want   time.Duration
	}{
		"429, seconds":            {429, http.Header{"Retry-After": {"120"}}, 2 * time.Minute},
		"503, seconds":            {503, http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		"429, date against Date":  {429, http.Header{"Retry-After": {date.Add(90 * time.Second).Format(http.TimeFormat)}, "Date": {date.Format(http.TimeFormat)}}, 90 * time.Second},
		"429, none":               {429, nil, 0},
		"429, garbage":            {429, http.Header{"Retry-After": {"soon"}}, 0},
		"429, negative":           {429, http.Header{"Retry-After": {"-5"}}, 0},
		"429, a year, capped":     {429, http.Header{"Retry-After": {"31536000"}}, time.Hour},
		"500 ignores Retry-After": {500, http.Header{"Retry-After": {"120"}}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			platform.SetFault(linetest.PathVerify, linetest.Fault{Status: tc.status, Header: tc.header, Times: 1})
			_, _, err := c.UserFromAccessToken(context.Background(), tok)
			var ue *callback.UpstreamError
			if !errors.As(err, &ue) || !errors.Is(err, callback.ErrUpstream) {
				t.Fatalf("error %v, want an outage", err)
			}
			if ue.RetryAfter != tc.want {
				t.Errorf("RetryAfter %v, want %v", ue.RetryAfter, tc.want)
			}
		})
	}
}
