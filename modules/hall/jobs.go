package hall

import (
	"context"
	"errors"
	"log/slog"

	"github.com/disgoorg/snowflake/v2"
	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
)

// SyncArgs bring one guild's cards up to date (Service.Sync). guild_id lets
// the core gate skip the job while hall is off in the guild. It is encoded
// as a JSON string: River's stored args lose precision on numbers beyond
// 2^53 (a snowflake came back as ...385300 for ...385344).
type SyncArgs struct {
	GuildID uint64 `json:"guild_id,string" river:"unique"`
}

// Kind implements river.JobArgs.
func (SyncArgs) Kind() string { return "hall.sync" }

// Validate lets `app jobs send` refuse incomplete args.
func (a SyncArgs) Validate() error {
	if a.GuildID == 0 {
		return errors.New("guild_id is required")
	}
	return nil
}

// TickArgs run the periodic fan-out (Service.Tick).
type TickArgs struct{}

// Kind implements river.JobArgs.
func (TickArgs) Kind() string { return "hall.tick" }

// syncInsertOpts: one sync per guild queued or running at a time; a
// finished one lets the next tick queue again. Duplicates that get through
// anyway (an operator's `app jobs send`) are harmless: Sync is idempotent.
func syncInsertOpts() *river.InsertOpts {
	return &river.InsertOpts{UniqueOpts: queue.UniqueWhileActive()}
}

// jobs are the module's workers (queue.Jobs).
func (s *Service) jobs() []queue.Job {
	return []queue.Job{
		queue.NewJob(Name, "queues a card sync for every guild with a hall channel or a live card",
			river.WorkFunc(func(ctx context.Context, _ *river.Job[TickArgs]) error {
				_, err := s.Tick(ctx)
				return err
			})),
		queue.NewJob(Name, "starts, finalizes (once, at the guild's month end) and refreshes a guild's hall cards",
			river.WorkFunc(func(ctx context.Context, job *river.Job[SyncArgs]) error { return s.Sync(ctx, job.Args.GuildID) })),
	}
}

// tickSchedule is the tick (queue.Schedules). Month ends follow each
// guild's timezone, so the tick runs every minute and Sync decides.
var tickSchedule = queue.Schedule{Name: "hall.tick", Module: Name, Spec: "@every 1m", Args: TickArgs{},
	Description: "starts, finalizes and hourly refreshes the monthly hall cards"}

// Refresh backs `app hall refresh --guild=G`: it queues a sync of the guild
// (first card, due finalization) for whichever process serves the hall
// queue, and re-sends every hall card of the guild even if unchanged,
// recreating deleted ones (projection.Rebuild). It needs no running bot.
// It returns how many cards were queued for a re-send.
func Refresh(ctx context.Context, d *db.DB, guildID uint64) (int, error) {
	if guildID == 0 {
		return 0, errors.New("hall: refresh needs a guild id")
	}
	q, err := queue.NewQueue(d, slog.New(slog.DiscardHandler))
	if err != nil {
		return 0, err
	}
	if _, err := q.Insert(ctx, SyncArgs{GuildID: guildID}, syncInsertOpts()); err != nil {
		return 0, err
	}
	return projection.Rebuild(ctx, d, projection.Filter{Kind: CardKind, Guild: snowflake.ID(guildID)})
}
