package raid

import (
	"context"
	"errors"

	"github.com/disgoorg/disgo/discord"
	"github.com/uptrace/bun"
)

// SectionView is what the Pair Home section shows for one pair (module.go
// converts it to pairhome's type).
type SectionView struct {
	Text    string
	Buttons []discord.ButtonComponent
}

// sectionOrder places the raid block in Pair Home (after duel's 20).
const sectionOrder = 30

// RenderSection shows the pair's points today against the daily cap, its
// raid total, and the quests button. It reads only through idb (the
// panel's snapshot). No open raid: nothing is shown.
func (s *Service) RenderSection(ctx context.Context, idb bun.IDB, pair Pair, locale string) (SectionView, error) {
	r, err := activeRaid(ctx, idb, pair.GuildID)
	if errors.Is(err, ErrNoRaid) {
		return SectionView{}, nil
	}
	if err != nil {
		return SectionView{}, err
	}
	now := s.now()
	if !r.Open(now) {
		return SectionView{}, nil
	}
	today, week, err := pairPoints(ctx, idb, r.ID, pair.ID, r.Today(now))
	if err != nil {
		return SectionView{}, err
	}
	id, err := boardButtonID(actTake, r.ID)
	if err != nil {
		return SectionView{}, err
	}
	text := s.t(locale, "raid.section.head") + "\n" +
		s.t(locale, "raid.section.today", "points", today, "cap", r.DailyCap) + "\n" +
		s.t(locale, "raid.section.week", "points", week, "progress", r.Progress, "goal", r.Goal)
	return SectionView{Text: text, Buttons: []discord.ButtonComponent{
		discord.NewPrimaryButton(s.t(locale, "raid.button.quests"), id)}}, nil
}
