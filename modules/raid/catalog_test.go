package raid

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

// TestEveryKeyUsedExists scans the sources for "raid.…" keys so a typo
// cannot ship a raw key to users.
func TestEveryKeyUsedExists(t *testing.T) {
	t.Parallel()
	b, err := i18n.NewBundle(quiet, Catalog)
	must(t, err)
	files, err := filepath.Glob("*.go")
	must(t, err)
	key := regexp.MustCompile(`"(raid\.[a-z_]+\.[a-z_.]+)"`)
	var keys []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "catalog.go" {
			continue
		}
		src, err := os.ReadFile(f)
		must(t, err)
		for _, m := range key.FindAllStringSubmatchIndex(string(src), -1) {
			k := string(src[m[2]:m[3]])
			if strings.HasSuffix(string(src[:m[0]]), `"action", `) {
				continue // log lines name actions, not texts
			}
			keys = append(keys, k)
		}
	}
	if len(keys) < 40 {
		t.Fatalf("found only %d keys; is the scan broken?", len(keys))
	}
	i18ntest.RequireKeys(t, b, keys...)
}

func TestCommandDefinitionIsValid(t *testing.T) {
	t.Parallel()
	b, err := i18n.NewBundle(quiet, Catalog)
	must(t, err)
	cmd := NewHandlers(&Service{bundle: b}).Command()
	if cmd.Staff || cmd.Definition.Name != "raid" || len(cmd.Definition.Options) != 3 {
		t.Fatalf("command = %+v", cmd.Definition)
	}
	for _, loc := range []string{i18n.EN, i18n.RU} {
		for k, text := range Catalog.Messages[loc] {
			if strings.HasPrefix(k, "raid.cmd.") && len([]rune(text)) > 100 {
				t.Errorf("%s %s: description is %d characters (Discord allows 100)", loc, k, len([]rune(text)))
			}
			if strings.HasPrefix(k, "raid.button.") && len([]rune(text)) > 70 {
				t.Errorf("%s %s: button label too long", loc, k)
			}
		}
	}
}
