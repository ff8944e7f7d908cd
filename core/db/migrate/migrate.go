// Package migrate applies forward-only SQL migrations per module, River's own
// migrations included, under a Postgres advisory lock so that several processes
// starting at once migrate exactly once.
package migrate

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"sort"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// lockKey is an arbitrary constant shared by every process of this application.
const lockKey = 0x746f676574686572 // "together"

// Source is one module's migrations: files named NNN_description.sql at the FS root.
type Source struct {
	Module string
	FS     fs.FS
}

// Step is one migration file.
type Step struct {
	Module  string
	Version int
	Name    string
	SQL     string
}

// Applied reports what a run did.
type Applied struct {
	Module  string
	Version int
	Name    string
}

var fileName = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.sql$`)

// Steps reads and orders a source's files, rejecting duplicates and bad names.
func Steps(src Source) ([]Step, error) {
	if src.FS == nil {
		return nil, nil
	}
	entries, err := fs.ReadDir(src.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("module %s: read migrations: %w", src.Module, err)
	}
	var steps []Step
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("module %s: migration %q must be named NNN_description.sql", src.Module, e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("module %s: migrations %q and %q share version %d", src.Module, prev, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(src.FS, path.Clean(e.Name()))
		if err != nil {
			return nil, fmt.Errorf("module %s: read %s: %w", src.Module, e.Name(), err)
		}
		steps = append(steps, Step{Module: src.Module, Version: v, Name: m[2], SQL: string(body)})
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].Version < steps[j].Version })
	return steps, nil
}

// Migrator applies River's migrations, then each source in the given order.
type Migrator struct {
	pool    *pgxpool.Pool
	sources []Source
	log     *slog.Logger
}

// New builds a migrator. Sources must be in dependency order (core first).
func New(pool *pgxpool.Pool, log *slog.Logger, sources ...Source) *Migrator {
	return &Migrator{pool: pool, sources: sources, log: log}
}

const ledgerDDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
	module     text        NOT NULL,
	version    integer     NOT NULL,
	name       text        NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (module, version)
)`

// Up applies everything pending. Each step runs in its own transaction together
// with its ledger row; the advisory lock serialises concurrent migrators.
func (m *Migrator) Up(ctx context.Context) ([]Applied, error) {
	conn, err := m.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: connect: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(lockKey)); err != nil {
		return nil, fmt.Errorf("migrate: take advisory lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(lockKey))
	}()

	var applied []Applied
	riverSteps, err := m.migrateRiver(ctx)
	if err != nil {
		return nil, err
	}
	applied = append(applied, riverSteps...)

	if _, err := conn.Exec(ctx, ledgerDDL); err != nil {
		return nil, fmt.Errorf("migrate: create ledger: %w", err)
	}
	done, err := ledger(ctx, conn.Conn())
	if err != nil {
		return nil, err
	}
	steps, err := m.steps()
	if err != nil {
		return nil, err
	}
	for _, s := range steps {
		if done[key(s.Module, s.Version)] {
			continue
		}
		if err := pgx.BeginFunc(ctx, conn.Conn(), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, s.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (module, version, name) VALUES ($1, $2, $3)`,
				s.Module, s.Version, s.Name)
			return err
		}); err != nil {
			return applied, fmt.Errorf("migrate %s %03d_%s: %w", s.Module, s.Version, s.Name, err)
		}
		m.log.Info("migration applied", "module", s.Module, "version", s.Version, "name", s.Name)
		applied = append(applied, Applied{Module: s.Module, Version: s.Version, Name: s.Name})
	}
	return applied, nil
}

// steps are every source's steps, in the order they apply.
func (m *Migrator) steps() ([]Step, error) {
	var all []Step
	for _, src := range m.sources {
		steps, err := Steps(src)
		if err != nil {
			return nil, err
		}
		all = append(all, steps...)
	}
	return all, nil
}

func (m *Migrator) migrateRiver(ctx context.Context) ([]Applied, error) {
	rm, err := rivermigrate.New(riverpgxv5.New(m.pool), &rivermigrate.Config{Logger: m.log})
	if err != nil {
		return nil, fmt.Errorf("migrate river: %w", err)
	}
	// River's own steps cannot share one transaction (a new enum value is used by a
	// later step), so each runs in its own; the caller's advisory lock still
	// serialises concurrent migrators.
	res, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("migrate river: %w", err)
	}
	var applied []Applied
	for _, v := range res.Versions {
		applied = append(applied, Applied{Module: "river", Version: v.Version, Name: v.Name})
	}
	return applied, nil
}

// Pending lists steps not yet applied, River's included; empty means current.
func (m *Migrator) Pending(ctx context.Context) ([]Applied, error) {
	var pending []Applied
	rm, err := rivermigrate.New(riverpgxv5.New(m.pool), &rivermigrate.Config{Logger: m.log})
	if err != nil {
		return nil, err
	}
	res, err := rm.Validate(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("validate river migrations: %w", err)
	}
	if !res.OK {
		for _, msg := range res.Messages {
			pending = append(pending, Applied{Module: "river", Name: msg})
		}
	}
	conn, err := m.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, err
	}
	done := map[string]bool{}
	if exists {
		if done, err = ledger(ctx, conn.Conn()); err != nil {
			return nil, err
		}
	}
	steps, err := m.steps()
	if err != nil {
		return nil, err
	}
	for _, s := range steps {
		if !done[key(s.Module, s.Version)] {
			pending = append(pending, Applied{Module: s.Module, Version: s.Version, Name: s.Name})
		}
	}
	return pending, nil
}

func ledger(ctx context.Context, conn *pgx.Conn) (map[string]bool, error) {
	// pgx hands a failed Query's error to ForEachRow through the rows.
	rows, _ := conn.Query(ctx, `SELECT module, version FROM schema_migrations`)
	done := map[string]bool{}
	var mod string
	var v int
	if _, err := pgx.ForEachRow(rows, []any{&mod, &v}, func() error {
		done[key(mod, v)] = true
		return nil
	}); err != nil {
		return nil, fmt.Errorf("migrate: read ledger: %w", err)
	}
	return done, nil
}

func key(module string, version int) string { return module + "/" + strconv.Itoa(version) }
