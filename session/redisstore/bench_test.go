package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/redistest"
	"github.com/linelogin/linelogin/session/redisstore"
)

// BenchmarkStoreLoadLeased is the store's read with its lease: a hit of
// the client-side cache plus the lease table.
func BenchmarkStoreLoadLeased(b *testing.B) {
	store, err := redisstore.NewURL(redistest.URL(b), redisstore.Options{Prefix: redistest.Prefix()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(store.Close)
	ctx := context.Background()
	ref, err := store.Save(ctx, "U1", make([]byte, 600), time.Now().Add(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, lease, err := store.LoadLeased(ctx, ref); err != nil || lease == nil {
			b.Fatal(lease, err)
		}
	}
}
