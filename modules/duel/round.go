package duel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// roundSpec is what staff chose in /duel round start.
type roundSpec struct {
	Prompt         string
	AnswerDuration time.Duration
	VoteMinutes    int
}

// validate cleans the prompt (usertext) and checks the durations.
func (r *roundSpec) validate() error {
	prompt, err := promptText.Clean(r.Prompt)
	if err != nil {
		return err
	}
	r.Prompt = prompt
	if r.AnswerDuration <= 0 || r.AnswerDuration > maxRoundMinutes*time.Minute {
		return badInput("duration_minutes", minRoundMinutes, maxRoundMinutes)
	}
	if r.VoteMinutes < 0 || r.VoteMinutes > maxVoteMinutes {
		return badInput("vote_minutes", 0, maxVoteMinutes)
	}
	return nil
}

// startResult reports a started round and its fan-out.
type startResult struct {
	Round round
	// Rooms is how many pair rooms get the prompt; NoRoom counts active
	// pairs whose room does not exist yet (they can still answer from Pair Home).
	Rooms, NoRoom int
}

// startRound opens the next round: the round row, one delivery (and one
// notify job) per active pair's room, and the durable close job at the
// answer deadline all commit together, so the round can never be left
// without its close (the original lost it when posting crashed).
func (s *Service) startRound(ctx context.Context, guildID, by uint64, spec roundSpec) (startResult, error) {
	if err := spec.validate(); err != nil {
		return startResult{}, err
	}
	var res startResult
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, err := activeDuel(ctx, tx, guildID, forUpdate)
		if err != nil {
			return err
		}
		if _, err := openRound(ctx, tx, d.ID, noLock); err == nil {
			return ErrRoundOpen
		} else if !errors.Is(err, ErrNoRound) {
			return err
		}
		r, err := scanRound(tx.QueryRowContext(ctx, `INSERT INTO duel_rounds
			(duel_id, guild_id, round_no, prompt, vote_minutes, started_by, answer_deadline)
			VALUES (?, ?, (SELECT coalesce(max(round_no), 0) + 1 FROM duel_rounds WHERE duel_id = ?), ?, ?, ?,
				now() + ?::interval)
			RETURNING `+roundCols,
			d.ID, int64(guildID), d.ID, spec.Prompt, spec.VoteMinutes, int64(by),
			fmt.Sprintf("%d milliseconds", spec.AnswerDuration.Milliseconds())))
		if err != nil {
			return err
		}
		res.Round = r
		pairs, err := s.pairs.ActivePairs(ctx, tx, guildID)
		if err != nil {
			return fmt.Errorf("duel: active pairs: %w", err)
		}
		if res.Rooms, res.NoRoom, err = s.fanOut(ctx, tx, r, pairs); err != nil {
			return err
		}
		if err := s.enqueueClose(ctx, tx, r, phaseAnswering, r.AnswerDeadline); err != nil {
			return err
		}
		ids := make([]int64, len(pairs))
		for i, p := range pairs {
			ids[i] = p.ID
		}
		if err := s.requestPanels(ctx, tx, ids); err != nil {
			return err
		}
		return s.requestBoard(ctx, tx, d.ID)
	})
	if db.IsUniqueViolation(err, "duel_rounds_one_open") {
		return startResult{}, ErrRoundOpen
	}
	if err != nil {
		return startResult{}, err
	}
	s.Logger.Info("round started", "guild_id", guildID, "duel_id", res.Round.DuelID, "round_id", res.Round.ID,
		"round_no", res.Round.No, "rooms", res.Rooms, "no_room", res.NoRoom, "by", by, "action", "duel.round.start")
	return res, nil
}

