package interactionfx_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/discord/gateway"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/interaction/interactionfx"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/queue"
)

type sinks struct {
	fx.In
	Listeners module.Contributions[bot.EventListener]
	Jobs      module.Contributions[queue.Job]
	Schedules module.Contributions[queue.Schedule]
	Gate      queue.Gate
	Router    *interaction.Router
}

// The module builds from exactly what the runtime provides and starts/stops.
func TestModuleWiring(t *testing.T) {
	d := dbtest.New(t)
	cfg, err := config.Load(config.FromMap(map[string]string{"DEFAULT_LOCALE": "ru"}))
	if err != nil {
		t.Fatal(err)
	}
	var got sinks
	app := fx.New(
		fx.NopLogger,
		fx.Supply(d, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg, module.Selection{}),
		fx.Provide(func() rest.Rest { return rest.New(rest.NewClient("test")) }),
		interactionfx.Module,
		module.Collect(gateway.Listeners), module.Collect(queue.Jobs), module.Collect(queue.Schedules),
		fx.Invoke(func(s sinks) { got = s }),
	)
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := app.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got.Listeners.Items) != 1 || len(got.Jobs.Items) != 1 || got.Jobs.Items[0].Kind != "core.sweep" || len(got.Schedules.Items) != 1 || got.Gate == nil {
		t.Fatalf("contributions: %+v", got)
	}
	var names []string
	for _, def := range got.Router.Definitions() {
		names = append(names, def.(discord.SlashCommandCreate).Name)
	}
	if len(names) != 3 || names[0] != "admin" || names[1] != "config" || names[2] != "setup" {
		t.Fatalf("core commands = %v", names)
	}
}
