package duel

import (
	"context"
	"testing"
	"time"
)

// BenchmarkRoundStartFanOut1000 starts a round for 1,000 pairs and measures
// the time until every room has its prompt, through the emulator with the
// bot's real REST stack (disgo + restlimit at Discord's global 50 req/s).
// The floor is 1,000 / 50 = 20 s; the emulator must answer no 429.
// Run with: go test -run '^$' -bench FanOut -benchtime 1x ./modules/duel/
func BenchmarkRoundStartFanOut1000(b *testing.B) {
	const pairs = 1000
	s := newSim(b)
	e := newEnv(b, s.rest())
	for i := range pairs {
		e.pair(int64(i+1), s.channel(b, "room"))
	}
	e.startDuel()
	q := e.newQueue(nil)
	must(b, q.Start(context.Background()))
	b.Cleanup(func() { _ = q.Stop(context.Background()) })
	ctx := context.Background()
	bound := time.Duration(pairs/50) * time.Second
	var total time.Duration
	before := s.Stats()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		res, err := e.svc.startRound(ctx, testGuild, 1, roundSpec{Prompt: "Benchmark prompt", AnswerDuration: time.Hour})
		must(b, err)
		committed := time.Since(start)
		for {
			d, err := e.svc.deliveries(ctx, res.Round.ID)
			must(b, err)
			if d.Pending == 0 {
				if d.Sent != pairs {
					b.Fatalf("delivery = %+v", d)
				}
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		took := time.Since(start)
		total += took
		b.Logf("round %d: transaction %s, all %d rooms notified in %s (bound %s, %.2f× the bound)",
			res.Round.No, committed.Round(time.Millisecond), pairs, took.Round(time.Millisecond), bound, took.Seconds()/bound.Seconds())
		b.StopTimer()
		_, err = e.svc.cancelRound(ctx, testGuild, 1)
		must(b, err)
		b.StartTimer()
	}
	after := s.Stats()
	b.ReportMetric(total.Seconds()/float64(b.N), "s/fanout")
	b.ReportMetric(total.Seconds()/float64(b.N)/bound.Seconds(), "x-bound")
	b.ReportMetric(float64(after.RateLimited-before.RateLimited), "429s")
	if n := after.RateLimited - before.RateLimited; n != 0 {
		b.Fatalf("the emulator answered %d requests with 429", n)
	}
}
