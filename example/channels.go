package main

import (
	"fmt"
	"strings"

	"github.com/linelogin/linelogin/callback"
)

// parseExtraChannels reads LINE_EXTRA_CHANNELS: comma-separated
// channelID:channelSecret pairs of further channels of the provider (a
// LIFF app's, one per country) whose tokens bearer mode also accepts.
// Errors never quote a secret.
func parseExtraChannels(s string) ([]callback.Channel, error) {
	var chans []callback.Channel
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		id, secret, ok := strings.Cut(item, ":")
		id, secret = strings.TrimSpace(id), strings.TrimSpace(secret)
		if !ok || id == "" || secret == "" {
			return nil, fmt.Errorf("LINE_EXTRA_CHANNELS: item %d is not channelID:channelSecret", i+1)
		}
		chans = append(chans, callback.Channel{ID: id, Secret: secret})
	}
	return chans, nil
}
