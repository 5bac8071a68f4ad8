package comparisons_test

import (
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"

	"github.com/linelogin/linelogin/internal/redistest"
)

// The client comparison behind the choice of rueidis (README, "Sessions in
// Redis"): reading one session of 600 bytes, as the middleware does on a
// request its session cache cannot answer, from the same redis-server on
// loopback, in the same run. Serially (one request at a time) and in
// parallel (GOMAXPROCS goroutines, as a busy server has).
func BenchmarkClientGet(b *testing.B) {
	url := redistest.URL(b)
	ctx := context.Background()
	key := redistest.Prefix() + "s:bench"
	value := string(make([]byte, 600))

	opts, err := goredis.ParseURL(url)
	if err != nil {
		b.Fatal(err)
	}
	gr := goredis.NewClient(opts)
	b.Cleanup(func() { gr.Close() })
	if err := gr.Set(ctx, key, value, time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	ruOpt, _ := rueidis.ParseURL(url)
	ru, err := rueidis.NewClient(ruOpt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(ru.Close)

	cases := []struct {
		name string
		get  func() error
	}{
		{"go-redis", func() error { return gr.Get(ctx, key).Err() }},
		{"rueidis", func() error { return ru.Do(ctx, ru.B().Get().Key(key).Build()).Error() }},
		{"rueidis-cached", func() error { return ru.DoCache(ctx, ru.B().Get().Key(key).Cache(), time.Minute).Error() }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.get(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := c.get(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
