package callback_test

import (
	"context"
	"fmt"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/linetest"
)

// Trace the calls to LINE: the Client makes one span per call, named after
// LINE's endpoint, with the URL recorded without its query, so that the
// verify endpoint's access_token never reaches a span. It uses the global
// TracerProvider unless given one; here a span recorder stands in for the
// app's exporter.
func Example_tracing() {
	platform := linetest.NewServer(nil, linetest.Config{})
	defer platform.Close()
	spans := tracetest.NewSpanRecorder()
	tracing := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)) // the app's, usually global

	client, err := callback.New(callback.Config{
		ChannelID:     platform.ChannelID(),
		ChannelSecret: platform.ChannelSecret(),
		RedirectURL:   "https://app.example/callback",
		AccessURL:     platform.AccessURL(),
		APIURL:        platform.APIURL(),
	}, callback.WithTracerProvider(tracing))
	if err != nil {
		panic(err)
	}
	token, _ := platform.IssueAccessToken(platform.Users()[0].ID, []string{"profile"})
	if _, _, err := client.UserFromAccessToken(context.Background(), token); err != nil {
		panic(err)
	}

	names := map[string]bool{}
	for _, s := range spans.Ended() {
		names[s.Name()] = true
		for _, kv := range s.Attributes() {
			if strings.Contains(kv.Value.String(), token) {
				fmt.Println("LEAK:", s.Name(), kv.Key)
			}
		}
	}
	fmt.Println(names["LINE verify"], names["LINE profile"])
	// Output: true true
}
