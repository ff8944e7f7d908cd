package duel

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// submitResult reports an accepted answer.
type submitResult struct {
	Round round
	// Replaced is true when the pair had answered before: the new answer counts.
	Replaced bool
}

// submit records a pair's answer. Either member may answer and may replace
// the pair's answer until the deadline; the last one counts. The round row
// is read FOR SHARE, so an answer either commits before the close job's
// phase change (and counts) or sees the new phase (and is refused as late).
func (s *Service) submit(ctx context.Context, guildID uint64, roundID, pairID int64, userID uint64, text string) (submitResult, error) {
	text, err := answerText.Clean(text)
	if err != nil {
		return submitResult{}, err
	}
	var res submitResult
	err = s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.answerableRound(ctx, tx, guildID, roundID)
		if err != nil {
			return err
		}
		res.Round = r
		if err := s.checkMember(ctx, tx, guildID, pairID, userID); err != nil {
			return err
		}
		var removed bool
		err = tx.QueryRowContext(ctx, `SELECT removed_at IS NOT NULL FROM duel_answers WHERE round_id = ? AND pair_id = ?`,
			roundID, pairID).Scan(&removed)
		switch {
		case err == nil && removed:
			return ErrAnswerRemoved
		case err != nil && !db.IsNoRows(err):
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO duel_answers (round_id, pair_id, answer, answered_by)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (round_id, pair_id) DO UPDATE SET answer = EXCLUDED.answer, answered_by = EXCLUDED.answered_by,
				answered_at = now(), submissions = duel_answers.submissions + 1
			RETURNING xmax <> 0`, roundID, pairID, text, int64(userID)).Scan(&res.Replaced); err != nil {
			return fmt.Errorf("duel: save answer: %w", err)
		}
		if err := s.pairs.RequestPanel(ctx, tx, pairID); err != nil {
			return err
		}
		return s.requestBoard(ctx, tx, r.DuelID)
	})
	if err != nil {
		return submitResult{}, err
	}
	s.Logger.Info("answer saved", "guild_id", guildID, "round_id", roundID, "pair_id", pairID, "user_id", userID,
		"replaced", res.Replaced, "action", "duel.answer")
	return res, nil
}

// answerForm is the cheap check made before opening the answer form, so a
// member is told "too late" or "not your pair" before typing. It also
// returns the pair's current answer to prefill the form ("" when none).
func (s *Service) answerForm(ctx context.Context, guildID uint64, roundID, pairID int64, userID uint64) (round, string, error) {
	r, err := s.answerableRound(ctx, s.DB.Bun, guildID, roundID)
	if err != nil {
		return round{}, "", err
	}
	if err := s.checkMember(ctx, s.DB.Bun, guildID, pairID, userID); err != nil {
		return round{}, "", err
	}
	var current string
	err = s.DB.Bun.QueryRowContext(ctx, `SELECT answer FROM duel_answers WHERE round_id = ? AND pair_id = ?`,
		roundID, pairID).Scan(&current)
	if err != nil && !db.IsNoRows(err) {
		return round{}, "", fmt.Errorf("duel: current answer of pair %d: %w", pairID, err)
	}
	return r, current, nil
}

// answerableRound loads the round FOR SHARE inside a transaction (plain
// read otherwise) and refuses it unless it takes answers right now.
func (s *Service) answerableRound(ctx context.Context, idb bun.IDB, guildID uint64, roundID int64) (round, error) {
	lock := noLock
	if _, ok := idb.(bun.Tx); ok {
		lock = forShare
	}
	r, err := guildRound(ctx, idb, guildID, roundID, lock)
	if err != nil {
		return round{}, err
	}
	switch r.Phase {
	case phaseAnswering:
	case phaseCancelled:
		return round{}, ErrNotAnswering
	default:
		return round{}, late(r.AnswerDeadline)
	}
	// The close job runs up to a few seconds after the deadline; the
	// deadline itself is what counts, on the database clock.
	var past bool
	if err := idb.QueryRowContext(ctx, `SELECT clock_timestamp() > ?`, r.AnswerDeadline).Scan(&past); err != nil {
		return round{}, err
	}
	if past {
		return round{}, late(r.AnswerDeadline)
	}
	return r, nil
}

func (s *Service) checkMember(ctx context.Context, idb bun.IDB, guildID uint64, pairID int64, userID uint64) error {
	p, err := s.pairOf(ctx, idb, guildID, userID)
	if err != nil {
		return err
	}
	if p.ID != pairID {
		return pairhomeapi.ErrNotPairMember
	}
	return nil
}

// removeTarget names the answer a moderator removes: the pair of Member, or
// the ballot number Label (during voting).
type removeTarget struct {
	Member uint64
	Label  int
}

// removeAnswer hides an answer of the open round (moderation) before voting
// ends: it no longer scores, its votes are dropped (their voters may vote
// again), and the pair cannot submit again in this round.
func (s *Service) removeAnswer(ctx context.Context, guildID, by uint64, target removeTarget) (pairAnswer, error) {
	var out pairAnswer
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := guildOpenRound(ctx, tx, guildID, forShare)
		if err != nil {
			return err
		}
		q := `UPDATE duel_answers SET removed_at = now(), removed_by = ? WHERE round_id = ? AND removed_at IS NULL`
		args := []any{int64(by), r.ID}
		switch {
		case target.Label > 0:
			q += ` AND label = ?`
			args = append(args, target.Label)
		case target.Member != 0:
			p, err := s.pairOf(ctx, tx, guildID, target.Member)
			if err != nil {
				return err
			}
			q += ` AND pair_id = ?`
			args = append(args, p.ID)
		default:
			return ErrNoSuchAnswer
		}
		var by int64
		err = tx.QueryRowContext(ctx, q+` RETURNING round_id, pair_id, answer, answered_by, coalesce(label, 0)`, args...).
			Scan(&out.RoundID, &out.PairID, &out.Text, &by, &out.Label)
		if db.IsNoRows(err) {
			return ErrNoSuchAnswer
		}
		if err != nil {
			return err
		}
		out.AnsweredBy, out.Removed = uint64(by), true
		if _, err := tx.ExecContext(ctx, `DELETE FROM duel_votes WHERE round_id = ? AND target_pair_id = ?`, r.ID, out.PairID); err != nil {
			return err
		}
		if err := s.pairs.RequestPanel(ctx, tx, out.PairID); err != nil {
			return err
		}
		return s.requestBoard(ctx, tx, r.DuelID)
	})
	if err != nil {
		return pairAnswer{}, err
	}
	s.Logger.Info("answer removed", "guild_id", guildID, "round_id", out.RoundID, "pair_id", out.PairID, "by", by,
		"action", "duel.answer.remove")
	return out, nil
}

// voteOutcome is what a vote did, decided by the database in one statement.
type voteOutcome int

const (
	voteRecorded  voteOutcome = iota // the member's first vote in this round
	voteChanged                      // the member had voted for another answer
	voteUnchanged                    // the member had already voted for this answer
)

func (o voteOutcome) String() string {
	switch o {
	case voteChanged:
		return "changed"
	case voteUnchanged:
		return "unchanged"
	}
	return "recorded"
}

// voteResult reports a vote.
type voteResult struct {
	Label   int
	Outcome voteOutcome
}

// vote records a member's vote for the answer numbered label. Voters are
// members of active pairs; each has one vote per round, never for their own
// pair, and may change it until voting closes.
func (s *Service) vote(ctx context.Context, guildID uint64, roundID int64, voterID uint64, label int) (voteResult, error) {
	res := voteResult{Label: label}
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := guildRound(ctx, tx, guildID, roundID, forShare)
		if err != nil {
			return err
		}
		switch r.Phase {
		case phaseVoting:
		case phaseClosed:
			if r.VoteDeadline != nil {
				return late(*r.VoteDeadline)
			}
			return ErrNotVoting
		default:
			return ErrNotVoting
		}
		var past bool
		if err := tx.QueryRowContext(ctx, `SELECT clock_timestamp() > ?`, *r.VoteDeadline).Scan(&past); err != nil {
			return err
		}
		if past {
			return late(*r.VoteDeadline)
		}
		voter, err := s.pairOf(ctx, tx, guildID, voterID)
		if err != nil {
			return err
		}
		var target int64
		var removed bool
		err = tx.QueryRowContext(ctx, `SELECT pair_id, removed_at IS NOT NULL FROM duel_answers WHERE round_id = ? AND label = ?`,
			roundID, label).Scan(&target, &removed)
		switch {
		case db.IsNoRows(err):
			return ErrNoSuchAnswer
		case err != nil:
			return err
		case removed:
			return ErrAnswerRemoved
		case target == voter.ID:
			return ErrOwnPair
		}
		// One statement decides the outcome: concurrent votes by one member
		// queue on the row, and each sees the vote the previous one left (a
		// read before the write let them all see "no vote yet"). A vote for
		// the answer already chosen updates nothing and returns no row;
		// xmax = 0 marks the inserted, first vote.
		var inserted bool
		err = tx.QueryRowContext(ctx, `INSERT INTO duel_votes (round_id, voter_id, voter_pair_id, target_pair_id)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (round_id, voter_id) DO UPDATE SET target_pair_id = EXCLUDED.target_pair_id,
				voter_pair_id = EXCLUDED.voter_pair_id, voted_at = now()
				WHERE duel_votes.target_pair_id <> EXCLUDED.target_pair_id
			RETURNING xmax = 0`,
			roundID, int64(voterID), voter.ID, target).Scan(&inserted)
		switch {
		case db.IsNoRows(err):
			res.Outcome = voteUnchanged
			return nil
		case err != nil:
			return fmt.Errorf("duel: save vote: %w", err)
		case inserted:
			res.Outcome = voteRecorded
		default:
			res.Outcome = voteChanged
		}
		return s.requestBoard(ctx, tx, r.DuelID)
	})
	if err != nil {
		return voteResult{}, err
	}
	s.Logger.Info("vote saved", "guild_id", guildID, "round_id", roundID, "user_id", voterID, "label", label,
		"outcome", res.Outcome.String(), "action", "duel.vote")
	return res, nil
}

// myVote returns the ballot number the member voted for (0: none).
func (s *Service) myVote(ctx context.Context, roundID int64, voterID uint64) (int, error) {
	var label int
	err := s.DB.Bun.QueryRowContext(ctx, `SELECT coalesce(a.label, 0) FROM duel_votes v
		JOIN duel_answers a ON a.round_id = v.round_id AND a.pair_id = v.target_pair_id
		WHERE v.round_id = ? AND v.voter_id = ?`, roundID, int64(voterID)).Scan(&label)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return label, err
}
