package hall

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/i18n/i18ntest"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/modules/hall/hallapi"
)

// TestCatalog: month names are looked up by a computed key.
func TestCatalog(t *testing.T) {
	t.Parallel()
	var months []string
	for i := 1; i <= 12; i++ {
		months = append(months, "hall.month."+Month{2026, time.Month(i)}.String()[5:])
	}
	i18ntest.RequireModule(t, i18ntest.Module{Catalog: Catalog, MinKeys: 20, Computed: months,
		MaxRunes: map[string]int{"hall.cmd.": 100, "hall.choice.": 100}})
}

func TestCommandDefinition(t *testing.T) {
	t.Parallel()
	b, err := i18n.NewBundle(quiet, Catalog, testCatalog)
	must(t, err)
	s := &Service{Core: modcore.Core{Bundle: b}, categories: []hallapi.Category{{Module: "quest", Key: "quest", NameKey: "quest.hall.category"}}}
	cmd := s.command()
	if cmd.Staff || !cmd.Ephemeral || cmd.Definition.Name != "hall" || len(cmd.Definition.Options) != 3 {
		t.Fatalf("command = %+v", cmd.Definition)
	}
	var names []string
	for _, o := range cmd.Definition.Options {
		names = append(names, o.OptionName())
	}
	raw := strings.Join(names, ",")
	if raw != "optin,optout,status" {
		t.Fatalf("subcommands %s", raw)
	}
}

func TestCategoriesAreValidatedAndOrdered(t *testing.T) {
	t.Parallel()
	pts := func(context.Context, bun.IDB, uint64, time.Time, time.Time) (map[int64]int, error) { return nil, nil }
	ok := func(key string, order int) hallapi.Category {
		return hallapi.Category{Module: "m" + key, Key: key, NameKey: "x.y", Order: order, Points: pts}
	}
	got, err := sortCategories([]hallapi.Category{ok("b", 5), ok("c", 1), ok("a", 5)})
	if err != nil || keysOf(got) != "c,a,b" {
		t.Fatalf("order %s (%v)", keysOf(got), err)
	}
	bad := []hallapi.Category{
		{Key: "x", NameKey: "x.y", Points: pts},                    // no module
		{Module: "m", Key: "Bad Key", NameKey: "x.y", Points: pts}, // key pattern
		{Module: "m", Key: "all", NameKey: "x.y", Points: pts},     // reserved
		{Module: "m", Key: "x", Points: pts},                       // no name
		{Module: "m", Key: "x", NameKey: "x.y"},                    // no points
	}
	for _, c := range bad {
		if _, err := sortCategories([]hallapi.Category{c}); !errors.Is(err, ErrBadCategory) {
			t.Errorf("%+v accepted (%v)", c, err)
		}
	}
	if _, err := sortCategories([]hallapi.Category{ok("a", 1), ok("a", 2)}); !errors.Is(err, ErrBadCategory) {
		t.Errorf("duplicate key accepted (%v)", err)
	}
}
