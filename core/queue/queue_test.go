package queue_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/queue"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type pingArgs struct {
	GuildID string `json:"guild_id"`
	Note    string `json:"note"`
}

func (pingArgs) Kind() string { return "test.ping" }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	done  chan pingArgs
	block chan struct{}
}

func (w *pingWorker) Work(ctx context.Context, job *river.Job[pingArgs]) error {
	if w.block != nil {
		select {
		case <-w.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	w.done <- job.Args
	return nil
}

type gate map[uint64]bool

func (g gate) ModuleEnabled(_ context.Context, _ string, guildID uint64) (bool, error) {
	on, known := g[guildID]
	return on || !known, nil
}

func newDB(t *testing.T) *db.DB {
	return dbtest.New(t)
}

// newInserter is a fresh database and a queue.Queue inserting into it.
func newInserter(t *testing.T) (*db.DB, *queue.Queue) {
	t.Helper()
	d := newDB(t)
	return d, inserter(t, d)
}

func inserter(t *testing.T, d *db.DB) *queue.Queue {
	t.Helper()
	ins, err := queue.NewQueue(d, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return ins
}

// proc is one process's queue: the inserter and the runner.
type proc struct {
	*queue.Runner
	ins *queue.Queue
}

func (p proc) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return p.ins.Insert(ctx, args, opts)
}

func newQueue(t *testing.T, d *db.DB, w *pingWorker, g queue.Gate, schedules ...queue.Schedule) proc {
	t.Helper()
	r, err := queue.NewRunner(queue.Options{DB: d, Jobs: []queue.Job{queue.NewJob("test", "test job", w)}, Schedules: schedules,
		Gate: g, Logger: quiet, Test: true, TickEvery: time.Second, SoftStopTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return proc{Runner: r, ins: inserter(t, d)}
}

func waitFor(t *testing.T, ch <-chan pingArgs) pingArgs {
	t.Helper()
	select {
	case a := <-ch:
		return a
	case <-time.After(15 * time.Second):
		t.Fatal("job was not worked")
		return pingArgs{}
	}
}

func TestJobGoesToItsModuleQueueAndRuns(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	w := &pingWorker{done: make(chan pingArgs, 4)}
	q := newQueue(t, d, w, nil)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	res, err := q.Insert(context.Background(), pingArgs{Note: "hi"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Job.Queue != "test" {
		t.Fatalf("queue = %q, want the module's queue", res.Job.Queue)
	}
	if got := waitFor(t, w.done); got.Note != "hi" {
		t.Fatalf("got %+v", got)
	}
}

func TestInsertTxRollbackLeavesNoJob(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	q := newQueue(t, d, &pingWorker{done: make(chan pingArgs, 1)}, nil)
	tx, err := d.Bun.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.ins.InsertTx(context.Background(), tx, pingArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	_ = tx.Rollback()
	var n int
	_ = d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'test.ping'`).Scan(&n)
	if n != 0 {
		t.Fatalf("rolled-back insert left %d jobs", n)
	}
}

// onceArgs are unique while active through their own InsertOpts, as a
// sweep's jobs are.
type onceArgs struct {
	GuildID string `json:"guild_id"`
	Note    string `json:"note"`
}

func (onceArgs) Kind() string { return "test.once" }

func (onceArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: queue.UniqueWhileActive()}
}

// TestRequeueAddsOnlyWhatIsNotWaiting: a sweep lists three jobs, one of
// which is still queued from its original insert; Requeue adds the other two
// and a second sweep adds nothing.
func TestRequeueAddsOnlyWhatIsNotWaiting(t *testing.T) {
	t.Parallel()
	d, q := newInserter(t)
	ctx := context.Background()
	if _, err := q.Insert(ctx, onceArgs{GuildID: "2", Note: "b"}, nil); err != nil {
		t.Fatal(err)
	}
	scan := func(row db.Scanner) (onceArgs, error) {
		var a onceArgs
		return a, row.Scan(&a.GuildID, &a.Note)
	}
	sweep := func() int {
		t.Helper()
		n, err := queue.Requeue(ctx, q, scan, `SELECT g::text, chr(96 + g) FROM generate_series(1, 3) g`)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := sweep(); n != 2 {
		t.Fatalf("first sweep added %d jobs, want 2", n)
	}
	if n := sweep(); n != 0 {
		t.Fatalf("second sweep added %d jobs, want 0", n)
	}
	notes, err := db.Query(ctx, d.Bun, db.Scan[string], `SELECT args->>'note' FROM river_job WHERE kind = 'test.once' ORDER BY args->>'note'`)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 3 || notes[0] != "a" || notes[1] != "b" || notes[2] != "c" {
		t.Fatalf("queued %v, want [a b c]", notes)
	}
	if n, err := queue.Requeue(ctx, q, scan, `SELECT '1', 'x' WHERE false`); err != nil || n != 0 {
		t.Fatalf("empty sweep: %d, %v", n, err)
	}
}

func TestGateSkipsTurnedOffGuild(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	w := &pingWorker{done: make(chan pingArgs, 4)}
	q := newQueue(t, d, w, gate{111: false, 222: true})
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	off, _ := q.Insert(context.Background(), pingArgs{GuildID: "111", Note: "off"}, nil)
	if _, err := q.Insert(context.Background(), pingArgs{GuildID: "222", Note: "on"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := waitFor(t, w.done); got.Note != "on" {
		t.Fatalf("worked %+v, want only the enabled guild's job", got)
	}
	job := waitState(t, q, off.Job.ID, rivertype.JobStateCompleted)
	if job.Attempt != 1 {
		t.Fatalf("skipped job: %+v", job)
	}
	select {
	case a := <-w.done:
		t.Fatalf("job for turned-off guild ran: %+v", a)
	default:
	}
}

func waitState(t *testing.T, q proc, id int64, want rivertype.JobState) *rivertype.JobRow {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		job, err := q.River.JobGet(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if job.State == want {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s, want %s", id, job.State, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestShutdownWithJobInFlightRetriesIt(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	block := make(chan struct{})
	w := &pingWorker{done: make(chan pingArgs, 4), block: block}
	q := newQueue(t, d, w, nil)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := q.Insert(context.Background(), pingArgs{Note: "slow"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, q, res.Job.ID, rivertype.JobStateRunning)
	if err := q.Stop(context.Background()); err != nil {
		t.Fatalf("stop: %v", err)
	}
	// River hands an interrupted job back (available or retryable); either way it
	// is neither lost nor left running.
	job, err := q.River.JobGet(context.Background(), res.Job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != rivertype.JobStateAvailable && job.State != rivertype.JobStateRetryable {
		t.Fatalf("interrupted job is %s", job.State)
	}
	// A new process picks it up and finishes it.
	close(block)
	q2 := newQueue(t, d, w, nil)
	if _, err := d.Pool.Exec(context.Background(), `UPDATE river_job SET scheduled_at = now() WHERE id = $1`, res.Job.ID); err != nil {
		t.Fatal(err)
	}
	if err := q2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q2.Stop(context.Background()) })
	waitFor(t, w.done)
}

func TestSchedulesFireOnceAndObeyTheSwitch(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	w := &pingWorker{done: make(chan pingArgs, 16)}
	sched := queue.Schedule{Name: "test.ping", Module: "test", Spec: "@every 1h", Args: pingArgs{Note: "scheduled"}}
	q := newQueue(t, d, w, nil, sched)
	ctx := context.Background()
	if err := queue.SyncSchedules(ctx, d, []queue.Schedule{sched}); err != nil {
		t.Fatal(err)
	}
	// Disabled: due but must not fire.
	if err := queue.SetScheduleEnabled(ctx, d, "test.ping", false); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `UPDATE core_schedules SET next_run_at = now() - interval '1 minute'`); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	waitTicks(t, d, 2)
	if n := countKind(t, d, "test.ping"); n != 0 {
		t.Fatalf("disabled schedule fired %d times", n)
	}
	if err := queue.SetScheduleEnabled(ctx, d, "test.ping", true); err != nil {
		t.Fatal(err)
	}
	if got := waitFor(t, w.done); got.Note != "scheduled" {
		t.Fatalf("got %+v", got)
	}
	waitTicks(t, d, 2)
	if n := countKind(t, d, "test.ping"); n != 1 {
		t.Fatalf("schedule fired %d times, want exactly 1 per period", n)
	}
	states, err := queue.ListSchedules(ctx, d)
	if err != nil || len(states) != 1 || states[0].LastRunAt == nil || !states[0].NextRunAt.After(time.Now().Add(50*time.Minute)) {
		t.Fatalf("list: %v %+v", err, states)
	}
	if err := queue.SetScheduleEnabled(ctx, d, "nope", true); err == nil {
		t.Fatal("unknown schedule accepted")
	}
}

func waitTicks(t *testing.T, d *db.DB, n int) {
	t.Helper()
	start := countKind(t, d, "core.schedule_tick")
	deadline := time.Now().Add(20 * time.Second)
	for countCompleted(t, d) < start+n {
		if time.Now().After(deadline) {
			t.Fatal("scheduler did not tick")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func countKind(t *testing.T, d *db.DB, kind string) int {
	var n int
	if err := d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = $1`, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func countCompleted(t *testing.T, d *db.DB) int {
	var n int
	if err := d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'core.schedule_tick' AND state = 'completed'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDecodeArgsValidates(t *testing.T) {
	j := queue.NewJob("test", "x", &pingWorker{})
	if _, err := j.DecodeArgs([]byte(`{"guild_id":"1","note":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := j.DecodeArgs([]byte(`{"guild":"1"}`)); err == nil {
		t.Fatal("unknown field accepted")
	}
	fields := j.Fields()
	if len(fields) != 2 || fields[0].Name != "guild_id" {
		t.Fatalf("fields %+v", fields)
	}
	raw, _ := json.Marshal(queue.RawArgs("k", json.RawMessage(`{"a":1}`)))
	if string(raw) != `{"a":1}` {
		t.Fatalf("raw args encode as %s", raw)
	}
}

func TestRegistryRequiresModulePrefixedKinds(t *testing.T) {
	if _, err := queue.NewRegistry([]queue.Job{queue.NewJob("duel", "x", &pingWorker{})}); err == nil {
		t.Fatal("kind test.ping accepted for module duel")
	}
	if got := queue.QueueFor("duel.close"); got != "duel" {
		t.Fatalf("QueueFor = %q", got)
	}
	if got := queue.QueueFor("nodot"); got != queue.CoreQueue {
		t.Fatalf("QueueFor = %q", got)
	}
}
