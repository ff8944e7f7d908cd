package pairhome

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/queue"
)

// roomArgs asks for a pair's room to exist and carry the right permissions.
// guild_id lets the core gate skip it while pairhome is off in the guild;
// the reconcile job picks the pair up again once it is back on.
type roomArgs struct {
	GuildID uint64 `json:"guild_id,string"`
	PairID  int64  `json:"pair_id"`
}

// Kind implements river.JobArgs.
func (roomArgs) Kind() string { return "pairhome.room" }

// InsertOpts gives room work more attempts than River's default. Room jobs
// are deliberately not unique (not even queue.UniqueWhileActive): River
// skips a unique insert while the previous job is still running (or not yet
// marked completed), which would lose a request made just after it read the
// settings. Duplicates are cheap and serialized by the pair's room lease.
func (roomArgs) InsertOpts() river.InsertOpts { return roomOpts() }

// archiveArgs asks for an archived pair's room to become read-only or go.
type archiveArgs struct {
	GuildID uint64 `json:"guild_id,string"`
	PairID  int64  `json:"pair_id"`
}

// Kind implements river.JobArgs.
func (archiveArgs) Kind() string { return "pairhome.archive" }

// InsertOpts: see roomArgs.
func (archiveArgs) InsertOpts() river.InsertOpts { return roomOpts() }

// reconcileArgs is the periodic repair of rooms and memberships. It spans
// every guild, so it carries no guild_id for the core's gate: its query
// leaves out the guilds where pairhome is off (guild.ModuleOffCondition).
type reconcileArgs struct{}

// Kind implements river.JobArgs.
func (reconcileArgs) Kind() string { return "pairhome.reconcile" }

// sectionsArgs re-renders panels of guilds whose set of sections changed
// (a contributing module turned on or off).
type sectionsArgs struct{}

// Kind implements river.JobArgs.
func (sectionsArgs) Kind() string { return "pairhome.sections" }

func roomOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 20} }

// retryAfter replaces River's attempt^4 backoff: a room should appear
// within seconds of Discord recovering, not hours.
func retryAfter(attempt int) time.Time {
	d := time.Second << min(attempt, 8)
	return time.Now().Add(min(d, 5*time.Minute))
}

type roomWorker struct {
	river.WorkerDefaults[roomArgs]
	s *service
}

func (w *roomWorker) Work(ctx context.Context, job *river.Job[roomArgs]) error {
	return w.s.EnsureRoom(ctx, job.Args.PairID)
}

func (w *roomWorker) NextRetry(job *river.Job[roomArgs]) time.Time { return retryAfter(job.Attempt) }

type archiveWorker struct {
	river.WorkerDefaults[archiveArgs]
	s *service
}

func (w *archiveWorker) Work(ctx context.Context, job *river.Job[archiveArgs]) error {
	return w.s.ArchiveRoom(ctx, job.Args.PairID)
}

func (w *archiveWorker) NextRetry(job *river.Job[archiveArgs]) time.Time {
	return retryAfter(job.Attempt)
}

// Jobs returns pairhome's job kinds (point queue.Jobs).
func (s *service) Jobs() []queue.Job {
	return []queue.Job{
		queue.NewJob(Name, "creates or repairs a pair's private room", &roomWorker{s: s}),
		queue.NewJob(Name, "makes an archived pair's room read-only or deletes it", &archiveWorker{s: s}),
		queue.NewJob(Name, "repairs deleted rooms and archives pairs whose member left",
			river.WorkFunc(func(ctx context.Context, _ *river.Job[reconcileArgs]) error { return s.Reconcile(ctx) })),
		queue.NewJob(Name, "re-renders Pair Home panels when a section's module is switched",
			river.WorkFunc(func(ctx context.Context, _ *river.Job[sectionsArgs]) error { return s.SyncSections(ctx) })),
	}
}

// schedules are pairhome's periodic jobs (point queue.Schedules).
var schedules = []queue.Schedule{
	{Name: "pairhome.reconcile", Module: Name, Spec: "@every 2m", Args: reconcileArgs{},
		Description: "repair deleted rooms, archive pairs whose member left, finish pending archives"},
	{Name: "pairhome.sections", Module: Name, Spec: "@every 1m", Args: sectionsArgs{},
		Description: "re-render Pair Home panels after a section's module was turned on or off"},
}
