package pairhome

import (
	"sync"

	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Section and SectionView are pairhomeapi's; other modules name them there.
type (
	Section     = pairhomeapi.Section
	SectionView = pairhomeapi.SectionView
)

// maxSectionButtons is Discord's limit for one action row.
const maxSectionButtons = 5

// sectionSet is the contributed sections, filled once the container has built
// them. They are registered after pairhome's Service exists because a
// section may come from a module service that itself needs pairhome's.
type sectionSet struct {
	mu   sync.RWMutex
	list []Section
}

func newSectionSet(list []Section) *sectionSet { return &sectionSet{list: sortSections(list)} }

func (s *sectionSet) set(list []Section) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = sortSections(list)
}

func (s *sectionSet) all() []Section {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.list
}
