package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/rivertype"

	"github.com/together-bot/together/core/db"
)

// DepthRow is one line of `app queue status`.
type DepthRow struct {
	Kind      string
	Queue     string
	State     string
	Count     int
	OldestAge time.Duration
}

// Depth counts jobs per kind and state, with the age of the oldest, skipping
// the finished states operators do not act on unless asked.
func Depth(ctx context.Context, d *db.DB, includeFinished bool) ([]DepthRow, error) {
	q := `SELECT kind, queue, state::text, count(*), EXTRACT(EPOCH FROM now() - min(created_at))
		FROM river_job`
	if !includeFinished {
		q += ` WHERE state NOT IN ('completed', 'cancelled')`
	}
	q += ` GROUP BY kind, queue, state ORDER BY kind, queue, state`
	// pgx hands a failed Query's error to CollectRows through the rows.
	rows, _ := d.Pool.Query(ctx, q)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (DepthRow, error) {
		var r DepthRow
		var age float64
		err := row.Scan(&r.Kind, &r.Queue, &r.State, &r.Count, &age)
		r.OldestAge = time.Duration(age * float64(time.Second)).Round(time.Second)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("queue depth: %w", err)
	}
	return out, nil
}

// RetryableStates are the states `app jobs retry` may move back to available.
var RetryableStates = []rivertype.JobState{rivertype.JobStateDiscarded, rivertype.JobStateRetryable, rivertype.JobStateCancelled}

// Retry makes every job of a kind in the given states available now and
// returns how many it moved.
func (q *Queue) Retry(ctx context.Context, kind string, states []rivertype.JobState) (int, error) {
	names := make([]string, len(states))
	for i, s := range states {
		names[i] = string(s)
	}
	rows, _ := q.db.Pool.Query(ctx, `SELECT id FROM river_job WHERE kind = $1 AND state::text = ANY($2) ORDER BY id`, kind, names)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("find jobs to retry: %w", err)
	}
	for i, id := range ids {
		if _, err := q.River.JobRetry(ctx, id); err != nil {
			return i, fmt.Errorf("retry job %d: %w", id, err)
		}
	}
	return len(ids), nil
}
