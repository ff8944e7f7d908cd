package duel

import (
	"strings"
	"testing"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/i18n/i18ntest"
	"github.com/together-bot/together/core/module/modcore"
)

func TestCatalogComplete(t *testing.T) {
	t.Parallel()
	i18ntest.RequireComplete(t, catalog)
}

// TestEveryKeyUsedExists: a typo cannot ship a raw key to users.
func TestEveryKeyUsedExists(t *testing.T) {
	t.Parallel()
	i18ntest.RequireKeysUsedExist(t, ".", catalog, 40, boardKind)
}

func TestCommandDefinitionIsValid(t *testing.T) {
	t.Parallel()
	b, err := i18n.NewBundle(quiet, catalog)
	must(t, err)
	cmd := newHandlers(&Service{Core: modcore.Core{Bundle: b}}).command()
	if !cmd.Staff || cmd.Definition.Name != "duel" || len(cmd.Definition.Options) != 5 {
		t.Fatalf("command = %+v", cmd.Definition)
	}
	for _, loc := range []string{i18n.EN, i18n.RU} {
		for k, text := range catalog.Messages[loc] {
			if !strings.HasPrefix(k, "duel.cmd.") {
				continue
			}
			if n := len([]rune(text)); n > 100 {
				t.Errorf("%s %s: description is %d characters (Discord allows 100)", loc, k, n)
			}
		}
	}
}
