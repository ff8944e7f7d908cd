package moduletest

import (
	"log/slog"
	"testing"

	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/queue"
)

// Contributed builds d's fx graph and returns what d contributes to point.
// The core values a module may take (database, REST client, logger, guild
// settings, job queue) are nil stubs: building the graph runs the module's
// constructors, which must not call a core service yet. extra adds options,
// e.g. fx.Populate to check the module's service was built.
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
		),
		d.Options,
		fx.Options(extra...),
		module.Collect(point),
		fx.Populate(&got),
	)
	if err := app.Err(); err != nil {
		t.Fatalf("module %s: %v", d.Name, err)
	}
	return got.Items
}
