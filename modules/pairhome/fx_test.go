package pairhome_test

import (
	"log/slog"
	"testing"

	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/runtime"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/pairhome"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// TestFxGraph checks pairhome's wiring against the real runtime (no
// cycles, nothing missing) without starting anything.
func TestFxGraph(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(config.FromMap(map[string]string{
		"DATABASE_URL":    "postgres://nobody@127.0.0.1:1/none",
		"DISCORD_TOKEN":   discordsim.DefaultToken(discordsim.DefaultAppID),
		"DISCORD_APP_ID":  discordsim.DefaultAppID,
		"DISCORD_API_URL": "http://127.0.0.1:1/api/v10",
	}))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := module.NewCatalog(pairhome.Descriptor)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := cat.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := runtime.Options(runtime.Params{Config: cfg, Selection: sel, Logger: slog.New(slog.DiscardHandler),
		Extra: []fx.Option{fx.Invoke(func(pairhomeapi.Pairs) {})}})
	if err := fx.ValidateApp(opts); err != nil {
		t.Fatal(err)
	}
}
