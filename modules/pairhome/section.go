package pairhome

import (
	"cmp"
	"slices"
	"sync"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// sectionSet is the contributed sections, filled once the container has built
// them. They are registered after pairhome's service exists because a
// section may come from a module service that itself needs pairhomeapi.Pairs.
type sectionSet struct {
	mu   sync.RWMutex
	list []pairhomeapi.Section
}

func newSectionSet(list []pairhomeapi.Section) *sectionSet {
	return &sectionSet{list: sortSections(list)}
}

func (s *sectionSet) set(list []pairhomeapi.Section) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = sortSections(list)
}

func (s *sectionSet) all() []pairhomeapi.Section {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.list
}

// enabledSections returns the sections whose module is on in the guild.
func enabledSections(st guild.Settings, all []pairhomeapi.Section) []pairhomeapi.Section {
	out := make([]pairhomeapi.Section, 0, len(all))
	for _, sec := range all {
		if st.ModuleOn(sec.Module) {
			out = append(out, sec)
		}
	}
	return out
}

// sortSections orders sections by Order, then by module name.
func sortSections(in []pairhomeapi.Section) []pairhomeapi.Section {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b pairhomeapi.Section) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.Module, b.Module))
	})
	return out
}
