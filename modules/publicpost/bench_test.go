package publicpost

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/together-bot/together/core/moduletest"
)

// BenchmarkDrain1000 puts 1,000 posts due at once (100 channels, so the
// per-channel 5/5 s bucket is not the bound) and times a single sweep
// draining them through the real REST limiter against the emulator's
// Discord limits. The bound is the global limit: 1,000 / 50 per s = 20 s.
// Run: go test -run '^$' -bench Drain1000 -benchtime 1x ./modules/publicpost/
func BenchmarkDrain1000(b *testing.B) {
	const posts, channels, globalPerSecond = 1000, 100, 50
	bound := time.Duration(posts/globalPerSecond) * time.Second
	for range b.N {
		b.StopTimer()
		e := newSimEnv(b)
		e.db = moduletest.DB(b, Name, Migrations)
		chs := []uint64{e.channel}
		for i := 1; i < channels; i++ {
			chs = append(chs, e.newChannel("c"+strconv.Itoa(i)))
		}
		ctx := context.Background()
		due := time.Now()
		for i := range posts {
			_, err := e.db.Bun.ExecContext(ctx, `INSERT INTO publicpost_posts (guild_id, channel_id, payload, scheduled_for, next_attempt_at, idempotency_key)
				VALUES (?0, ?1, ?2::jsonb, ?3, ?3, ?4)`, int64(e.guild), int64(chs[i%channels]),
				`{"content":"bench post `+strconv.Itoa(i)+`"}`, due, "bench:"+strconv.Itoa(i))
			if err != nil {
				b.Fatal(err)
			}
		}
		pub := newPublisher(e.db, e.rest(), Config{}, quiet)

		b.StartTimer()
		start := time.Now()
		st, err := pub.Drain(ctx, 5*time.Minute)
		took := time.Since(start)
		b.StopTimer()

		if err != nil || st.Sent != posts {
			b.Fatalf("drain: %+v, %v", st, err)
		}
		sim := e.sim.Stats()
		if sim.RateLimited != 0 || sim.MessagesCreated != posts {
			b.Fatalf("emulator saw %d 429s and %d messages for %d posts", sim.RateLimited, sim.MessagesCreated, posts)
		}
		b.ReportMetric(took.Seconds(), "s/drain")
		b.ReportMetric(float64(posts)/took.Seconds(), "posts/s")
		b.ReportMetric(took.Seconds()/bound.Seconds(), "x_bound")
		b.ReportMetric(float64(sim.RateLimited), "429s")
	}
}
