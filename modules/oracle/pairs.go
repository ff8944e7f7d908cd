package oracle

import (
	"context"
	"fmt"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// sectionOrder places oracle's block on the Pair Home panel.
const sectionOrder = 40

// newSection is oracle's Pair Home section (pairhomeapi.Sections):
// whether each partner has claimed guidance in the week the guild's
// dashboard shows, with a "Get guidance" button for that week. It reads
// only oracle's tables, through pairhome's snapshot.
func newSection(texts *i18n.Bundle) pairhomeapi.Section {
	sec := &section{texts: texts}
	return pairhomeapi.Section{Module: Name, Order: sectionOrder, Render: sec.render}
}

type section struct {
	texts *i18n.Bundle
	st    store
}

func (s *section) render(ctx context.Context, idb bun.IDB, pair pairhomeapi.Pair, locale string) (pairhomeapi.SectionView, error) {
	text, week, err := s.text(ctx, idb, pair.GuildID, pair.Members[:], locale)
	if err != nil || text == "" {
		return pairhomeapi.SectionView{}, err
	}
	button := discord.NewPrimaryButton(s.texts.T(locale, "oracle.button.get"), customid.MustNew(Name, actOpen, week.String()))
	return pairhomeapi.SectionView{Text: text, Buttons: []discord.ButtonComponent{button}}, nil
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
