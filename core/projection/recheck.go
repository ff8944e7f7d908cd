package projection

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/queue"
)

// RecheckArgs is the periodic job that retries broken projections whose
// backoff has passed (recovering by themselves once an admin fixes the
// channel's permissions) and re-enqueues projections left behind, e.g. after
// their job was discarded or their module was switched back on in a guild.
type RecheckArgs struct{}

// Kind implements river.JobArgs.
func (RecheckArgs) Kind() string { return "projection.recheck" }

// RecheckJob returns the recheck worker (queue.Jobs).
func (s *Service) RecheckJob() queue.Job {
	return queue.NewJob(QueueName, "retries broken dashboards and ones left behind (core/projection)", &recheckWorker{s: s})
}

// Schedule returns the recheck schedule (queue.Schedules).
func (s *Service) Schedule() queue.Schedule {
	return queue.Schedule{Name: "projection.recheck", Module: QueueName, Spec: s.opts.RecheckEvery,
		Args: RecheckArgs{}, Description: "retry broken and stalled dashboards"}
}

type recheckWorker struct {
	river.WorkerDefaults[RecheckArgs]
	s *Service
}

func (w *recheckWorker) Work(ctx context.Context, _ *river.Job[RecheckArgs]) error {
	_, err := w.s.Recheck(ctx)
	return err
}

// Recheck enqueues refreshes for broken projections due for a retry and for
// projections behind for more than two minutes. Enqueueing is unique, so a
// projection whose refresh is queued or running is left alone.
func (s *Service) Recheck(ctx context.Context) (int, error) {
	tx, err := s.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("projection: recheck: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, `
		SELECT kind, key FROM core_projections
		WHERE (state = 'broken' AND (retry_at IS NULL OR retry_at <= now()))
		   OR (state <> 'broken' AND version > done_version AND updated_at < now() - interval '2 minutes')
		ORDER BY updated_at LIMIT 5000`)
	if err != nil {
		return 0, fmt.Errorf("projection: recheck: %w", err)
	}
	params, err := refreshParams(rows)
	if err != nil {
		return 0, err
	}
	if err := insertRefreshes(ctx, s.queue, tx, params); err != nil {
		return 0, err
	}
	return len(params), tx.Commit()
}
