package publicpost_test

import (
	"log/slog"
	"testing"

	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/publicpost"
)

type contributions struct {
	fx.In
	Jobs      []queue.Job           `group:"jobs"`
	Schedules []queue.Schedule      `group:"schedules"`
	Commands  []interaction.Command `group:"commands"`
	Catalogs  []i18n.Catalog        `group:"catalogs"`
	Service   *publicpost.Service
}

// TestDescriptorGraph builds the module's fx graph with the core's values
// stubbed and checks every contribution arrives.
func TestDescriptorGraph(t *testing.T) {
	t.Parallel()
	var got contributions
	app := fx.New(
		fx.NopLogger,
		fx.Provide(
			func() *db.DB { return nil },
			func() rest.Rest { return nil },
			func() *slog.Logger { return slog.New(slog.DiscardHandler) },
			func() *config.Config { return &config.Config{} },
			func() *queue.Queue { return nil },
		),
		publicpost.Descriptor.Options,
		fx.Invoke(func(in contributions) { got = in }),
	)
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got.Jobs) != 2 || len(got.Schedules) != 1 || len(got.Commands) != 1 || len(got.Catalogs) != 1 || got.Service == nil {
		t.Fatalf("contributions: %d jobs, %d schedules, %d commands, %d catalogs, service %v",
			len(got.Jobs), len(got.Schedules), len(got.Commands), len(got.Catalogs), got.Service)
	}
	if publicpost.Descriptor.Name != "publicpost" || publicpost.Descriptor.Migrations == nil {
		t.Fatalf("descriptor %+v", publicpost.Descriptor)
	}
	if c := got.Commands[0]; !c.Staff || c.Definition.Name != "post" {
		t.Fatalf("command %+v", c)
	}
}
