package duel

import (
	"context"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
)

// SectionView is what the Pair Home section shows for one pair (fx.go
// converts it to pairhome's type).
type SectionView struct {
	Text    string
	Buttons []discord.ButtonComponent
}

// sectionOrder places the duel block in Pair Home.
const sectionOrder = 20

// RenderSection shows the pair's view of the current round: its phase and
// deadline, whether the pair has answered (with the answer button while
// answers are open), and the pair's points so far. It reads only through
// idb (the panel's snapshot). No active duel: nothing is shown.
func (s *Service) RenderSection(ctx context.Context, idb bun.IDB, pair Pair, locale string) (SectionView, error) {
	d, err := activeDuel(ctx, idb, pair.GuildID, noLock)
	if err == ErrNoDuel {
		return SectionView{}, nil
	}
	if err != nil {
		return SectionView{}, err
	}
	var lines []string
	var v SectionView
	r, err := lastRound(ctx, idb, d.ID)
	switch {
	case err == ErrNoRound:
		lines = append(lines, s.t(locale, "duel.section.waiting", "title", d.Title))
	case err != nil:
		return SectionView{}, err
	default:
		lines = append(lines, s.phaseLine(locale, r))
		var answered, removed bool
		err := idb.QueryRowContext(ctx, `SELECT true, removed_at IS NOT NULL FROM duel_answers WHERE round_id = ? AND pair_id = ?`,
			r.ID, pair.ID).Scan(&answered, &removed)
		if err != nil && !db.IsNoRows(err) {
			return SectionView{}, err
		}
		switch {
		case removed:
			lines = append(lines, s.t(locale, "duel.section.removed"))
		case answered:
			lines = append(lines, s.t(locale, "duel.section.answered"))
		case r.Phase == PhaseAnswering:
			lines = append(lines, s.t(locale, "duel.section.not_answered"))
		}
		if r.Phase == PhaseAnswering && !removed {
			id, err := submitID(r.ID, pair.ID)
			if err != nil {
				return SectionView{}, err
			}
			v.Buttons = append(v.Buttons, discord.NewPrimaryButton(s.t(locale, "duel.button.submit"), id))
		}
		if r.Phase == PhaseVoting {
			lines = append(lines, s.t(locale, "duel.section.vote", "channel", channelMention(d.ChannelID)))
		}
	}
	var points int
	if err := idb.QueryRowContext(ctx, `SELECT coalesce(sum(points), 0)::int FROM duel_scores WHERE duel_id = ? AND pair_id = ?`,
		d.ID, pair.ID).Scan(&points); err != nil {
		return SectionView{}, err
	}
	lines = append(lines, s.t(locale, "duel.section.points", "points", points))
	v.Text = s.t(locale, "duel.section.head") + "\n" + strings.Join(lines, "\n")
	return v, nil
}
