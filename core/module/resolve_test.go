package module

import (
	"errors"
	"slices"
	"testing"
)

func catalog(t *testing.T, ds ...Descriptor) *Catalog {
	t.Helper()
	c, err := NewCatalog(ds...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sixModules(t *testing.T) *Catalog {
	return catalog(t,
		Descriptor{Name: "pairhome"},
		Descriptor{Name: "duel", Requires: []string{"pairhome"}},
		Descriptor{Name: "raid", Requires: []string{"pairhome"}},
		Descriptor{Name: "oracle"},
		Descriptor{Name: "hall"},
		Descriptor{Name: "publicpost"},
	)
}

func TestResolve(t *testing.T) {
	c := sixModules(t)
	cases := []struct {
		name      string
		requested []string
		want      []string
		summary   string
	}{
		{"all by default", nil, []string{"pairhome", "duel", "hall", "oracle", "publicpost", "raid"}, ""},
		{"requirements added", []string{"duel", "raid"}, []string{"pairhome", "duel", "raid"},
			"modules: duel, raid, pairhome (required by duel, raid)"},
		{"requirement already asked for", []string{"pairhome", "duel"}, []string{"pairhome", "duel"}, "modules: pairhome, duel"},
		{"leaf alone", []string{"oracle"}, []string{"oracle"}, "modules: oracle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := c.Resolve(tc.requested)
			if err != nil {
				t.Fatal(err)
			}
			if got := sel.Names(); !slices.Equal(got, tc.want) {
				t.Fatalf("order: got %v want %v", got, tc.want)
			}
			if tc.summary != "" {
				if got := sel.Summary(tc.requested); got != tc.summary {
					t.Fatalf("summary: got %q want %q", got, tc.summary)
				}
			}
		})
	}
}

func TestResolveUnknownListsValidNames(t *testing.T) {
	_, err := sixModules(t).Resolve([]string{"duel", "karaoke"})
	var ue *UnknownError
	if !errors.As(err, &ue) {
		t.Fatalf("want UnknownError, got %v", err)
	}
	if !slices.Equal(ue.Names, []string{"karaoke"}) || len(ue.Valid) != 6 {
		t.Fatalf("got %+v", ue)
	}
}

func TestCatalogRejectsCycles(t *testing.T) {
	_, err := NewCatalog(
		Descriptor{Name: "a", Requires: []string{"b"}},
		Descriptor{Name: "b", Requires: []string{"c"}},
		Descriptor{Name: "c", Requires: []string{"a"}},
	)
	var ce *CycleError
	if !errors.As(err, &ce) {
		t.Fatalf("want CycleError, got %v", err)
	}
	if ce.Error() != "module dependency cycle: a -> b -> c -> a" {
		t.Fatalf("got %q", ce.Error())
	}
}

func TestCatalogRejectsBadDescriptors(t *testing.T) {
	for name, ds := range map[string][]Descriptor{
		"duplicate":           {{Name: "a"}, {Name: "a"}},
		"unknown requirement": {{Name: "a", Requires: []string{"zzz"}}},
		"empty name":          {{Name: ""}},
		"separator in name":   {{Name: "a:b"}},
	} {
		if _, err := NewCatalog(ds...); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
}
