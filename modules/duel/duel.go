package duel

import (
	"context"
	"errors"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
)

// startDuel opens the guild's duel and asks for its scoreboard in channelID.
// A second active duel is refused by the partial unique index, so two staff
// members starting at once cannot both succeed.
func (s *Service) startDuel(ctx context.Context, guildID, channelID, by uint64, title string) (duel, error) {
	title, err := titleText.Clean(title)
	if err != nil {
		return duel{}, err
	}
	if title == "" {
		title = s.t(s.Guilds.Locale(ctx, guildID), "duel.board.default_title")
	}
	var out duel
	err = s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = scanDuel(tx.QueryRowContext(ctx, `INSERT INTO duel_duels (guild_id, channel_id, title, created_by)
			VALUES (?, ?, ?, ?) RETURNING `+duelCols, int64(guildID), int64(channelID), title, int64(by)))
		if err != nil {
			return err
		}
		return s.requestBoard(ctx, tx, out.ID)
	})
	if db.IsUniqueViolation(err, "duel_duels_one_active") {
		return duel{}, ErrDuelActive
	}
	if err != nil {
		return duel{}, err
	}
	s.Logger.Info("duel started", "guild_id", guildID, "duel_id", out.ID, "channel_id", channelID, "by", by, "action", "duel.start")
	return out, nil
}

// endResult reports what endDuel did.
type endResult struct {
	Duel duel
	// Scored is the round whose scoring endDuel finished, if one was open.
	Scored *round
}

// endDuel finishes an open round's scoring (with the answers and votes it
// has so far) and ends the duel, all in one transaction; the round's pending
// close job later finds the phase moved and does nothing.
func (s *Service) endDuel(ctx context.Context, guildID, by uint64) (endResult, error) {
	var res endResult
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, err := activeDuel(ctx, tx, guildID, forUpdate)
		if err != nil {
			return err
		}
		r, err := openRound(ctx, tx, d.ID, forUpdate)
		switch {
		case err == nil:
			if _, err := s.closeRound(ctx, tx, r); err != nil {
				return err
			}
			res.Scored = &r
		case !errors.Is(err, ErrNoRound):
			return err
		}
		if res.Duel, err = scanDuel(tx.QueryRowContext(ctx, `UPDATE duel_duels SET status = 'ended', ended_at = now(), ended_by = ?
			WHERE id = ? AND status = 'active' RETURNING `+duelCols, int64(by), d.ID)); err != nil {
			return err
		}
		return s.requestBoard(ctx, tx, d.ID)
	})
	if err != nil {
		return endResult{}, err
	}
	s.Logger.Info("duel ended", "guild_id", guildID, "duel_id", res.Duel.ID, "by", by, "action", "duel.end")
	return res, nil
}
