package raid

import (
	"context"
	"errors"

	"github.com/disgoorg/disgo/discord"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// sectionOrder places the raid block in Pair Home (after duel's 20).
const sectionOrder = 30

// renderSection shows the pair's points today against the daily cap, its
// raid total, and the quests button. It reads only through idb (the
// panel's snapshot). No open raid: nothing is shown.
func (s *service) renderSection(ctx context.Context, idb bun.IDB, pair pairhomeapi.Pair, locale string) (pairhomeapi.SectionView, error) {
	r, err := activeRaid(ctx, idb, pair.GuildID)
	if errors.Is(err, errNoRaid) {
		return pairhomeapi.SectionView{}, nil
	}
	if err != nil {
		return pairhomeapi.SectionView{}, err
	}
	now := s.now()
	if !r.Open(now) {
		return pairhomeapi.SectionView{}, nil
	}
	today, week, err := pairPoints(ctx, idb, r.ID, pair.ID, r.Today(now))
	if err != nil {
		return pairhomeapi.SectionView{}, err
	}
	id, err := boardButtonID(actTake, r.ID)
	if err != nil {
		return pairhomeapi.SectionView{}, err
	}
	text := s.t(locale, "raid.section.head") + "\n" +
		s.t(locale, "raid.section.today", "points", today, "cap", r.DailyCap) + "\n" +
		s.t(locale, "raid.section.week", "points", week, "progress", r.Progress, "goal", r.Goal)
	return pairhomeapi.SectionView{Text: text, Buttons: []discord.ButtonComponent{
		discord.NewPrimaryButton(s.t(locale, "raid.button.quests"), id)}}, nil
}
