package moduletest

import (
	"log/slog"
	"testing"

	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
)

// Contributed builds d's fx graph and returns what d contributes to point.
// The module gets its own modcore.Core as in core/runtime; the core
// services behind it (database, REST client, logger, guild settings, job
// queue, projections) are nil stubs: building the graph runs the module's
// constructors, which must not call a core service yet. The texts are an
// empty bundle (a key reads as itself), so command definitions can be built.
// extra adds options, e.g. fx.Populate to check the module's service was
// built.
func Contributed[T any](t testing.TB, d module.Descriptor, point module.Point[T], extra ...fx.Option) []T {
	t.Helper()
	var got module.Contributions[T]
	app := fx.New(
		fx.NopLogger,
		fx.Provide(
			func() *db.DB { return nil },
			func() rest.Rest { return nil },
			func() *slog.Logger { return slog.New(slog.DiscardHandler) },
			func() *guild.Service { return nil },
			func() *queue.Queue { return nil },
			func() (*i18n.Bundle, error) { return i18n.NewBundle(slog.New(slog.DiscardHandler)) },
			func() *projection.Service { return nil },
		),
		modcore.Options(d), // as core/runtime adds a module: with its own Core
		fx.Options(extra...),
		module.Collect(point),
		fx.Populate(&got),
	)
	if err := app.Err(); err != nil {
		t.Fatalf("module %s: %v", d.Name, err)
	}
	return got.Items
}
