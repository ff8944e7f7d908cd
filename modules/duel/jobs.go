package duel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/together-bot/together/core/discord/resterr"
	"github.com/together-bot/together/core/queue"
)

// NotifyArgs post a round's prompt in one pair's room. guild_id lets the
// core queue skip the job while duel is off in the guild (the sweep
// re-queues it later).
type NotifyArgs struct {
	GuildID uint64 `json:"guild_id,string" river:"unique"`
	RoundID int64  `json:"round_id" river:"unique"`
	PairID  int64  `json:"pair_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (NotifyArgs) Kind() string { return "duel.notify" }

// Validate lets `app jobs send` refuse incomplete args.
func (a NotifyArgs) Validate() error {
	if a.GuildID == 0 || a.RoundID == 0 || a.PairID == 0 {
		return errors.New("guild_id, round_id and pair_id are required")
	}
	return nil
}

// CloseArgs end one phase of a round at its deadline.
type CloseArgs struct {
	GuildID uint64 `json:"guild_id,string" river:"unique"`
	RoundID int64  `json:"round_id" river:"unique"`
	Phase   string `json:"phase" river:"unique"`
}

// Kind implements river.JobArgs.
func (CloseArgs) Kind() string { return "duel.close" }

// Validate lets `app jobs send` refuse incomplete args.
func (a CloseArgs) Validate() error {
	if a.GuildID == 0 || a.RoundID == 0 || (a.Phase != string(PhaseAnswering) && a.Phase != string(PhaseVoting)) {
		return errors.New("guild_id, round_id and phase (answering|voting) are required")
	}
	return nil
}

// SweepArgs run the periodic catch-up (see sweep).
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "duel.sweep" }

// uniqueWhileActive: no duplicate while one is queued or running; completed
// is left out so a job the gate skipped (module off) can be queued again
// by the sweep (platform notes §1.1).
var uniqueWhileActive = river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}}

// notifyMaxAttempts bounds retries of one room (transient failures only).
const notifyMaxAttempts = 8

func notifyInsertOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: Name, MaxAttempts: notifyMaxAttempts, UniqueOpts: uniqueWhileActive}
}

func closeInsertOpts() *river.InsertOpts {
	// Closing must eventually happen: River's default 25 attempts with its
	// long backoff, plus the sweep, cover a database outage of any length.
	return &river.InsertOpts{Queue: Name, UniqueOpts: uniqueWhileActive}
}

// Jobs returns the module's workers (fx group "jobs").
func (s *Service) Jobs() []queue.Job {
	return []queue.Job{
		queue.NewJob(Name, "posts a round's prompt in one pair room", &notifyWorker{s: s}),
		queue.NewJob(Name, "ends a round's answer or voting phase at its deadline and applies points once", &closeWorker{s: s}),
		queue.NewJob(Name, "re-queues overdue closes and undelivered prompts (after outages or module off)", &sweepWorker{s: s}),
	}
}

// Schedule is the sweep's periodic schedule (fx group "schedules").
func (s *Service) Schedule() queue.Schedule {
	return queue.Schedule{Name: "duel.sweep", Module: Name, Spec: "@every 1m", Args: SweepArgs{},
		Description: "re-queues overdue duel closes and undelivered round prompts"}
}

type closeWorker struct {
	river.WorkerDefaults[CloseArgs]
	s *Service
}

func (w *closeWorker) Work(ctx context.Context, job *river.Job[CloseArgs]) error {
	_, wait, err := w.s.Advance(ctx, job.Args.RoundID, Phase(job.Args.Phase))
	if err != nil {
		return err
	}
	if wait > 0 {
		// Early (clock skew, or a hand-sent job): come back at the deadline.
		return river.JobSnooze(wait + 100*time.Millisecond)
	}
	return nil
}

type notifyWorker struct {
	river.WorkerDefaults[NotifyArgs]
	s *Service
}

var notifyBackoff = resterr.BackoffPolicy{Base: 2 * time.Second, Max: 2 * time.Minute}

func (w *notifyWorker) Work(ctx context.Context, job *river.Job[NotifyArgs]) error {
	return w.s.notify(ctx, job.Args, job.Attempt >= job.MaxAttempts)
}

// NextRetry: a room should get its prompt within minutes, not River's
// attempt^4 hours.
func (w *notifyWorker) NextRetry(job *river.Job[NotifyArgs]) time.Time {
	return time.Now().Add(notifyBackoff.Duration(job.Attempt))
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	s *Service
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	_, err := w.s.Sweep(ctx)
	return err
}

// sweepGrace leaves the scheduled close job time to run first (River's
// scheduler adds up to 5 s).
const sweepGrace = 20 * time.Second

// Sweep re-queues what should be queued but is not: closes of rounds past
// their deadline and prompts still pending for a round that takes answers.
// Both happen after the gate skipped the jobs while duel was off in the
// guild, or after an operator deleted jobs. Uniqueness makes it harmless
// when the original job is still queued. It returns how many it queued.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	rows, err := s.db.Pool.Query(ctx, `
		SELECT id, guild_id, phase FROM duel_rounds
		WHERE (phase = 'answering' AND answer_deadline < now() - $1::interval)
		   OR (phase = 'voting' AND vote_deadline < now() - $1::interval)
		ORDER BY id LIMIT 500`, sweepGrace.String())
	if err != nil {
		return 0, fmt.Errorf("duel: sweep rounds: %w", err)
	}
	var params []river.InsertManyParams
	for rows.Next() {
		var a CloseArgs
		var g int64
		if err := rows.Scan(&a.RoundID, &g, &a.Phase); err != nil {
			rows.Close()
			return 0, err
		}
		a.GuildID = uint64(g)
		if s.enabled(ctx, a.GuildID) {
			params = append(params, river.InsertManyParams{Args: a, InsertOpts: closeInsertOpts()})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	rows, err = s.db.Pool.Query(ctx, `
		SELECT d.round_id, d.pair_id, r.guild_id FROM duel_deliveries d JOIN duel_rounds r ON r.id = d.round_id
		WHERE d.status = 'pending' AND r.phase = 'answering' AND r.answer_deadline > now()
		  AND d.updated_at < now() - interval '1 minute'
		ORDER BY d.round_id, d.pair_id LIMIT 2000`)
	if err != nil {
		return 0, fmt.Errorf("duel: sweep deliveries: %w", err)
	}
	for rows.Next() {
		var a NotifyArgs
		var g int64
		if err := rows.Scan(&a.RoundID, &a.PairID, &g); err != nil {
			rows.Close()
			return 0, err
		}
		a.GuildID = uint64(g)
		if s.enabled(ctx, a.GuildID) {
			params = append(params, river.InsertManyParams{Args: a, InsertOpts: notifyInsertOpts()})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(params) == 0 {
		return 0, nil
	}
	res, err := s.inserter.InsertMany(ctx, params)
	if err != nil {
		return 0, fmt.Errorf("duel: sweep enqueue: %w", err)
	}
	n := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			n++
		}
	}
	if n > 0 {
		s.log.Info("sweep re-queued duel jobs", "jobs", n, "action", "duel.sweep")
	}
	return n, nil
}

// enabled asks the gate; an error counts as "on" so the job itself decides.
func (s *Service) enabled(ctx context.Context, guildID uint64) bool {
	if s.gate == nil {
		return true
	}
	on, err := s.gate.ModuleEnabled(ctx, Name, guildID)
	return err != nil || on
}
