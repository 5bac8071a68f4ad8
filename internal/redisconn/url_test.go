package redisconn_test

import (
	"strings"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/redisconn"
)

// TestParseURL_SetsTimeoutsUnlessTheURLDoes: every Redis package of the
// module gets a dial timeout and health checks from this one parser
// (redislink's NewURL once dialled with none), and the URL's own query
// overrides them.
func TestParseURL_SetsTimeoutsUnlessTheURLDoes(t *testing.T) {
	opt, err := redisconn.ParseURL("redis://127.0.0.1:6379")
	if err != nil {
		t.Fatal(err)
	}
	if opt.Dialer.Timeout != time.Second || opt.ConnWriteTimeout != 2*time.Second || opt.Dialer.KeepAlive != time.Second {
		t.Errorf("defaults: dial %v, write %v, keep-alive %v", opt.Dialer.Timeout, opt.ConnWriteTimeout, opt.Dialer.KeepAlive)
	}
	opt, err = redisconn.ParseURL("redis://127.0.0.1:6379?dial_timeout=3s&write_timeout=4s")
	if err != nil {
		t.Fatal(err)
	}
	if opt.Dialer.Timeout != 3*time.Second || opt.ConnWriteTimeout != 4*time.Second {
		t.Errorf("the URL's own: dial %v, write %v", opt.Dialer.Timeout, opt.ConnWriteTimeout)
	}
}

func TestParseURL_ErrorHidesThePassword(t *testing.T) {
	_, err := redisconn.ParseURL("redis://user:s3cret@127.0.0.1:bad-port")
	if err == nil {
		t.Fatal("a bad port was accepted")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error shows the password: %v", err)
	}
}
