package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/ctxtime"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/logging"
)

// Gate decides whether a module may act in a guild; the guild package provides it.
type Gate interface {
	ModuleEnabled(ctx context.Context, module string, guildID uint64) (bool, error)
}

// Options configure the process's job runner.
type Options struct {
	DB        *db.DB
	Jobs      []Job
	Schedules []Schedule
	Gate      Gate // nil: every guild-scoped job runs
	Logger    *slog.Logger
	// MaxWorkers per queue in this process (default 10).
	MaxWorkers int
	// QueueWorkers overrides MaxWorkers for named queues, e.g. a queue whose
	// workers mostly wait for a rate-limit slot.
	QueueWorkers map[string]int
	// TickEvery is how often due schedules are enqueued (default 15 s).
	TickEvery time.Duration
	// SoftStopTimeout bounds how long running jobs may finish at shutdown (default 20 s).
	SoftStopTimeout time.Duration
	// Test trims River's start-up jitter.
	Test bool
}

// Queue inserts jobs. It needs nothing but the database, so any service can
// take it without waiting for the workers (which often need that service).
type Queue struct {
	// River is an insert-only client: inserts, and job reads and retries.
	River *river.Client[*sql.Tx]
	db    *db.DB
}

// NewQueue builds the inserter.
func NewQueue(d *db.DB, log *slog.Logger) (*Queue, error) {
	if log == nil {
		log = slog.Default()
	}
	client, err := river.NewClient(riverdatabasesql.New(d.SQL), &river.Config{Logger: logging.AtLeast(log, slog.LevelWarn),
		Middleware: []rivertype.Middleware{&exactArgs{}}})
	if err != nil {
		return nil, fmt.Errorf("river insert client: %w", err)
	}
	return &Queue{River: client, db: d}, nil
}

// Runner works the jobs of the process's modules and fires the schedules.
type Runner struct {
	River     *river.Client[*sql.Tx]
	reg       *Registry
	schedules []Schedule
	db        *db.DB
	log       *slog.Logger
	softStop  time.Duration
	tickEvery time.Duration
	stopSeen  context.CancelFunc
	seenDone  chan struct{}
	// id is this process's River client id and core_processes row (orphans.go).
	id        string
	stopSweep context.CancelFunc
	sweepDone chan struct{}
}

// NewRunner builds the worker client without starting it.
func NewRunner(opts Options) (*Runner, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxWorkers == 0 {
		opts.MaxWorkers = 10
	}
	if opts.TickEvery == 0 {
		opts.TickEvery = 15 * time.Second
	}
	if opts.SoftStopTimeout == 0 {
		opts.SoftStopTimeout = 20 * time.Second
	}
	tick := NewJob(CoreQueue, "enqueues due schedules (core_schedules)", &tickWorker{db: opts.DB, log: opts.Logger})
	reg, err := NewRegistry(append([]Job{tick}, opts.Jobs...))
	if err != nil {
		return nil, err
	}
	workers, err := reg.workers()
	if err != nil {
		return nil, err
	}
	queues := map[string]river.QueueConfig{}
	for _, q := range reg.Queues() {
		n := opts.MaxWorkers
		if override, ok := opts.QueueWorkers[q]; ok && override > 0 {
			n = override
		}
		queues[q] = river.QueueConfig{MaxWorkers: n}
	}
	id := newProcessID()
	cfg := &river.Config{
		ID: id,
		// River reports producer counts and start/stop at info every few
		// seconds; operators need its warnings, not its heartbeat.
		Logger:  logging.AtLeast(opts.Logger, slog.LevelWarn),
		Queues:  queues,
		Workers: workers,
		// Every process registers the same single periodic job, so whichever one
		// is leader enqueues the same thing; what is due lives in core_schedules.
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(opts.TickEvery),
			func() (river.JobArgs, *river.InsertOpts) {
				return TickArgs{}, &river.InsertOpts{Queue: CoreQueue, UniqueOpts: river.UniqueOpts{ByPeriod: opts.TickEvery}}
			},
			&river.PeriodicJobOpts{RunOnStart: true, ID: "core.schedule_tick"},
		)},
		Middleware:           []rivertype.Middleware{&jobMiddleware{reg: reg, gate: opts.Gate, log: opts.Logger}, &exactArgs{}},
		JobTimeout:           2 * time.Minute,
		RescueStuckJobsAfter: 5 * time.Minute,
		TestOnly:             opts.Test,
	}
	if opts.Test {
		cfg.FetchCooldown = 20 * time.Millisecond
		cfg.FetchPollInterval = 200 * time.Millisecond
	}
	client, err := river.NewClient(riverdatabasesql.NewWithPgxListener(opts.DB.SQL, opts.DB.Pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Runner{River: client, reg: reg, schedules: opts.Schedules, db: opts.DB, log: opts.Logger.With("process", id),
		softStop: opts.SoftStopTimeout, tickEvery: opts.TickEvery, id: id}, nil
}

// Registry returns every job kind this process knows, the core's included.
func (q *Runner) Registry() *Registry { return q.reg }

// Start begins fetching. River stops when its context ends, so it gets a
// process-lifetime context, never fx's start context (which has a deadline).
func (q *Runner) Start(ctx context.Context) error {
	if err := SyncSchedules(ctx, q.db, q.schedules); err != nil {
		return err
	}
	// Registered before River fetches anything, so no job is ever attempted
	// by a process that core_processes does not know.
	if err := q.register(ctx); err != nil {
		return err
	}
	if err := q.River.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start river: %w", err)
	}
	seenCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	q.stopSeen, q.seenDone = cancel, make(chan struct{})
	go q.markSchedulesSeen(seenCtx)
	sweepCtx, stopSweep := context.WithCancel(context.WithoutCancel(ctx))
	q.stopSweep, q.sweepDone = stopSweep, make(chan struct{})
	go q.heartbeatAndSweep(sweepCtx)
	return nil
}

