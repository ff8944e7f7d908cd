package modcore_test

import (
	"bytes"
	"log/slog"
	"strings"
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

func TestReady(t *testing.T) {
	t.Parallel()
	full := modcore.Core{DB: &db.DB{}, Queue: &queue.Queue{}, Guilds: &guild.Service{}}
	for _, tc := range []struct {
		name    string
		core    modcore.Core
		need    modcore.Need
		wantErr []string
	}{
		{"all present", full, modcore.DB | modcore.Queue | modcore.Guilds, nil},
		{"nothing needed", modcore.Core{}, 0, nil},
		{"one missing", full, modcore.DB | modcore.Bundle, []string{"demo: Core.Bundle is nil"}},
		{"every missing one named", modcore.Core{}, modcore.Projections | modcore.Rest,
			[]string{"demo: Core.Projections is nil", "demo: Core.Rest is nil"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.core.Ready("demo", tc.need)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Ready: %v", err)
				}
				if got.Logger == nil {
					t.Fatal("Ready left the Logger nil")
				}
				return
			}
			if err == nil {
				t.Fatalf("Ready gave no error, want %q", tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestOptionsGivesEachModuleItsOwnLogger checks that two modules' Cores log
// with their own module names.
func TestOptionsGivesEachModuleItsOwnLogger(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&out, nil))
	logFrom := func(name string) module.Descriptor {
		return module.Descriptor{Name: name, Options: fx.Module(name, fx.Invoke(func(c modcore.Core) { c.Logger.Info("hi") }))}
	}
	app := fx.New(fx.NopLogger,
		fx.Supply(logger),
		fx.Provide(
			func() *db.DB { return nil }, func() *queue.Queue { return nil }, func() *guild.Service { return nil },
			func() *i18n.Bundle { return nil }, func() *projection.Service { return nil }, func() rest.Rest { return nil }),
		modcore.Options(logFrom("alpha")), modcore.Options(logFrom("beta")))
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"module=alpha", "module=beta"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("log %q lacks %s", out.String(), want)
		}
	}
	if modcore.Options(module.Descriptor{Name: "empty"}) != nil {
		t.Error("a module without options got some")
	}
}
