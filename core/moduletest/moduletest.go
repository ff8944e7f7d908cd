// Package moduletest builds what a module's tests share: a logger that is
// quiet unless asked, a schema migrated with the core's and the module's
// tables, and an emulated guild to act in. Import it from _test.go files
// only; end-to-end tests boot the whole bot with core/apptest instead.
package moduletest

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/disgoorg/disgo/rest"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/db/migrate"
	"github.com/together-bot/together/core/discord/restlimit"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/discordsim/simtest"
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

// DB is a fresh schema with the core's migrations and the module's own.
func DB(t testing.TB, module string, migrations fs.FS) *db.DB {
	t.Helper()
	return dbtest.New(t, migrate.Source{Module: "core", FS: coremigrations.FS}, migrate.Source{Module: module, FS: migrations})
}

// Guild is one guild in an emulator started for the test; cleanup fails the
// test for any request the bot sent that Discord would refuse.
type Guild struct {
	T   testing.TB
	Sim *discordsim.Server
	ID  uint64
}

// NewGuild starts an emulator with opts and creates a guild called name.
func NewGuild(t testing.TB, opts discordsim.Options, name string) *Guild {
	t.Helper()
	sim := simtest.New(t, opts)
	g, err := sim.CreateGuild(name)
	if err != nil {
		t.Fatal(err)
	}
	return &Guild{T: t, Sim: sim, ID: ID(t, g)}
}

// Channel creates a channel in the guild.
func (g *Guild) Channel(spec discordsim.ChannelSpec) uint64 {
	g.T.Helper()
	id, err := g.Sim.CreateChannel(g.str(), spec)
	if err != nil {
		g.T.Fatal(err)
	}
	return ID(g.T, id)
}

// Member adds a member to the guild.
func (g *Guild) Member(spec discordsim.MemberSpec) uint64 {
	g.T.Helper()
	id, err := g.Sim.AddMember(g.str(), spec)
	if err != nil {
		g.T.Fatal(err)
	}
	return ID(g.T, id)
}

// Role creates a role with the given permission bits.
func (g *Guild) Role(name string, permissions uint64) uint64 {
	g.T.Helper()
	id, err := g.Sim.CreateRole(g.str(), name, permissions)
	if err != nil {
		g.T.Fatal(err)
	}
	return ID(g.T, id)
}

// Rest is a REST client for the emulator with the project's rate limiter
// (opts after the logger), as one bot process has.
func (g *Guild) Rest(log *slog.Logger, opts ...restlimit.Option) rest.Rest {
	opts = append([]restlimit.Option{restlimit.WithLogger(log)}, opts...)
	return rest.New(rest.NewClient(g.Sim.Token(), rest.WithURL(g.Sim.APIURL()),
		rest.WithRateLimiter(restlimit.New(opts...)), rest.WithLogger(log)))
}

func (g *Guild) str() string { return strconv.FormatUint(g.ID, 10) }

// ID parses a snowflake the emulator returned, failing the test if it is not one.
func ID(t testing.TB, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("bad id %q: %v", s, err)
	}
	return v
}

// Runner builds a queue runner for opts, its jobs checked as the runtime
// checks them (a kind must be named after its module and registered once).
// The test starts it; StartRunner also does that.
func Runner(t testing.TB, opts queue.Options) *queue.Runner {
	t.Helper()
	reg, err := queue.NewRegistry(opts.Jobs)
	if err != nil {
		t.Fatal(err)
	}
	opts.Jobs = reg.All()
	r, err := queue.NewRunner(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// StartRunner is Runner, started, and stopped (gracefully, within 20 s) at
// cleanup: a bot process's workers without its gateway.
func StartRunner(t testing.TB, opts queue.Options) *queue.Runner {
	t.Helper()
	r := Runner(t, opts)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	return r
}
