package publicpost

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/queue"
)

// PublishArgs publishes one post promptly; inserted with the post.
// GuildID is top-level so the core gate skips the job while publicpost is
// off in the guild (the post then stays pending for the sweep).
type PublishArgs struct {
	GuildID uint64 `json:"guild_id,string"`
	PostID  int64  `json:"post_id"`
}

// Kind implements river.JobArgs.
func (PublishArgs) Kind() string { return "publicpost.publish" }

// SweepArgs publishes everything due; periodic and `app posts publish-now`.
type SweepArgs struct {
	Reason string `json:"reason,omitempty"`
}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "publicpost.sweep" }

// maxSnooze: a retry further away than this is left to the periodic sweep
// rather than parking a River job for it.
const maxSnooze = 5 * time.Minute

type publishWorker struct {
	river.WorkerDefaults[PublishArgs]
	pub *Publisher
}

func (w *publishWorker) Work(ctx context.Context, job *river.Job[PublishArgs]) error {
	res, ok, err := w.pub.PublishOne(ctx, job.Args.PostID)
	if err != nil {
		return err
	}
	// Not claimable (already sent, taken by the sweep, module off): the
	// sweep owns it from here.
	if ok && res.Outcome == Rescheduled {
		if d := time.Until(res.RetryAt); d < maxSnooze {
			return river.JobSnooze(max(d, 0))
		}
	}
	return nil
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	pub *Publisher
}

func (w *sweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	st, err := w.pub.Drain(ctx, w.pub.cfg.SweepBudget)
	if st.Sent+st.Failed+st.Rescheduled+st.Interrupted > 0 {
		w.pub.log.Info("publicpost sweep", "sent", st.Sent, "failed", st.Failed, "rescheduled", st.Rescheduled,
			"interrupted", st.Interrupted, "more", st.More, "reason", job.Args.Reason)
	}
	if err != nil {
		return err
	}
	if st.More {
		// Out of budget with posts still due: continue at once, without
		// spending an attempt.
		return river.JobSnooze(0)
	}
	return nil
}

// Timeout leaves the sweep room to finish its budget and record outcomes.
func (w *sweepWorker) Timeout(*river.Job[SweepArgs]) time.Duration {
	return w.pub.cfg.SweepBudget + w.pub.cfg.SendTimeout + 10*time.Second
}

// PublishJob publishes one post (queue.Jobs).
func PublishJob(pub *Publisher) queue.Job {
	return queue.NewJob(Name, "publishes one scheduled post when it falls due", river.Worker[PublishArgs](&publishWorker{pub: pub}))
}

// SweepJob publishes everything due (queue.Jobs).
func SweepJob(pub *Publisher) queue.Job {
	return queue.NewJob(Name, "publishes every due scheduled post (catch-up after outages)", river.Worker[SweepArgs](&sweepWorker{pub: pub}))
}

// SweepSchedule runs the sweep periodically (queue.Schedules).
func SweepSchedule(cfg Config) queue.Schedule {
	return queue.Schedule{Name: "publicpost.sweep", Module: Name, Spec: cfg.withDefaults().SweepEvery,
		Args: SweepArgs{Reason: "schedule"}, Description: "catch up on due scheduled posts"}
}
