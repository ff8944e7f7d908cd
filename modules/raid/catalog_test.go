package raid

import (
	"testing"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/i18n/i18ntest"
	"github.com/together-bot/together/core/module/modcore"
)

func TestCatalog(t *testing.T) {
	t.Parallel()
	i18ntest.RequireModule(t, i18ntest.Module{Catalog: catalog, MinKeys: 40,
		MaxRunes: map[string]int{"raid.cmd.": 100, "raid.button.": 70}})
}

func TestCommandDefinitionIsValid(t *testing.T) {
	t.Parallel()
	b, err := i18n.NewBundle(quiet, catalog)
	must(t, err)
	cmd := newHandlers(&service{Core: modcore.Core{Bundle: b}}).Command()
	if cmd.Staff || cmd.Definition.Name != "raid" || len(cmd.Definition.Options) != 3 {
		t.Fatalf("command = %+v", cmd.Definition)
	}
}
