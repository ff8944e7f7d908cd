package pairhome

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/queue"
)

// RoomArgs asks for a pair's room to exist and carry the right permissions.
// guild_id lets the core gate skip it while pairhome is off in the guild;
// the reconcile job picks the pair up again once it is back on.
type RoomArgs struct {
	GuildID uint64 `json:"guild_id,string"`
	PairID  int64  `json:"pair_id"`
}

// Kind implements river.JobArgs.
func (RoomArgs) Kind() string { return "pairhome.room" }

// InsertOpts puts it on pairhome's queue. Room jobs are deliberately not
// unique: River skips a unique insert while the previous job is still
// running (or not yet marked completed), which would lose a request made
// just after it read the settings. Duplicates are cheap and serialized by the
// pair's room lease instead.
func (RoomArgs) InsertOpts() river.InsertOpts { return roomOpts() }

// ArchiveArgs asks for an archived pair's room to become read-only or go.
type ArchiveArgs struct {
	GuildID uint64 `json:"guild_id,string"`
	PairID  int64  `json:"pair_id"`
}

// Kind implements river.JobArgs.
func (ArchiveArgs) Kind() string { return "pairhome.archive" }

// InsertOpts: see RoomArgs.
func (ArchiveArgs) InsertOpts() river.InsertOpts { return roomOpts() }

// ReconcileArgs is the periodic repair of rooms and memberships.
type ReconcileArgs struct{}

// Kind implements river.JobArgs.
func (ReconcileArgs) Kind() string { return "pairhome.reconcile" }

// InsertOpts puts it on pairhome's queue.
func (ReconcileArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Name} }

// SectionsArgs re-renders panels of guilds whose set of sections changed
// (a contributing module turned on or off).
type SectionsArgs struct{}

// Kind implements river.JobArgs.
func (SectionsArgs) Kind() string { return "pairhome.sections" }

// InsertOpts puts it on pairhome's queue.
func (SectionsArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Name} }

func roomOpts() river.InsertOpts { return river.InsertOpts{Queue: Name, MaxAttempts: 20} }

// retryAfter replaces River's attempt^4 backoff: a room should appear
// within seconds of Discord recovering, not hours.
func retryAfter(attempt int) time.Time {
	d := time.Second << min(attempt, 8)
	return time.Now().Add(min(d, 5*time.Minute))
}

type roomWorker struct {
	river.WorkerDefaults[RoomArgs]
	s *Service
}

func (w *roomWorker) Work(ctx context.Context, job *river.Job[RoomArgs]) error {
	return w.s.EnsureRoom(ctx, job.Args.PairID)
}

func (w *roomWorker) NextRetry(job *river.Job[RoomArgs]) time.Time { return retryAfter(job.Attempt) }

type archiveWorker struct {
	river.WorkerDefaults[ArchiveArgs]
	s *Service
}

func (w *archiveWorker) Work(ctx context.Context, job *river.Job[ArchiveArgs]) error {
	return w.s.ArchiveRoom(ctx, job.Args.PairID)
}

func (w *archiveWorker) NextRetry(job *river.Job[ArchiveArgs]) time.Time {
	return retryAfter(job.Attempt)
}

type reconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	s *Service
}

func (w *reconcileWorker) Work(ctx context.Context, _ *river.Job[ReconcileArgs]) error {
	return w.s.Reconcile(ctx)
}

type sectionsWorker struct {
	river.WorkerDefaults[SectionsArgs]
	s *Service
}

func (w *sectionsWorker) Work(ctx context.Context, _ *river.Job[SectionsArgs]) error {
	return w.s.SyncSections(ctx)
}

// Jobs returns pairhome's job kinds (fx group "jobs").
func (s *Service) Jobs() []queue.Job {
	return []queue.Job{
		queue.NewJob(Name, "creates or repairs a pair's private room", &roomWorker{s: s}),
		queue.NewJob(Name, "makes an archived pair's room read-only or deletes it", &archiveWorker{s: s}),
		queue.NewJob(Name, "repairs deleted rooms and archives pairs whose member left", &reconcileWorker{s: s}),
		queue.NewJob(Name, "re-renders Pair Home panels when a section's module is switched", &sectionsWorker{s: s}),
	}
}

// Schedules are pairhome's periodic jobs (fx group "schedules").
var Schedules = []queue.Schedule{
	{Name: "pairhome.reconcile", Module: Name, Spec: "@every 10m", Args: ReconcileArgs{},
		Description: "repair deleted rooms, archive pairs whose member left, finish pending archives"},
	{Name: "pairhome.sections", Module: Name, Spec: "@every 1m", Args: SectionsArgs{},
		Description: "re-render Pair Home panels after a section's module was turned on or off"},
}
