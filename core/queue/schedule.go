package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/robfig/cron/v3"

	"github.com/together-bot/together/core/db"
)

// Schedule is a periodic job a module contributes (point Schedules).
type Schedule struct {
	Name        string // stable id, e.g. "raid.weekly"
	Module      string
	Spec        string // 5-field cron in UTC, or "@every 1h"
	Args        river.JobArgs
	Description string
}

// ErrUnknownSchedule is returned for a name no process has registered.
var ErrUnknownSchedule = errors.New("unknown schedule")

// staleAfter: a schedule whose module no process has run for this long stops firing.
const staleAfter = 5 * time.Minute

func parseSpec(spec string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule spec %q: %w", spec, err)
	}
	return s, nil
}

// SyncSchedules records this binary's schedule definitions. The on/off switch
// and the next run time of existing rows are kept.
func SyncSchedules(ctx context.Context, d *db.DB, schedules []Schedule) error {
	now := time.Now().UTC()
	for _, s := range schedules {
		spec, err := parseSpec(s.Spec)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		args, err := json.Marshal(s.Args)
		if err != nil {
			return fmt.Errorf("%s: encode args: %w", s.Name, err)
		}
		_, err = d.Pool.Exec(ctx, `
			INSERT INTO core_schedules (name, module, kind, spec, args, next_run_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (name) DO UPDATE SET
				module = EXCLUDED.module, kind = EXCLUDED.kind, args = EXCLUDED.args, seen_at = now(),
				next_run_at = CASE WHEN core_schedules.spec = EXCLUDED.spec THEN core_schedules.next_run_at ELSE EXCLUDED.next_run_at END,
				spec = EXCLUDED.spec,
				updated_at = CASE WHEN core_schedules.spec = EXCLUDED.spec THEN core_schedules.updated_at ELSE now() END`,
			s.Name, s.Module, s.Args.Kind(), s.Spec, args, spec.Next(now))
		if err != nil {
			return fmt.Errorf("record schedule %s: %w", s.Name, err)
		}
	}
	return nil
}

// ScheduleState is one row of `app schedules list`.
type ScheduleState struct {
	Name      string
	Module    string
	Kind      string
	Spec      string
	Enabled   bool
	NextRunAt time.Time
	LastRunAt *time.Time
	SeenAt    time.Time
}

// Unserved reports that no live process has run the schedule's module for a
// while: it does not fire until one does.
func (s ScheduleState) Unserved() bool { return time.Since(s.SeenAt) > staleAfter }

// ListSchedules returns every recorded schedule, sorted by name.
func ListSchedules(ctx context.Context, d *db.DB) ([]ScheduleState, error) {
	// pgx hands a failed Query's error to CollectRows through the rows.
	rows, _ := d.Pool.Query(ctx, `SELECT name, module, kind, spec, enabled, next_run_at, last_run_at, seen_at
		FROM core_schedules ORDER BY name`)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ScheduleState])
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	return out, nil
}

// SetScheduleEnabled switches a schedule for every process.
func SetScheduleEnabled(ctx context.Context, d *db.DB, name string, enabled bool) error {
	tag, err := d.Pool.Exec(ctx, `UPDATE core_schedules SET enabled = $2, updated_at = now() WHERE name = $1`, name, enabled)
	if err != nil {
		return fmt.Errorf("update schedule %s: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w %q", ErrUnknownSchedule, name)
	}
	return nil
}

// TickArgs is the core's own periodic job.
type TickArgs struct{}

// Kind implements river.JobArgs.
func (TickArgs) Kind() string { return "core.schedule_tick" }

type tickWorker struct {
	river.WorkerDefaults[TickArgs]
	db  *db.DB
	log *slog.Logger
}

// Work enqueues every due, enabled, served schedule exactly once: the row lock
// and the next_run_at update commit together with the job insert.
func (w *tickWorker) Work(ctx context.Context, job *river.Job[TickArgs]) error {
	client := river.ClientFromContext[*sqlTx](ctx)
	tx, err := w.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, `
		SELECT name, module, kind, spec, args FROM core_schedules
		WHERE enabled AND next_run_at <= now() AND seen_at > now() - $1::interval
		ORDER BY name FOR UPDATE SKIP LOCKED`, fmt.Sprintf("%d seconds", int(staleAfter.Seconds())))
	if err != nil {
		return fmt.Errorf("select due schedules: %w", err)
	}
	type due struct {
		name, module, kind, spec string
		args                     []byte
	}
	var dues []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.name, &d.module, &d.kind, &d.spec, &d.args); err != nil {
			rows.Close()
			return err
		}
		dues = append(dues, d)
	}
	rows.Close()
	now := time.Now().UTC()
	for _, d := range dues {
		spec, err := parseSpec(d.spec)
		if err != nil {
			w.log.Error("schedule has a bad spec; skipping", "schedule", d.name, "error", err)
			continue
		}
		if _, err := client.InsertTx(ctx, tx, RawArgs(d.kind, d.args), &river.InsertOpts{Queue: d.module}); err != nil {
			return fmt.Errorf("enqueue %s: %w", d.name, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE core_schedules SET next_run_at = $2, last_run_at = now() WHERE name = $1`,
			d.name, spec.Next(now)); err != nil {
			return err
		}
		w.log.Debug("schedule fired", "schedule", d.name, "module", d.module, "kind", d.kind, "action", "schedule")
	}
	return tx.Commit()
}
