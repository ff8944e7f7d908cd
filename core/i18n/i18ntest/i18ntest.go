// Package i18ntest checks catalogs in tests.
package i18ntest

import (
	"testing"

	"github.com/together-bot/together/core/i18n"
)

// RequireComplete fails the test for every key missing or empty in a
// supported locale, or whose placeholders differ between locales, and when
// the catalogs cannot be merged (namespace or duplicate problems).
//
// Modules call it with their own catalog plus the core's:
//
//	i18ntest.RequireComplete(t, duel.Catalog, corecmd.Catalog)
func RequireComplete(t testing.TB, catalogs ...i18n.Catalog) {
	t.Helper()
	for _, p := range i18n.Check(catalogs...) {
		t.Error(p.String())
	}
	if _, err := i18n.NewBundle(nil, catalogs...); err != nil {
		t.Error(err)
	}
}

// RequireKeys fails for each key used by code that no catalog defines in
// every locale; pass the keys a package refers to.
func RequireKeys(t testing.TB, b *i18n.Bundle, keys ...string) {
	t.Helper()
	for _, k := range keys {
		for _, loc := range i18n.Locales {
			if !b.Has(loc, k) {
				t.Errorf("key %q missing in %s", k, loc)
			}
		}
	}
}
