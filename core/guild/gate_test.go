package guild_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/queue"
)

type gateArgs struct {
	GuildID string `json:"guild_id"`
}

func (gateArgs) Kind() string { return "duel.gated" }

type gateWorker struct {
	river.WorkerDefaults[gateArgs]
	done chan string
}

func (w *gateWorker) Work(_ context.Context, j *river.Job[gateArgs]) error {
	w.done <- j.Args.GuildID
	return nil
}

// The service is the queue's gate: a module turned off in one guild skips
// that guild's jobs only.
func TestServiceGatesJobsPerGuild(t *testing.T) {
	t.Parallel()
	s, d := newService(t)
	ctx := context.Background()
	if err := s.SetModule(ctx, 111, 0, "duel", false); err != nil {
		t.Fatal(err)
	}
	w := &gateWorker{done: make(chan string, 4)}
	reg, err := queue.NewRegistry([]queue.Job{queue.NewJob("duel", "gated", w)})
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.NewRunner(queue.Options{DB: d, Jobs: reg.All(), Gate: s, Logger: quiet, Test: true, TickEvery: time.Second,
		SoftStopTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	ins, err := queue.NewQueue(d, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ins.Insert(ctx, gateArgs{GuildID: "111"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ins.Insert(ctx, gateArgs{GuildID: "222"}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case g := <-w.done:
		if g != "222" {
			t.Fatalf("job for guild %s ran; the module is off there", g)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("job for the enabled guild did not run")
	}
	// Give the skipped job time to be worked (and skipped).
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		_ = d.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'guildtest.gated' AND state = 'completed'`).Scan(&n)
		if n == 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case g := <-w.done:
		t.Fatalf("job for guild %s ran", g)
	default:
	}
}