// fanOut records one delivery per pair and queues one notify job per room:
// a room that fails is retried on its own and never holds up the others.
func (s *Service) fanOut(ctx context.Context, tx bun.Tx, r round, pairs []pairhomeapi.Pair) (rooms, noRoom int, err error) {
	if len(pairs) == 0 {
		return 0, 0, nil
	}
	ids := make([]int64, len(pairs))
	chans := make([]int64, len(pairs))
	states := make([]string, len(pairs))
	params := make([]river.InsertManyParams, 0, len(pairs))
	for i, p := range pairs {
		ids[i], chans[i], states[i] = p.ID, int64(p.ChannelID), "pending"
		if p.ChannelID == 0 {
			states[i] = "no_room"
			noRoom++
			continue
		}
		rooms++
		params = append(params, river.InsertManyParams{Args: NotifyArgs{GuildID: r.GuildID, RoundID: r.ID, PairID: p.ID}})
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO duel_deliveries (round_id, pair_id, channel_id, status)
		SELECT ?, p, nullif(c, 0), st FROM unnest(?::bigint[], ?::bigint[], ?::text[]) AS t(p, c, st)`,
		r.ID, pgdialect.Array(ids), pgdialect.Array(chans), pgdialect.Array(states)); err != nil {
		return 0, 0, fmt.Errorf("duel: record deliveries: %w", err)
	}
	if len(params) > 0 {
		if _, err := s.Queue.InsertManyTx(ctx, tx, params); err != nil {
			return 0, 0, fmt.Errorf("duel: enqueue notices: %w", err)
		}
	}
	return rooms, noRoom, nil
}

func (s *Service) enqueueClose(ctx context.Context, tx bun.Tx, r round, phase roundPhase, at time.Time) error {
	if _, err := s.Queue.InsertTx(ctx, tx, CloseArgs{GuildID: r.GuildID, RoundID: r.ID, Phase: string(phase)},
		&river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("duel: enqueue close of round %d: %w", r.ID, err)
	}
	return nil
}

// cancelRound voids the open round: no points, answers and votes kept for
// the record only.
func (s *Service) cancelRound(ctx context.Context, guildID, by uint64) (round, error) {
	var r round
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if r, err = guildOpenRound(ctx, tx, guildID, forUpdate); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE duel_rounds SET phase = 'cancelled', ended_at = now()
			WHERE id = ? AND phase IN ('answering', 'voting')`, r.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoRound
		}
		r.Phase = phaseCancelled
		return s.afterPhaseChange(ctx, tx, r)
	})
	if err != nil {
		return round{}, err
	}
	s.Logger.Info("round cancelled", "guild_id", guildID, "round_id", r.ID, "by", by, "action", "duel.round.cancel")
	return r, nil
}

// afterPhaseChange refreshes everything that shows the round's phase.
func (s *Service) afterPhaseChange(ctx context.Context, tx bun.Tx, r round) error {
	ids, err := roundPairs(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	if err := s.requestPanels(ctx, tx, ids); err != nil {
		return err
	}
	return s.requestBoard(ctx, tx, r.DuelID)
}

// outcome is what one close job run did.
type outcome string

// Outcomes.
const (
	outcomeNoop    outcome = "noop"    // the phase had already moved on: a duplicate or late job
	outcomeEarly   outcome = "early"   // the deadline has not passed yet (snooze)
	outcomeVoting  outcome = "voting"  // answers closed, voting opened
	outcomeClosed  outcome = "closed"  // round closed and scored
	outcomeNoRound outcome = "noround" // the round does not exist
)

// advance ends the given phase of a round once its deadline has passed. It is
// what the close job runs; duplicates, redeliveries and runs after a restart
// are no-ops because every transition is an UPDATE guarded by the phase it
// leaves, under the round's row lock, with the points written in the same
// transaction. wait > 0 means "too early, come back then".
func (s *Service) advance(ctx context.Context, roundID int64, phase roundPhase) (out outcome, wait time.Duration, err error) {
	err = s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := loadRound(ctx, tx, roundID, forUpdate)
		if errors.Is(err, ErrNoRound) {
			out = outcomeNoRound
			return nil
		}
		if err != nil {
			return err
		}
		if r.Phase != phase {
			out = outcomeNoop
			return nil
		}
		var now time.Time
		if err := tx.QueryRowContext(ctx, `SELECT clock_timestamp()`).Scan(&now); err != nil {
			return err
		}
		if d := r.Deadline(); now.Before(d) {
			out, wait = outcomeEarly, d.Sub(now)
			return nil
		}
		out, err = s.endPhase(ctx, tx, r)
		return err
	})
	if err != nil {
		return "", 0, err
	}
	if out == outcomeVoting || out == outcomeClosed {
		s.Logger.Info("round advanced", "round_id", roundID, "from", phase, "outcome", out, "action", "duel.round.advance")
	}
	return out, wait, nil
}

