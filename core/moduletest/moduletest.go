// Package moduletest builds what a module's tests share: a logger that is
// quiet unless asked, a schema migrated with the core's and the module's
// tables, an emulated guild to act in (guild.go) and the module's queue
// workers (runner.go). Import it from test files only; end-to-end tests
// boot the whole bot with core/apptest instead.
package moduletest

import (
	"io/fs"
	"log/slog"
	"os"
	"testing"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/db/migrate"
	coremigrations "github.com/together-bot/together/migrations"
)

// Logger discards everything unless the environment variable envVar is set
// (e.g. DUEL_TEST_LOG=1), then it writes debug text to stderr.
func Logger(envVar string) *slog.Logger {
	if os.Getenv(envVar) != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// Migrations are the sources a module's database needs: the core's, then
// the module's own.
func Migrations(module string, migrations fs.FS) []migrate.Source {
	return []migrate.Source{{Module: "core", FS: coremigrations.FS}, {Module: module, FS: migrations}}
}

// DB is a fresh schema with Migrations(module, migrations) applied.
func DB(t testing.TB, module string, migrations fs.FS) *db.DB {
	t.Helper()
	return dbtest.New(t, Migrations(module, migrations)...)
}
