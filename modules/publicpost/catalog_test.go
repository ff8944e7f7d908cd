package publicpost

import (
	"testing"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/i18n/i18ntest"
)

// TestCatalog: post states are looked up by a computed key.
func TestCatalog(t *testing.T) {
	t.Parallel()
	var states []string
	for _, s := range AllStatuses {
		states = append(states, "publicpost.state."+string(s))
	}
	i18ntest.RequireModule(t, i18ntest.Module{Catalog: Catalog, MinKeys: 20, Computed: states})
}

func TestCommandDefinition(t *testing.T) {
	t.Parallel()
	texts, err := i18n.NewBundle(nil, Catalog)
	if err != nil {
		t.Fatal(err)
	}
	def := postDefinition(texts)
	if def.Name != "post" || len(def.Options) != 3 || def.Description == "" || def.DescriptionLocalizations["ru"] == "" {
		t.Fatalf("definition %+v", def)
	}
}
