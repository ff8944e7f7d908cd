package i18ntest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/together-bot/together/core/i18n"
)

// RequireKeysUsedExist scans the module's Go sources in dir (tests and the
// module's own catalog file, any file named "catalog.go", left out) for string literals shaped like "<module>.<group>.<name>"
// and fails for each one the catalog lacks in a locale, so a typo cannot ship a
// raw key to users. Literals that name a log action ("action", "duel.round.start")
// and the values in notKeys (job kinds, dashboard kinds) are not texts. min
// guards the scan itself: finding fewer keys than that means it is broken.
func RequireKeysUsedExist(t testing.TB, dir string, c i18n.Catalog, min int, notKeys ...string) {
	t.Helper()
	b, err := i18n.NewBundle(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`"(` + regexp.QuoteMeta(c.Module) + `\.[a-z_]+\.[a-z_.]+)"`)
	skip := map[string]bool{}
	for _, k := range notKeys {
		skip[k] = true
	}
	var keys []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || filepath.Base(f) == "catalog.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatchIndex(string(src), -1) {
			k := string(src[m[2]:m[3]])
			if skip[k] || strings.HasSuffix(string(src[:m[0]]), `"action", `) {
				continue
			}
			keys = append(keys, k)
		}
	}
	if len(keys) < min {
		t.Fatalf("found only %d %s keys in %s; is the scan broken?", len(keys), c.Module, dir)
	}
	RequireKeys(t, b, keys...)
}
