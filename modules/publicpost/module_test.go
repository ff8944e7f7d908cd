package publicpost_test

import (
	"log/slog"
	"testing"

	"go.uber.org/fx"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/publicpost"
)

type contributions struct {
	fx.In
	Jobs      module.Contributions[queue.Job]
	Schedules module.Contributions[queue.Schedule]
	Commands  module.Contributions[interaction.Command]
	Catalogs  module.Contributions[i18n.Catalog]
	Service   *publicpost.Service
}

// TestDescriptorGraph builds the module's fx graph with the core's values
// stubbed and checks every contribution arrives.
func TestDescriptorGraph(t *testing.T) {
	t.Parallel()
	var got contributions
	app := fx.New(
		fx.NopLogger,
		fx.Supply(modcore.Core{Logger: slog.New(slog.DiscardHandler)}),
		publicpost.Descriptor.Options,
		module.Collect(queue.Jobs), module.Collect(queue.Schedules), module.Collect(interaction.Commands), module.Collect(i18n.Catalogs),
		module.Collect(interaction.StatusSections),
		fx.Invoke(func(in contributions) { got = in }),
	)
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got.Jobs.Items) != 2 || len(got.Schedules.Items) != 1 || len(got.Commands.Items) != 1 || len(got.Catalogs.Items) != 1 || got.Service == nil {
		t.Fatalf("contributions: %d jobs, %d schedules, %d commands, %d catalogs, service %v",
			len(got.Jobs.Items), len(got.Schedules.Items), len(got.Commands.Items), len(got.Catalogs.Items), got.Service)
	}
	if publicpost.Descriptor.Name != "publicpost" || publicpost.Descriptor.Migrations == nil {
		t.Fatalf("descriptor %+v", publicpost.Descriptor)
	}
	if c := got.Commands.Items[0]; !c.Staff || c.Definition.Name != "post" {
		t.Fatalf("command %+v", c)
	}
}
