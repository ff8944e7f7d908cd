package duel

import (
	"testing"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/i18n/i18ntest"
	"github.com/together-bot/together/core/module/modcore"
)

func TestCatalog(t *testing.T) {
	t.Parallel()
	i18ntest.RequireModule(t, i18ntest.Module{Catalog: catalog, MinKeys: 40, NotKeys: []string{boardKind},
		MaxRunes: map[string]int{"duel.cmd.": 100}})
}

func TestCommandDefinitionIsValid(t *testing.T) {
	t.Parallel()
	b, err := i18n.NewBundle(quiet, catalog)
	must(t, err)
	cmd := newHandlers(&Service{Core: modcore.Core{Bundle: b}}).command()
	if !cmd.Staff || cmd.Definition.Name != "duel" || len(cmd.Definition.Options) != 5 {
		t.Fatalf("command = %+v", cmd.Definition)
	}
}
