package duel

import (
	"context"
	"errors"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// sectionOrder places the duel block in Pair Home.
const sectionOrder = 20

// pairSection is duel's part of the Pair Home panel.
func (s *Service) pairSection() pairhomeapi.Section {
	return pairhomeapi.Section{Module: Name, Order: sectionOrder, Render: s.renderSection}
}

// renderSection shows the pair's view of the current round: its phase and
// deadline, whether the pair has answered (with the answer button while
// answers are open), and the pair's points so far. It reads only through
// idb (the panel's snapshot). No active duel: nothing is shown.
func (s *Service) renderSection(ctx context.Context, idb bun.IDB, pair pairhomeapi.Pair, locale string) (pairhomeapi.SectionView, error) {
	d, err := activeDuel(ctx, idb, pair.GuildID, noLock)
	if errors.Is(err, ErrNoDuel) {
		return pairhomeapi.SectionView{}, nil
	}
	if err != nil {
		return pairhomeapi.SectionView{}, err
	}
	var lines []string
	var v pairhomeapi.SectionView
	r, err := lastRound(ctx, idb, d.ID)
	switch {
	case errors.Is(err, ErrNoRound):
		lines = append(lines, s.t(locale, "duel.section.waiting", "title", d.Title))
	case err != nil:
		return pairhomeapi.SectionView{}, err
	default:
		lines = append(lines, s.phaseLine(locale, r))
		var answered, removed bool
		err := idb.QueryRowContext(ctx, `SELECT true, removed_at IS NOT NULL FROM duel_answers WHERE round_id = ? AND pair_id = ?`,
			r.ID, pair.ID).Scan(&answered, &removed)
		if err != nil && !db.IsNoRows(err) {
			return pairhomeapi.SectionView{}, err
		}
		switch {
		case removed:
			lines = append(lines, s.t(locale, "duel.section.removed"))
		case answered:
			lines = append(lines, s.t(locale, "duel.section.answered"))
		case r.Phase == phaseAnswering:
			lines = append(lines, s.t(locale, "duel.section.not_answered"))
		}
		if r.Phase == phaseAnswering && !removed {
			id, err := submitID(r.ID, pair.ID)
			if err != nil {
				return pairhomeapi.SectionView{}, err
			}
			v.Buttons = append(v.Buttons, discord.NewPrimaryButton(s.t(locale, "duel.button.submit"), id))
		}
		if r.Phase == phaseVoting {
			lines = append(lines, s.t(locale, "duel.section.vote", "channel", channelMention(d.ChannelID)))
		}
	}
	var points int
	if err := idb.QueryRowContext(ctx, `SELECT coalesce(sum(points), 0)::int FROM duel_scores WHERE duel_id = ? AND pair_id = ?`,
		d.ID, pair.ID).Scan(&points); err != nil {
		return pairhomeapi.SectionView{}, err
	}
	lines = append(lines, s.t(locale, "duel.section.points", "points", points))
	v.Text = s.t(locale, "duel.section.head") + "\n" + strings.Join(lines, "\n")
	return v, nil
}
