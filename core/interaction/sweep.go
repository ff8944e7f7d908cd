package interaction

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/once"
	"github.com/together-bot/together/core/queue"
)

// SweepArgs is the hourly clean-up of expired once keys and cooldowns.
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "core.sweep" }

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	db  *db.DB
	log *slog.Logger
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	n1, err := once.Sweep(ctx, w.db.Bun)
	if err != nil {
		return err
	}
	n2, err := NewCooldowns(w.db).Sweep(ctx)
	if err != nil {
		return err
	}
	w.log.Info("swept expired keys", "once_keys", n1, "cooldowns", n2)
	return nil
}

// SweepJob is contributed to queue.Jobs.
func SweepJob(d *db.DB, log *slog.Logger) queue.Job {
	return queue.NewJob(queue.CoreQueue, "deletes expired once keys and old cooldowns", &sweepWorker{db: d, log: log})
}

// SweepSchedule runs the sweep hourly (queue.Schedules).
var SweepSchedule = queue.Schedule{
	Name: "core.sweep", Module: queue.CoreQueue, Spec: "@every 1h", Args: SweepArgs{},
	Description: "delete expired once keys and cooldowns",
}
