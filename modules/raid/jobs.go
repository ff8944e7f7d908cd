package raid

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/discord/resterr"
	"github.com/together-bot/together/core/queue"
)

// promptArgs post one claim's confirm prompt in the pair's room. guild_id
// lets the core queue skip the job while raid is off in the guild (the
// step re-queues it once raid is on again).
type promptArgs struct {
	GuildID uint64 `json:"guild_id,string" river:"unique"`
	ClaimID int64  `json:"claim_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (promptArgs) Kind() string { return "raid.prompt" }

// Validate lets `app jobs send` refuse incomplete args.
func (a promptArgs) Validate() error {
	if a.GuildID == 0 || a.ClaimID == 0 {
		return errors.New("guild_id and claim_id are required")
	}
	return nil
}

// stepArgs run the frequent step (Step). No guild_id: it serves every
// guild and leaves out those where raid is off in its queries.
type stepArgs struct{}

// Kind implements river.JobArgs.
func (stepArgs) Kind() string { return "raid.step" }

// promptMaxAttempts bounds one job's retries; the step re-queues a prompt
// still pending after that while its claim can be confirmed.
const promptMaxAttempts = 8

// InsertOpts implements river.JobArgsWithInsertOpts, so every insert (a
// claim, the step, `app jobs send`) is unique while active: no duplicate
// while one is queued or running; once it finished (or the gate skipped it
// while raid was off) the step may queue it again.
func (promptArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: promptMaxAttempts, UniqueOpts: queue.UniqueWhileActive()}
}

// jobs are the module's workers (point queue.Jobs).
func (s *service) jobs() []queue.Job {
	return []queue.Job{
		queue.NewJob(Name, "posts a raid claim's confirm prompt in the pair room", &promptWorker{s: s}),
		queue.NewJob(Name, "ends expired raids, starts the week's raids, refreshes boards on a new day, re-queues prompts",
			&stepWorker{s: s}),
	}
}

// schedule runs the step every five minutes (UTC cron): each guild's week
// and day boundaries are decided per guild from its zone, so every guild
// turns over within five minutes of its local midnight.
func (s *service) schedule() queue.Schedule {
	return queue.Schedule{Name: "raid.step", Module: Name, Spec: "*/5 * * * *", Args: stepArgs{},
		Description: "ends expired raids, then starts each guild's weekly raid at its local Monday; daily board refresh"}
}

type stepWorker struct {
	river.WorkerDefaults[stepArgs]
	s *service
}

func (w *stepWorker) Work(ctx context.Context, job *river.Job[stepArgs]) error {
	res, err := w.s.Step(ctx)
	if res != (stepResult{}) {
		w.s.Logger.Info("raid step", "ended", res.Ended, "started", res.Started, "new_day", res.DayChanged,
			"prompts", res.Prompts, "job_id", job.ID, "action", "raid.step")
	}
	if errors.Is(err, queue.ErrPassUnfinished) {
		// Unusual (a week's turnover outlasting one job) so worth a warning;
		// guilds that failed are still due and the next run retries them.
		w.s.Logger.Warn("raid step continues in a new run", "error", err, "job_id", job.ID, "action", "raid.step")
	}
	return queue.Continue(err)
}

type promptWorker struct {
	river.WorkerDefaults[promptArgs]
	s *service
}

var promptBackoff = resterr.BackoffPolicy{Base: 2 * time.Second, Max: 2 * time.Minute}

func (w *promptWorker) Work(ctx context.Context, job *river.Job[promptArgs]) error {
	return w.s.deliverPrompt(ctx, job.Args)
}

// NextRetry: a partner should see the prompt within minutes, not River's
// attempt^4 hours.
func (w *promptWorker) NextRetry(job *river.Job[promptArgs]) time.Time {
	return time.Now().Add(promptBackoff.Duration(job.Attempt))
}
