package restlimit

// Benchmarks of the Shared budget against the emulator and a real
// Postgres. Each iteration is one fixed scenario (tens of seconds), so run
// them explicitly:
//
//	go test -run '^$' -bench Shared -benchtime 1x ./core/discord/restlimit/
//	# SHARED_BENCH_SECONDS (default 20) sets the length of the load.

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/discordsim"
)

// BenchmarkSharedBudgetThreeProcesses: three processes (each its own pool,
// limiter and disgo client) keep a backlog of fan-out posts (one per room,
// 300 rooms), posts to 20 busy channels and edits of 20 dashboards, all at
// once. Reported: accepted requests per second after a 3 s warm-up
// (req/s and pct_of_50), the emulator's 429 count, and how long booking a
// slot took (take_p50_ms, take_p99_ms).
func BenchmarkSharedBudgetThreeProcesses(b *testing.B) {
	seconds := 20
	if v, err := strconv.Atoi(os.Getenv("SHARED_BENCH_SECONDS")); err == nil && v > 3 {
		seconds = v
	}
	for range b.N {
		sim, err := discordsim.New(discordsim.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		if err := sim.Start(""); err != nil {
			b.Fatal(err)
		}
		guild, err := sim.CreateGuild("bench")
		if err != nil {
			b.Fatal(err)
		}
		channels := func(n int) []snowflake.ID {
			var out []snowflake.ID
			for range n {
				id, err := sim.CreateChannel(guild, discordsim.ChannelSpec{Name: "c"})
				if err != nil {
					b.Fatal(err)
				}
				out = append(out, snowflake.MustParse(id))
			}
			return out
		}
		rooms, busy, boards := channels(300), channels(20), channels(20)

		budgets, _ := sharedBudgets(b, 3, SharedOptions{})
		var clients []rest.Rest
		var takes takeTimes
		for _, budget := range budgets {
			budget.observeTake = takes.add
			l := New(WithShared(budget), WithLogger(quietLogger()))
			clients = append(clients, rest.New(rest.NewClient(sim.Token(), rest.WithURL(sim.APIURL()),
				rest.WithRateLimiter(l),
				rest.WithHTTPClient(&http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}),
				rest.WithLogger(quietLogger()))))
		}
		var messages []snowflake.ID
		for _, ch := range boards {
			m, err := clients[0].CreateMessage(ch, discord.MessageCreate{Content: "board"})
			if err != nil {
				b.Fatal(err)
			}
			messages = append(messages, m.ID)
		}
		before := sim.Stats()
		takes.reset()

		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second)
		var (
			next     atomic.Int64
			mu       sync.Mutex
			okTimes  []time.Time
			failures int
			wg       sync.WaitGroup
		)
		for p, c := range clients {
			for range 40 {
				wg.Go(func() {
					for ctx.Err() == nil {
						i := int(next.Add(1))
						var err error
						o := rest.WithCtx(ctx)
						switch i % 3 {
						case 0: // fan-out: a prompt in the next pair room
							_, err = c.CreateMessage(rooms[(i/3)%len(rooms)], discord.MessageCreate{Content: "round " + strconv.Itoa(p)}, o)
						case 1: // scheduled posts into busy channels
							_, err = c.CreateMessage(busy[(i/3)%len(busy)], discord.MessageCreate{Content: "post"}, o)
						default: // dashboards
							k := (i / 3) % len(boards)
							content := "board " + strconv.Itoa(i)
							_, err = c.UpdateMessage(boards[k], messages[k], discord.MessageUpdate{Content: &content}, o)
						}
						mu.Lock()
						if err == nil {
							okTimes = append(okTimes, time.Now())
						} else if !errors.Is(err, context.DeadlineExceeded) {
							// (a wait that would outlast the load fails at
							// once near its end; those are not failures)
							if failures++; failures <= 3 {
								b.Logf("request failed: %v", err)
							}
						}
						mu.Unlock()
					}
				})
			}
		}
		wg.Wait()
		cancel()
		end := start.Add(time.Duration(seconds) * time.Second)
		warm := start.Add(3 * time.Second)
		n := 0
		for _, t := range okTimes {
			if t.After(warm) && !t.After(end) {
				n++
			}
		}
		rate := float64(n) / end.Sub(warm).Seconds()
		after := sim.Stats()
		p50, p99 := takes.percentiles()
		b.ReportMetric(rate, "req/s")
		b.ReportMetric(100*rate/50, "pct_of_50")
		b.ReportMetric(float64(after.RateLimited-before.RateLimited), "429s")
		b.ReportMetric(float64(after.GlobalRateLimited-before.GlobalRateLimited), "global_429s")
		b.ReportMetric(float64(len(okTimes)), "accepted")
		b.ReportMetric(float64(failures), "failed")
		b.ReportMetric(p50.Seconds()*1000, "take_p50_ms")
		b.ReportMetric(p99.Seconds()*1000, "take_p99_ms")
		_ = sim.Close()
	}
}

// BenchmarkSharedTake: what one booking costs a single process with no
// backlog (one round trip to Postgres per request).
func BenchmarkSharedTake(b *testing.B) {
	budgets, _ := sharedBudgets(b, 1, SharedOptions{PerSecond: 1e6})
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		g, err := budgets[0].take(ctx, "", time.Minute)
		if err != nil || !g.booked {
			b.Fatalf("take: %+v, %v", g, err)
		}
	}
}

type takeTimes struct {
	mu sync.Mutex
	d  []time.Duration
}

func (t *takeTimes) add(d time.Duration) {
	t.mu.Lock()
	t.d = append(t.d, d)
	t.mu.Unlock()
}

func (t *takeTimes) reset() {
	t.mu.Lock()
	t.d = nil
	t.mu.Unlock()
}

func (t *takeTimes) percentiles() (p50, p99 time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.d) == 0 {
		return 0, 0
	}
	s := slices.Clone(t.d)
	slices.Sort(s)
	return s[len(s)/2], s[len(s)*99/100]
}
