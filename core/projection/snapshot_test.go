package projection

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/db/migrate"
	"github.com/together-bot/together/migrations"
)

// TestRendersCannotTakeThePool: renderers that read a second pooled
// connection beside their snapshot (as a guild settings cache miss does)
// all finish on a pool of two, however many run at once. Unbounded, two
// renders each hold one connection and wait for a third until the deadline.
func TestRendersCannotTakeThePool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	schema := dbtest.Schema(t)
	setup := dbtest.Open(t, schema)
	if _, err := migrate.New(setup.Pool, slog.New(slog.NewTextHandler(io.Discard, nil)),
		migrate.Source{Module: "core", FS: migrations.FS}).Up(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Pool.Exec(ctx, `INSERT INTO core_projections (kind, key, module) VALUES ('demo.board', 'a', 'demo')`); err != nil {
		t.Fatal(err)
	}
	small, err := db.Open(ctx, dbtest.URL(t), db.Options{SearchPath: schema, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(small.Close)
	s, err := New(Config{DB: small, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	r := Renderer{Kind: "demo.board", Module: "demo", Render: func(ctx context.Context, _ bun.IDB, _ string) (Rendered, error) {
		var one int
		// Not through the snapshot: a second connection from the pool.
		if err := small.Pool.QueryRow(ctx, `SELECT 1 FROM pg_sleep(0.01)`).Scan(&one); err != nil {
			return Rendered{}, err
		}
		return Rendered{Gone: true}, nil
	}}
	// The deadline only ends a deadlock; renders finish in milliseconds.
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			if _, _, err := s.snapshot(ctx, r, "a"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("render: %v", err)
	}
}
