package oracle

import (
	"context"
	"errors"

	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/queue"
)

// PublishDueArgs is the periodic publish. It carries no guild_id on
// purpose: it serves every guild, and its one query over them
// (guild.Service.GuildsWithChannel) leaves out guilds where oracle is off.
type PublishDueArgs struct{}

// Kind implements river.JobArgs.
func (PublishDueArgs) Kind() string { return "oracle.publish_due" }

// PublishSchedule runs every 5 minutes (UTC cron). Each run publishes the
// new week for guilds whose local Monday 10:00 has passed and whose
// dashboard still shows an older week, so each guild is published within
// five minutes of its own local time, whatever its offset (including
// half-hour zones), and a run on a second replica changes nothing.
var PublishSchedule = queue.Schedule{
	Name:        "oracle.publish_due",
	Module:      Name,
	Spec:        "*/5 * * * *",
	Args:        PublishDueArgs{},
	Description: "publishes each guild's oracle dashboard at its local Monday 10:00",
}

// publishDueJob is the worker for PublishSchedule (queue.Jobs).
func publishDueJob(s *Service) queue.Job {
	return queue.NewJob(Name, "publishes oracle dashboards whose local Monday 10:00 has passed", &publishDueWorker{svc: s})
}

type publishDueWorker struct {
	river.WorkerDefaults[PublishDueArgs]
	svc *Service
}

func (w *publishDueWorker) Work(ctx context.Context, job *river.Job[PublishDueArgs]) error {
	n, err := w.svc.PublishDue(ctx)
	if n > 0 {
		w.svc.Logger.Info("weekly oracle published", "guilds", n, "action", "publish_due")
	}
	if errors.Is(err, queue.ErrPassUnfinished) {
		w.svc.Logger.Warn("weekly oracle publish continues in a new run", "error", err, "job_id", job.ID, "action", "publish_due")
		return queue.Continue(err)
	}
	var some GuildErrors
	if errors.As(err, &some) {
		// Guilds that failed are still due, so the next run (five minutes
		// away) retries exactly them; a River retry of the whole run would
		// only add load. Each failure was logged with its guild.
		return nil
	}
	return err
}
