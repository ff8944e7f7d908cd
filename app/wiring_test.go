package main

import (
	"log/slog"
	"slices"
	"strings"
	"testing"

	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/runtime"
)

// TestEveryModuleSelectionWires builds the fx graph of every selection that
// --modules can produce from the catalog (each module alone, every
// combination, requirements added) without starting anything: a missing
// dependency, a contribution nobody can build or a point collected twice fails
// here, naming the modules, instead of at an operator's `app run`.
func TestEveryModuleSelectionWires(t *testing.T) {
	t.Parallel()
	cat, err := catalog()
	if err != nil {
		t.Fatal(err)
	}
	names := cat.Names()
	seen := map[string]bool{}
	for mask := 1; mask < 1<<len(names); mask++ {
		var requested []string
		for i, n := range names {
			if mask&(1<<i) != 0 {
				requested = append(requested, n)
			}
		}
		sel, err := cat.Resolve(requested)
		if err != nil {
			t.Fatalf("resolve %v: %v", requested, err)
		}
		resolved := sel.Names()
		slices.Sort(resolved)
		key := strings.Join(resolved, ",")
		if seen[key] {
			continue
		}
		seen[key] = true
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Load(config.FromMap(map[string]string{
				"DATABASE_URL": "postgres://unused@127.0.0.1:1/unused", "DISCORD_TOKEN": "",
			}))
			if err != nil {
				t.Fatal(err)
			}
			err = fx.ValidateApp(runtime.Options(runtime.Params{Config: cfg, Selection: sel,
				Logger: slog.New(slog.DiscardHandler), Version: "test", Extra: []fx.Option{fx.NopLogger}}))
			if err != nil {
				t.Fatalf("modules %s: %v", key, err)
			}
		})
	}
	// 6 modules: pairhome alone, hall/duel/raid each with pairhome, oracle and
	// publicpost with and without the rest, ... at least one per module.
	if len(seen) < len(names) {
		t.Fatalf("only %d distinct selections", len(seen))
	}
	t.Logf("%d distinct selections wire", len(seen))
}
