// Package dbtest gives each test its own Postgres schema, migrated and dropped
// afterwards, on the server named by DATABASE_URL (`make test` starts one).
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/migrate"
	"github.com/together-bot/together/migrations"
)

var (
	adminOnce sync.Once
	admin     *pgxpool.Pool
	adminErr  error
)

// URL returns DATABASE_URL or fails the test with the way to get one.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which starts a local Postgres")
	}
	return u
}

func adminPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := URL(t)
	adminOnce.Do(func() {
		admin, adminErr = pgxpool.New(context.Background(), url)
	})
	if adminErr != nil {
		t.Fatalf("connect to DATABASE_URL: %v", adminErr)
	}
	return admin
}

// Schema creates an empty schema and returns its name; it is dropped at cleanup.
func Schema(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	pool := adminPool(t)
	if _, err := pool.Exec(context.Background(), "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE")
	})
	return name
}

// Open connects to a schema without migrating it.
func Open(t testing.TB, schema string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), URL(t), db.Options{SearchPath: schema, MaxConns: 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// New returns a database in a fresh schema with River's, the core's and the
// given sources' migrations applied, in that order. The core's need not be
// given; a source named "core" among sources is the same one and is skipped.
func New(t testing.TB, sources ...migrate.Source) *db.DB {
	t.Helper()
	d := Open(t, Schema(t))
	all := []migrate.Source{{Module: "core", FS: migrations.FS}}
	for _, s := range sources {
		if s.Module != "core" {
			all = append(all, s)
		}
	}
	m := migrate.New(d.Pool, slog.New(slog.NewTextHandler(io.Discard, nil)), all...)
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}