// ProcessID is this process's River client id (attempted_by of its jobs).
func (q *Runner) ProcessID() string { return q.id }

// Stop lets running jobs finish within the soft-stop bound, then cancels the
// rest; a cancelled job is retried later, so none is lost.
func (q *Runner) Stop(ctx context.Context) error {
	if q.stopSeen != nil {
		q.stopSeen()
		<-q.seenDone
	}
	softCtx, cancel := context.WithTimeout(ctx, q.softStop)
	defer cancel()
	err := q.River.Stop(softCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		q.log.Warn("jobs still running after soft stop; cancelling them for a later retry")
		err = q.River.StopAndCancel(ctx)
	}
	if q.stopSweep != nil {
		q.stopSweep()
		<-q.sweepDone
		if err == nil {
			// A clean stop leaves no running job behind; a failed one keeps the
			// row so the sweep of another process hands its jobs back.
			q.unregister(ctx)
		}
	}
	return err
}

// InsertTx enqueues inside a business transaction: the job exists only if the
// transaction commits. opts may be nil; the queue is always the core's choice
// (QueueFor), so opts must not name one.
func (q *Queue) InsertTx(ctx context.Context, tx bun.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	o, err := withQueue(args, opts)
	if err != nil {
		return nil, err
	}
	return q.River.InsertTx(ctx, tx.Tx, args, o)
}

// Insert enqueues outside a transaction.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	o, err := withQueue(args, opts)
	if err != nil {
		return nil, err
	}
	return q.River.Insert(ctx, args, o)
}

// InsertManyTx enqueues a batch inside a business transaction in one round trip.
func (q *Queue) InsertManyTx(ctx context.Context, tx bun.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	ps, err := withQueues(params)
	if err != nil {
		return nil, err
	}
	return q.River.InsertManyTx(ctx, tx.Tx, ps)
}

// InsertMany enqueues a batch outside a transaction.
func (q *Queue) InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	ps, err := withQueues(params)
	if err != nil {
		return nil, err
	}
	return q.River.InsertMany(ctx, ps)
}

// Requeue is a sweep's catch-up: it inserts one job for each row query
// lists (scan reads a row into the job's args) and returns how many it added.
// A job whose unique args are already waiting or running is not added again,
// so the args' InsertOpts should carry UniqueWhileActive and a sweep may list
// a job whose original insert is still queued.
func Requeue[T river.JobArgs](ctx context.Context, q *Queue, scan func(db.Scanner) (T, error), query string,
	args ...any) (int, error) {
	jobs, err := db.Query(ctx, q.db.Bun, scan, query, args...)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, a := range jobs {
		params[i] = river.InsertManyParams{Args: a}
	}
	res, err := q.InsertMany(ctx, params)
	if err != nil {
		return 0, fmt.Errorf("queue: re-queue %s: %w", jobs[0].Kind(), err)
	}
	added := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			added++
		}
	}
	return added, nil
}

