package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/together-bot/together/core/ctxtime"
)

// Crash recovery. River's own rescuer hands a job back only after
// RescueStuckJobsAfter, which must exceed the longest job; a kill -9 in the
// middle of a 1-second job would strand it for minutes. Instead every process
// heartbeats a row in core_processes under its River client id, and every
// process sweeps, every orphanSweepEvery, the running jobs whose last
// attempt belongs to a process not seen for processDeadAfter: they become
// available again at once (or discarded once their attempts are used up,
// as River's rescuer does). A job is therefore retried within
// processDeadAfter + orphanSweepEvery + one fetch of the crash, whatever its
// length. River's rescuer stays as the backstop for a live process's hung job.
const (
	heartbeatEvery   = 5 * time.Second
	processDeadAfter = 20 * time.Second
	orphanSweepEvery = 5 * time.Second
	// forgetProcessesAfter drops rows of processes long dead.
	forgetProcessesAfter = 24 * time.Hour
)

// newProcessID names this process for River (attempted_by) and core_processes.
func newProcessID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// register records this process as alive.
func (q *Runner) register(ctx context.Context) error {
	host, _ := os.Hostname()
	if _, err := q.db.Pool.Exec(ctx, `INSERT INTO core_processes (id, host, pid) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET seen_at = now()`, q.id, host, os.Getpid()); err != nil {
		return fmt.Errorf("queue: register process: %w", err)
	}
	return nil
}

// unregister removes this process's row at a clean stop, after its jobs
// finished or were cancelled for retry.
func (q *Runner) unregister(ctx context.Context) {
	if _, err := q.db.Pool.Exec(ctx, `DELETE FROM core_processes WHERE id = $1`, q.id); err != nil {
		q.log.Warn("unregister process", "error", err)
	}
}

// heartbeatAndSweep keeps this process alive in core_processes and hands back
// the jobs of dead ones.
func (q *Runner) heartbeatAndSweep(ctx context.Context) {
	defer close(q.sweepDone)
	var beats sync.WaitGroup
	defer beats.Wait()
	beats.Go(func() {
		ctxtime.Every(ctx, heartbeatEvery, func(ctx context.Context) {
			if err := q.register(ctx); err != nil && ctx.Err() == nil {
				q.log.Warn("process heartbeat", "error", err)
			}
		})
	})
	ctxtime.Every(ctx, orphanSweepEvery, func(ctx context.Context) {
		if _, err := RescueOrphans(ctx, q.db.Pool, processDeadAfter); err != nil && ctx.Err() == nil {
			q.log.Warn("rescue jobs of dead processes", "error", err)
		}
	})
}

// Rescued is one job handed back by RescueOrphans.
type Rescued struct {
	ID      int64
	Kind    string
	Process string
	// Discarded: its attempts were used up, so it was not retried.
	Discarded bool
}

// Execer is what RescueOrphans needs of a pool or transaction.
type Execer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// RescueOrphans makes the running jobs of processes not seen for deadAfter
// available again now (or discards those whose attempts are used up),
// recording the crash in the job's errors like River's rescuer does. Rows of
// processes dead for a day are forgotten. Safe to run from every process at
// once: each job row is updated by one of them.
func RescueOrphans(ctx context.Context, pool Execer, deadAfter time.Duration) ([]Rescued, error) {
	rows, err := pool.Query(ctx, `
		WITH dead AS (
			SELECT id FROM core_processes WHERE seen_at < now() - make_interval(secs => $1)
		), orphans AS (
			SELECT j.id FROM river_job j
			WHERE j.state = 'running' AND j.attempted_by[array_upper(j.attempted_by, 1)] IN (SELECT id FROM dead)
			FOR UPDATE OF j SKIP LOCKED
		)
		UPDATE river_job j SET
			state = CASE WHEN j.attempt >= j.max_attempts THEN 'discarded'::river_job_state ELSE 'available'::river_job_state END,
			finalized_at = CASE WHEN j.attempt >= j.max_attempts THEN now() ELSE NULL END,
			scheduled_at = now(),
			errors = array_append(coalesce(j.errors, '{}'), jsonb_build_object(
				'at', now(), 'attempt', j.attempt, 'error', 'process ' || j.attempted_by[array_upper(j.attempted_by, 1)] ||
				' stopped while working this job (rescued by core/queue)', 'trace', ''))
		FROM orphans WHERE j.id = orphans.id
		RETURNING j.id, j.kind, j.attempted_by[array_upper(j.attempted_by, 1)], j.state = 'discarded'`, deadAfter.Seconds())
	if err != nil {
		return nil, fmt.Errorf("queue: rescue orphaned jobs: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Rescued])
	if err != nil {
		return nil, fmt.Errorf("queue: rescue orphaned jobs: %w", err)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM core_processes WHERE seen_at < now() - make_interval(secs => $1)
		AND NOT EXISTS (SELECT 1 FROM river_job j WHERE j.state = 'running' AND j.attempted_by[array_upper(j.attempted_by, 1)] = core_processes.id)`,
		forgetProcessesAfter.Seconds()); err != nil {
		return out, fmt.Errorf("queue: forget dead processes: %w", err)
	}
	return out, nil
}
