package publicpost

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/db/migrate"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/queue"
)

// TestPostgresOutageCatchUp runs the real queue (prompt jobs + periodic
// sweep) against a private Postgres that is stopped while posts fall due.
// After it comes back every post is published exactly once.
func TestPostgresOutageCatchUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private Postgres")
	}
	t.Parallel()
	ctx := context.Background()
	e := newSimEnv(t)
	cluster := dbtest.NewCluster(t)
	d, err := db.Open(ctx, cluster.URL(), db.Options{MaxConns: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	if _, err := migrate.New(d.Pool, quiet, moduletest.Migrations(Name, Migrations)...).Up(ctx); err != nil {
		t.Fatal(err)
	}
	e.db = d

	cfg := Config{Lease: 4 * time.Second, SendTimeout: 2 * time.Second, SweepEvery: "@every 1s", MaxAttempts: 20}
	pub := newPublisher(d, e.rest(), cfg, quiet)
	moduletest.StartRunner(t, queue.Options{DB: d, Jobs: []queue.Job{PublishJob(pub), SweepJob(pub)},
		Schedules: []queue.Schedule{SweepSchedule(cfg)}, Logger: quiet, TickEvery: time.Second, SoftStopTimeout: 5 * time.Second, Test: true})
	ins, err := queue.NewQueue(d, quiet)
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(d, ins, quiet)

	channels := []uint64{e.channel}
	for i := range 4 {
		channels = append(channels, e.newChannel("ch"+strconv.Itoa(i)))
	}
	const n = 20
	due := time.Now().Add(1500 * time.Millisecond)
	for i := range n {
		_, _, err := svc.CreateNow(ctx, NewPost{GuildID: e.guild, ChannelID: channels[i%len(channels)],
			Payload: Payload{Content: "due during the outage " + strconv.Itoa(i)},
			At:      due.Add(time.Duration(i) * 50 * time.Millisecond), IdempotencyKey: "outage:" + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	cluster.Stop()
	time.Sleep(time.Until(due) + 3*time.Second) // every post falls due while Postgres is down
	if got := e.sim.Stats().ByRoute[createRoute]; got != 0 {
		t.Fatalf("%d posts went out although Postgres was down before they were due", got)
	}
	cluster.Start()
	// Runbook §2/§4: after recovery an operator may trigger the worker at
	// once rather than wait for the next sweep (the pool reconnects first).
	dbtest.WaitUntil(t, 30*time.Second, "publish-now accepted", func() bool {
		_, err := PublishNow(ctx, ins)
		return err == nil
	})

	dbtest.WaitUntil(t, 90*time.Second, "all posts sent after recovery", func() bool {
		var sent int
		err := d.Bun.QueryRowContext(ctx, `SELECT count(*) FROM publicpost_posts WHERE status = 'sent'`).Scan(&sent)
		return err == nil && sent == n
	})
	total := 0
	for _, ch := range channels {
		total += len(e.messages(ch))
	}
	if total != n {
		t.Fatalf("%d messages for %d posts", total, n)
	}
}