// ErrQueueChosen refuses insert options that name a queue: the core routes
// every kind to its module's queue (QueueFor), so a process only fetches jobs
// it has workers for.
var ErrQueueChosen = errors.New("queue: insert options must not name a queue; the core assigns it from the job kind")

func withQueue(args river.JobArgs, opts *river.InsertOpts) (*river.InsertOpts, error) {
	o := river.InsertOpts{}
	if opts != nil {
		o = *opts
	}
	want := QueueFor(args.Kind())
	if a, ok := args.(river.JobArgsWithInsertOpts); ok && a.InsertOpts().Queue != "" && a.InsertOpts().Queue != want {
		return nil, fmt.Errorf("%s: %w", args.Kind(), ErrQueueChosen)
	}
	if o.Queue != "" && o.Queue != want {
		return nil, fmt.Errorf("%s: %w", args.Kind(), ErrQueueChosen)
	}
	o.Queue = want
	return &o, nil
}

func withQueues(params []river.InsertManyParams) ([]river.InsertManyParams, error) {
	out := make([]river.InsertManyParams, len(params))
	for i, p := range params {
		o, err := withQueue(p.Args, p.InsertOpts)
		if err != nil {
			return nil, err
		}
		out[i] = river.InsertManyParams{Args: p.Args, InsertOpts: o}
	}
	return out, nil
}

// UniqueWhileActive makes an insert a no-op while a job of the same kind and
// args is waiting or running, and allows it again once that job finished. It
// is the one uniqueness rule modules use (a close per round, a refresh per
// dashboard, a sync per guild).
func UniqueWhileActive() river.UniqueOpts {
	return river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}
}

// Ping checks the queue tables answer within ctx.
func (q *Queue) Ping(ctx context.Context) error {
	var one int
	err := q.db.Pool.QueryRow(ctx, `SELECT 1 FROM river_job LIMIT 1`).Scan(&one)
	if err != nil && !db.IsNoRows(err) {
		return err
	}
	return nil
}

func (q *Runner) markSchedulesSeen(ctx context.Context) {
	defer close(q.seenDone)
	names := make([]string, len(q.schedules))
	for i, s := range q.schedules {
		names[i] = s.Name
	}
	ctxtime.Every(ctx, time.Minute, func(ctx context.Context) {
		if _, err := q.db.Pool.Exec(ctx, `UPDATE core_schedules SET seen_at = now() WHERE name = ANY($1)`, names); err != nil && ctx.Err() == nil {
			q.log.Warn("refresh schedule liveness", "error", err)
		}
	})
}

// jobMiddleware logs every job with its identifiers and applies the per-guild gate.
type jobMiddleware struct {
	river.MiddlewareDefaults
	reg  *Registry
	gate Gate
	log  *slog.Logger
}

func (m *jobMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	ctx = context.WithValue(ctx, jobIDKey, job.ID)
	module := QueueFor(job.Kind)
	log := m.log.With("job_id", job.ID, "kind", job.Kind, "module", module, "attempt", job.Attempt)
	if m.gate != nil && module != CoreQueue {
		if guildID, ok := guildOf(job); ok {
			on, err := m.gate.ModuleEnabled(ctx, module, guildID)
			if err != nil {
				return fmt.Errorf("check module gate: %w", err)
			}
			if !on {
				log.Info("job skipped: module turned off in guild", "guild_id", guildID, "action", "skip")
				return nil
			}
		}
	}
	start := time.Now()
	err := doInner(ctx)
	var snooze *river.JobSnoozeError
	switch {
	case err == nil:
		log.Debug("job done", "ms", time.Since(start).Milliseconds())
	case errors.As(err, &snooze):
		log.Debug("job snoozed", "error", err)
	default:
		log.Warn("job failed", "error", err, "ms", time.Since(start).Milliseconds())
	}
	return err
}
