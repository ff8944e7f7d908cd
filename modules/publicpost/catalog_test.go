package publicpost

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/i18n/i18ntest"
)

func TestCatalogComplete(t *testing.T) {
	t.Parallel()
	i18ntest.RequireComplete(t, Catalog)
}

// TestKeysUsedExist scans the package's sources for "publicpost.…" keys and
// requires each in every locale (dynamic state keys are listed explicitly).
func TestKeysUsedExist(t *testing.T) {
	t.Parallel()
	b, err := i18n.NewBundle(nil, Catalog)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	key := regexp.MustCompile(`"(publicpost\.(?:cmd|reply|list|error|status)\.[a-z_.]+)"`)
	var keys []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "catalog.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(src), -1) {
			keys = append(keys, m[1])
		}
	}
	for _, s := range AllStatuses {
		keys = append(keys, "publicpost.state."+string(s))
	}
	if len(keys) < 20 {
		t.Fatalf("found only %d keys; the scan is broken", len(keys))
	}
	i18ntest.RequireKeys(t, b, keys...)
}

func TestCommandDefinition(t *testing.T) {
	t.Parallel()
	def := postDefinition()
	if def.Name != "post" || len(def.Options) != 3 || def.Description == "" || def.DescriptionLocalizations["ru"] == "" {
		t.Fatalf("definition %+v", def)
	}
}
