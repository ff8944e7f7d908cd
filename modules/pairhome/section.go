package pairhome

import (
	"context"
	"sync"

	"github.com/disgoorg/disgo/discord"
	"github.com/uptrace/bun"
)

// SectionGroup is the fx value group other modules contribute Sections to.
const SectionGroup = "pairhome_sections"

// Section is pairhome's extension point: a block of the Pair Home panel owned
// by another module (duel round state, raid points, oracle claim...).
// Contribute it with
//
//	fx.Annotate(newSection, fx.ResultTags(`group:"pairhome_sections"`))
//
// A section is shown only when its module is deployed (contributed) and on in
// the pair's guild; pairhome never imports the contributing module. When the
// contributing module changes state that its section shows, it calls
// (*Service).RequestPanel in the same transaction.
type Section struct {
	// Module is the contributing module's name; the guild gate is asked
	// about it before every render.
	Module string
	// Order sorts sections top to bottom (ties by Module).
	Order int
	// Render reads the section's state for one pair. db is the panel's
	// read-only REPEATABLE READ snapshot: read only, never write, never call
	// Discord. locale is "en" or "ru". Returning an empty SectionView hides
	// the section for this pair.
	Render func(ctx context.Context, db bun.IDB, pair PairRef, locale string) (SectionView, error)
}

// SectionView is what a section shows: markdown text and up to five buttons
// (their custom ids route to the contributing module's own handlers, so
// they keep working after restarts).
type SectionView struct {
	Text    string
	Buttons []discord.ButtonComponent
}

// Empty reports a view that shows nothing.
func (v SectionView) Empty() bool { return v.Text == "" && len(v.Buttons) == 0 }

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
