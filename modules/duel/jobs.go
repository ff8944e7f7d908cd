package duel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/discord/resterr"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/queue"
)

// NotifyArgs post a round's prompt in one pair's room. guild_id lets the
// core queue skip the job while duel is off in the guild (the sweep
// re-queues it once duel is on again).
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
	if a.GuildID == 0 || a.RoundID == 0 || (a.Phase != string(phaseAnswering) && a.Phase != string(phaseVoting)) {
		return errors.New("guild_id, round_id and phase (answering|voting) are required")
	}
	return nil
}

// SweepArgs run the periodic catch-up (see sweep).
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "duel.sweep" }

// notifyMaxAttempts bounds retries of one room (transient failures only).
const notifyMaxAttempts = 8

// InsertOpts implements river.JobArgsWithInsertOpts, so every insert (a
// round's start, the sweep, `app jobs send`) is unique while active: no
// duplicate while one is queued or running, and a job the gate skipped
// (module off) can be queued again by the sweep. A room's prompt retries
// notifyMaxAttempts times.
func (NotifyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: notifyMaxAttempts, UniqueOpts: queue.UniqueWhileActive()}
}

// InsertOpts implements river.JobArgsWithInsertOpts, unique while active as
// NotifyArgs. Closing must eventually happen: River's default 25 attempts
// with its long backoff, plus the sweep, cover a database outage of any
// length.
func (CloseArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: queue.UniqueWhileActive()}
}

// jobs returns the module's workers (queue.Jobs).
func (s *Service) jobs() []queue.Job {
	return []queue.Job{
		queue.NewJob(Name, "posts a round's prompt in one pair room", &notifyWorker{s: s}),
		queue.NewJob(Name, "ends a round's answer or voting phase at its deadline and applies points once", &closeWorker{s: s}),
		queue.NewJob(Name, "re-queues overdue closes and undelivered prompts (after outages or module off)",
			river.WorkFunc(func(ctx context.Context, _ *river.Job[SweepArgs]) error {
				_, err := s.sweep(ctx)
				return err
			})),
	}
}

// sweepSchedule runs the sweep every minute (queue.Schedules).
var sweepSchedule = queue.Schedule{Name: "duel.sweep", Module: Name, Spec: "@every 1m", Args: SweepArgs{},
	Description: "re-queues overdue duel closes and undelivered round prompts"}

type closeWorker struct {
	river.WorkerDefaults[CloseArgs]
	s *Service
}

func (w *closeWorker) Work(ctx context.Context, job *river.Job[CloseArgs]) error {
	_, wait, err := w.s.advance(ctx, job.Args.RoundID, roundPhase(job.Args.Phase))
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

// sweepGrace leaves the scheduled close job time to run first (River's
// scheduler adds up to 5 s).
const sweepGrace = 20 * time.Second

// sweep re-queues what should be queued but is not: closes of rounds past
// their deadline and prompts still pending (a prompt whose round has closed
// meanwhile is then posted marked late, see notify).
// Both happen after the gate skipped the jobs while duel was off in the
// guild, or after an operator deleted jobs. Guilds where duel is off now are
// left out (their jobs would only be skipped again); uniqueness makes it
// harmless when the original job is still queued. It returns how many it
// queued.
func (s *Service) sweep(ctx context.Context) (int, error) {
	closes, err := queue.Requeue(ctx, s.Queue, func(row db.Scanner) (CloseArgs, error) {
		var a CloseArgs
		return a, row.Scan(&a.RoundID, &a.GuildID, &a.Phase)
	}, `SELECT r.id, r.guild_id, r.phase FROM duel_rounds r
		WHERE ((r.phase = 'answering' AND r.answer_deadline < now() - ?::interval)
		    OR (r.phase = 'voting' AND r.vote_deadline < now() - ?::interval))
		  AND NOT `+offInGuild("r.guild_id")+`
		ORDER BY r.id LIMIT 500`, sweepGrace.String(), sweepGrace.String())
	if err != nil {
		return 0, fmt.Errorf("duel: sweep rounds: %w", err)
	}
	notices, err := queue.Requeue(ctx, s.Queue, func(row db.Scanner) (NotifyArgs, error) {
		var a NotifyArgs
		return a, row.Scan(&a.RoundID, &a.PairID, &a.GuildID)
	}, `SELECT d.round_id, d.pair_id, r.guild_id FROM duel_deliveries d JOIN duel_rounds r ON r.id = d.round_id
		WHERE d.status = 'pending'
		  AND d.updated_at < now() - interval '1 minute'
		  AND NOT `+offInGuild("r.guild_id")+`
		ORDER BY d.round_id, d.pair_id LIMIT 2000`)
	if err != nil {
		return closes, fmt.Errorf("duel: sweep deliveries: %w", err)
	}
	if n := closes + notices; n > 0 {
		s.Logger.Info("sweep re-queued duel jobs", "jobs", n, "action", "duel.sweep")
	}
	return closes + notices, nil
}

// offInGuild is the SQL condition "duel is off in the guild guildExpr", for
// the sweep's queries over every guild.
func offInGuild(guildExpr string) string { return guild.ModuleOffCondition(guildExpr, Name) }
