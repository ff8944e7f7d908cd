package migrate_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/db/migrate"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func sources() []migrate.Source {
	return []migrate.Source{
		{Module: "core", FS: fstest.MapFS{
			"001_things.sql":      {Data: []byte(`CREATE TABLE things (id bigint PRIMARY KEY)`)},
			"002_more_things.sql": {Data: []byte(`ALTER TABLE things ADD COLUMN name text`)},
		}},
		{Module: "duel", FS: fstest.MapFS{
			"001_duels.sql": {Data: []byte(`CREATE TABLE duels (id bigint PRIMARY KEY, thing bigint REFERENCES things)`)},
		}},
	}
}

func TestUpTwiceAppliesOnce(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, dbtest.Schema(t))
	m := migrate.New(d.Pool, quiet, sources()...)
	first, err := m.Up(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var mine int
	for _, a := range first {
		if a.Module != "river" {
			mine++
		}
	}
	if mine != 3 {
		t.Fatalf("first run applied %d project steps, want 3: %+v", mine, first)
	}
	second, err := m.Up(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(second) != 0 {
		t.Fatalf("second run applied %+v", second)
	}
	pending, err := m.Pending(context.Background())
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending after up: %v %+v", err, pending)
	}
}

func TestConcurrentMigratorsApplyEachStepOnce(t *testing.T) {
	t.Parallel()
	schema := dbtest.Schema(t)
	const procs = 4
	var wg sync.WaitGroup
	errs := make(chan error, procs)
	for range procs {
		// Separate pools stand in for separate processes.
		d := dbtest.Open(t, schema)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := migrate.New(d.Pool, quiet, sources()...).Up(context.Background())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	d := dbtest.Open(t, schema)
	var n int
	if err := d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("ledger has %d rows, want 3", n)
	}
}

func TestPendingListsNewSteps(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, dbtest.Schema(t))
	srcs := sources()
	if _, err := migrate.New(d.Pool, quiet, srcs[0]).Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	pending, err := migrate.New(d.Pool, quiet, srcs...).Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].Module != "duel" || pending[0].Version != 1 {
		t.Fatalf("pending = %+v", pending)
	}
}

func TestFailedStepRollsBackAndReports(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, dbtest.Schema(t))
	bad := migrate.Source{Module: "core", FS: fstest.MapFS{
		"001_ok.sql":  {Data: []byte(`CREATE TABLE ok (id int)`)},
		"002_bad.sql": {Data: []byte(`CREATE TABLE half (id int); SELECT nonsense_function()`)},
	}}
	_, err := migrate.New(d.Pool, quiet, bad).Up(context.Background())
	if err == nil {
		t.Fatal("want error")
	}
	var half bool
	_ = d.Pool.QueryRow(context.Background(), `SELECT to_regclass('half') IS NOT NULL`).Scan(&half)
	if half {
		t.Fatal("failed step left a table behind")
	}
}

func TestStepsRejectsBadNames(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no version":    {"things.sql": {}},
		"dup version":   {"001_a.sql": {}, "1_b.sql": {}},
		"wrong suffix":  {"001_a.up.sql": {}},
		"upper letters": {"001_Things.sql": {}},
	} {
		if _, err := migrate.Steps(migrate.Source{Module: "x", FS: fsys}); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
}
