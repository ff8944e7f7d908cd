package oracle

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/modules/pairhome"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// PairhomeModule is the module oracle integrates with when it is deployed.
const PairhomeModule = pairhome.Name

// Pair is what oracle needs to know about a member's pair.
type Pair struct {
	ID            int64
	RoomChannelID uint64 // 0 while the room is pending or missing
	Members       []uint64
}

// Pairs is the part of pairhome's read service oracle uses. Without
// pairhome in the deployment it is nil, and the "Pair ritual" button and
// the pair-room copy are simply not offered.
type Pairs interface {
	// PairOf finds the member's active pair; ok=false when none.
	PairOf(ctx context.Context, guildID, userID uint64) (p Pair, ok bool, err error)
	// RequestPanel refreshes the pair's panel when tx commits.
	RequestPanel(ctx context.Context, tx bun.Tx, pairID int64) error
}

// PairsFrom adapts pairhome's service; nil stays nil (not deployed).
func PairsFrom(s *pairhome.Service) Pairs {
	if s == nil {
		return nil
	}
	return pairhomePairs{s: s}
}

type pairhomePairs struct{ s *pairhome.Service }

func (p pairhomePairs) PairOf(ctx context.Context, guildID, userID uint64) (Pair, bool, error) {
	ref, err := p.s.PairOf(ctx, nil, guildID, userID)
	if errors.Is(err, pairhome.ErrNotFound) {
		return Pair{}, false, nil
	}
	if err != nil {
		return Pair{}, false, err
	}
	return Pair{ID: ref.ID, RoomChannelID: ref.ChannelID, Members: ref.Members[:]}, true, nil
}

func (p pairhomePairs) RequestPanel(ctx context.Context, tx bun.Tx, pairID int64) error {
	return p.s.RequestPanel(ctx, tx, pairID)
}

// SectionOrder places oracle's block on the Pair Home panel.
const SectionOrder = 40

// NewSection is oracle's Pair Home section (pairhomeapi.Sections):
// whether each partner has claimed guidance in the week the guild's
// dashboard shows, with a "Get guidance" button for that week. It reads
// only oracle's tables through pairhome's snapshot, and depends on no
// service, so pairhome (which needs every section) and oracle's service
// (which uses pairhome) do not form a cycle.
func NewSection() (pairhomeapi.Section, error) {
	texts, err := i18n.NewBundle(nil, Catalog)
	if err != nil {
		return pairhomeapi.Section{}, err
	}
	sec := &section{texts: texts}
	return pairhomeapi.Section{Module: Name, Order: SectionOrder, Render: sec.render}, nil
}

type section struct {
	texts *i18n.Bundle
	st    store
}

func (s *section) render(ctx context.Context, idb bun.IDB, pair pairhomeapi.Pair, locale string) (pairhome.SectionView, error) {
	text, week, err := s.text(ctx, idb, pair.GuildID, pair.Members[:], locale)
	if err != nil || text == "" {
		return pairhome.SectionView{}, err
	}
	button := discord.NewPrimaryButton(s.texts.T(locale, "oracle.button.get"), customid.MustNew(Name, actOpen, week.String()))
	return pairhome.SectionView{Text: text, Buttons: []discord.ButtonComponent{button}}, nil
}

// text is the section's markdown; "" when the guild has no dashboard yet.
func (s *section) text(ctx context.Context, idb bun.IDB, guildID uint64, partners []uint64, locale string) (string, Week, error) {
	d, ok, err := s.st.dashboard(ctx, idb, guildID)
	if err != nil || !ok {
		return "", Week{}, err
	}
	claimed, err := s.st.claimedAmong(ctx, idb, guildID, d.Week, partners)
	if err != nil {
		return "", Week{}, err
	}
	var b strings.Builder
	b.WriteString(s.texts.T(locale, "oracle.section.title", "week", d.Week.String()))
	for _, u := range partners {
		key := "oracle.section.not_yet"
		if claimed[u] {
			key = "oracle.section.claimed"
		}
		b.WriteString("\n")
		b.WriteString(s.texts.T(locale, key, "user", fmt.Sprintf("<@%d>", u)))
	}
	return b.String(), d.Week, nil
}
