// Package pairhomeapi is everything other modules may know about pairhome:
// the pairs and their rooms (Pairs), and the Pair Home panel's extension point
// (Sections). It holds no store or service code, so importing it never pulls
// pairhome's implementation into another module; pairhometest fakes Pairs.
package pairhomeapi

import (
	"context"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/refusal"
)

// Name is pairhome's module name, for Descriptor.Requires.
const Name = "pairhome"

// Refusals every module that works with pairs gives, with pairhome's texts;
// a handler returns them as they are.
var (
	// ErrNoPair: the member is in no active pair, or the pair id names none.
	ErrNoPair = refusal.New("pairhome.error.no_pair")
	// ErrNotPairMember: the member acts on a pair that is not theirs.
	ErrNotPairMember = refusal.New("pairhome.error.not_member")
)

// Pair is one pair as other modules see it.
type Pair struct {
	ID      int64
	GuildID uint64
	// Members ordered by id.
	Members [2]uint64
	// ChannelID is the pair's room; 0 while the room is pending or after it
	// was deleted.
	ChannelID uint64
	// Active is false once the pair was dissolved.
	Active    bool
	CreatedAt time.Time
}

// Has reports whether userID is one of the pair.
func (p Pair) Has(userID uint64) bool { return p.Members[0] == userID || p.Members[1] == userID }

// Partner returns the other member, or 0 when userID is not in the pair.
func (p Pair) Partner(userID uint64) uint64 {
	switch userID {
	case p.Members[0]:
		return p.Members[1]
	case p.Members[1]:
		return p.Members[0]
	}
	return 0
}

// Pairs reads pairs and asks for their panels to be redrawn. Every read takes
// the caller's bun.IDB, so it sees the caller's transaction (nil reads the
// database directly).
type Pairs interface {
	// ActivePairs lists the guild's active pairs, ordered by id.
	ActivePairs(ctx context.Context, idb bun.IDB, guildID uint64) ([]Pair, error)
	// PairOf returns the member's active pair in the guild, or ErrNoPair.
	PairOf(ctx context.Context, idb bun.IDB, guildID, userID uint64) (Pair, error)
	// Pair returns any pair by id, active or dissolved, or ErrNoPair.
	Pair(ctx context.Context, idb bun.IDB, pairID int64) (Pair, error)
	// RequestPanel redraws the pair's Pair Home panel once tx commits. Call
	// it in the transaction that changes what a Section shows.
	RequestPanel(ctx context.Context, tx bun.Tx, pairID int64) error
	// RequestPanels redraws every active pair's panel in the guild once tx
	// commits, for guild-wide changes such as a raid starting.
	RequestPanels(ctx context.Context, tx bun.Tx, guildID uint64) error
}

// Section is a block of the Pair Home panel owned by another module (duel
// round state, raid points, oracle claim, ...). It is shown only while its
// module is deployed and on in the pair's guild.
type Section struct {
	// Module is the contributing module's name; the guild gate is asked
	// about it before every render.
	Module string
	// Order sorts sections top to bottom (ties by Module).
	Order int
	// Render reads the section's state for one pair. db is the panel's
	// read-only REPEATABLE READ snapshot: read only, never write, never call
	// Discord. locale is the guild's. Returning an empty SectionView hides
	// the section for this pair.
	Render func(ctx context.Context, db bun.IDB, pair Pair, locale string) (SectionView, error)
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

// MaxSectionButtons is Discord's limit for one action row.
const MaxSectionButtons = 5

// Sections is the Pair Home panel's extension point:
//
//	module.Contribute(pairhomeapi.Sections, func(s *Service) []pairhomeapi.Section { ... })
var Sections = module.NewPoint[Section]("pairhome sections")