// endPhase moves a round locked FOR UPDATE out of its current open phase:
// answering goes to voting when voting is on and there are enough answers,
// otherwise (and from voting) the round closes and is scored. The close job
// and staff's /duel round close-answers both end a phase through it.
func (s *Service) endPhase(ctx context.Context, tx bun.Tx, r round) (outcome, error) {
	if r.Phase == phaseAnswering && r.VoteMinutes > 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duel_answers WHERE round_id = ? AND removed_at IS NULL`,
			r.ID).Scan(&n); err != nil {
			return "", err
		}
		if n >= minVotingAnswers {
			return outcomeVoting, s.openVoting(ctx, tx, r)
		}
	}
	_, err := s.closeRound(ctx, tx, r)
	return outcomeClosed, err
}

// closeAnswers ends the open round's answer window now (staff, /duel round
// close-answers) instead of at its deadline. It takes the round's row lock
// as the close job does and moves the phase through endPhase, so the two
// race safely: whichever comes second finds the phase moved (the job does
// nothing; staff are told answers are already closed). The answer deadline
// becomes now, so answers and the Pair Home panel show when answers closed.
func (s *Service) closeAnswers(ctx context.Context, guildID, by uint64) (round, outcome, error) {
	var (
		r   round
		out outcome
	)
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if r, err = guildOpenRound(ctx, tx, guildID, forUpdate); err != nil {
			return err
		}
		if r.Phase != phaseAnswering {
			return ErrAnswersClosed.With("no", r.No)
		}
		if err := tx.QueryRowContext(ctx, `UPDATE duel_rounds SET answer_deadline = least(answer_deadline, now())
			WHERE id = ? AND phase = 'answering' RETURNING answer_deadline`, r.ID).Scan(&r.AnswerDeadline); err != nil {
			return fmt.Errorf("duel: close answers of round %d: %w", r.ID, err)
		}
		if out, err = s.endPhase(ctx, tx, r); err != nil {
			return err
		}
		r, err = loadRound(ctx, tx, r.ID, noLock)
		return err
	})
	if err != nil {
		return round{}, "", err
	}
	s.Logger.Info("answers closed by staff", "guild_id", guildID, "round_id", r.ID, "outcome", out, "by", by,
		"action", "duel.round.close_answers")
	return r, out, nil
}

// openVoting moves answering → voting, numbers the answers in a random
// order (so the ballot does not reveal who answered first) and queues the
// voting close.
func (s *Service) openVoting(ctx context.Context, tx bun.Tx, r round) error {
	var deadline sql.NullTime
	err := tx.QueryRowContext(ctx, `UPDATE duel_rounds SET phase = 'voting', vote_deadline = now() + vote_minutes * interval '1 minute'
		WHERE id = ? AND phase = 'answering' RETURNING vote_deadline`, r.ID).Scan(&deadline)
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("duel: open voting: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE duel_answers a SET label = o.n
		FROM (SELECT pair_id, row_number() OVER (ORDER BY random()) AS n FROM duel_answers
			WHERE round_id = ? AND removed_at IS NULL) o
		WHERE a.round_id = ? AND a.pair_id = o.pair_id`, r.ID, r.ID); err != nil {
		return fmt.Errorf("duel: number answers: %w", err)
	}
	r.Phase, r.VoteDeadline = phaseVoting, &deadline.Time
	if err := s.enqueueClose(ctx, tx, r, phaseVoting, deadline.Time); err != nil {
		return err
	}
	return s.afterPhaseChange(ctx, tx, r)
}

// closeRound closes an open round and applies its points in the same
// transaction: 1 per answer that was not removed, plus 1 per vote received;
// places break ties by the earlier answer. It reports false when the round
// was no longer open (nothing applied).
func (s *Service) closeRound(ctx context.Context, tx bun.Tx, r round) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE duel_rounds SET phase = 'closed', ended_at = now()
		WHERE id = ? AND phase IN ('answering', 'voting')`, r.ID)
	if err != nil {
		return false, fmt.Errorf("duel: close round: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	// ON CONFLICT: the primary key is a second line of defence; the phase
	// guard above already makes this run once per round.
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO duel_scores (round_id, pair_id, duel_id, guild_id, answer_points, vote_points, points, place, answered_at)
		SELECT a.round_id, a.pair_id, r.duel_id, r.guild_id, 1, coalesce(v.n, 0), 1 + coalesce(v.n, 0),
			row_number() OVER (ORDER BY 1 + coalesce(v.n, 0) DESC, a.answered_at, a.pair_id), a.answered_at
		FROM duel_answers a
		JOIN duel_rounds r ON r.id = a.round_id
		LEFT JOIN (SELECT target_pair_id, count(*)::int AS n FROM duel_votes WHERE round_id = ? GROUP BY target_pair_id) v
			ON v.target_pair_id = a.pair_id
		WHERE a.round_id = ? AND a.removed_at IS NULL
		ON CONFLICT (round_id, pair_id) DO NOTHING`, r.ID, r.ID); err != nil {
		return false, fmt.Errorf("duel: apply points: %w", err)
	}
	r.Phase = phaseClosed
	if err := s.requestHall(ctx, tx, r.GuildID); err != nil {
		return false, err
	}
	return true, s.afterPhaseChange(ctx, tx, r)
}
