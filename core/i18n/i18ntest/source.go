package i18ntest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/together-bot/together/core/i18n"
)

// Module is what a module's catalog test checks; see RequireModule.
type Module struct {
	// Catalog is the module's own; With are catalogs it is used with (e.g.
	// interaction.Catalog), merged in for every check.
	Catalog i18n.Catalog
	With    []i18n.Catalog
	// Dir holds the module's Go sources ("." when empty).
	Dir string
	// MinKeys guards the scan: finding fewer keys than that means it is broken.
	MinKeys int
	// ShortKeys also takes "<module>.<name>" literals for keys (the default
	// is "<module>.<group>.<name>"); NotKeys then names the job kinds,
	// dashboard kinds and the like that share that shape.
	ShortKeys bool
	NotKeys   []string
	// Computed are keys the code builds at run time (state names, months),
	// which no scan can find.
	Computed []string
	// MaxRunes limits the texts of every key with a prefix, e.g. Discord's
	// 100 characters for "duel.cmd." (command and option descriptions).
	MaxRunes map[string]int
}

// RequireModule is a module's whole catalog test: the catalogs are complete
// (RequireComplete), every key the module's code uses (and every Computed
// key) exists in every locale, so a typo cannot ship a raw key to users, and
// no text is longer than its MaxRunes.
func RequireModule(t testing.TB, m Module) {
	t.Helper()
	all := append([]i18n.Catalog{m.Catalog}, m.With...)
	RequireComplete(t, all...)
	b, err := i18n.NewBundle(nil, all...)
	if err != nil {
		t.Fatal(err)
	}
	dir := m.Dir
	if dir == "" {
		dir = "."
	}
	keys := keysUsed(t, dir, m)
	if len(keys) < m.MinKeys {
		t.Fatalf("found only %d %s keys in %s; is the scan broken?", len(keys), m.Catalog.Module, dir)
	}
	RequireKeys(t, b, append(keys, m.Computed...)...)
	for prefix, limit := range m.MaxRunes {
		for _, loc := range i18n.Locales {
			for k, text := range m.Catalog.Messages[loc] {
				if n := len([]rune(text)); strings.HasPrefix(k, prefix) && n > limit {
					t.Errorf("%s %s: %d characters (Discord allows %d)", loc, k, n, limit)
				}
			}
		}
	}
}

// keysUsed scans the module's Go sources (tests and any file named
// "catalog.go" left out) for string literals shaped like its keys. Literals
// that name a log action ("action", "duel.round.start") and NotKeys are not
// texts.
func keysUsed(t testing.TB, dir string, m Module) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	shape := `\.[a-z_]+\.[a-z_.]+`
	if m.ShortKeys {
		shape = `(?:\.[a-z_]+)+`
	}
	key := regexp.MustCompile(`"(` + regexp.QuoteMeta(m.Catalog.Module) + shape + `)"`)
	skip := map[string]bool{}
	for _, k := range m.NotKeys {
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
		for _, loc := range key.FindAllStringSubmatchIndex(string(src), -1) {
			k := string(src[loc[2]:loc[3]])
			if skip[k] || strings.HasSuffix(string(src[:loc[0]]), `"action", `) {
				continue
			}
			keys = append(keys, k)
		}
	}
	return keys
}
