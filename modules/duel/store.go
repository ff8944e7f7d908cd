package duel

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
)

// Row locks for loaders.
const (
	noLock    = ""
	forShare  = " FOR SHARE"
	forUpdate = " FOR UPDATE"
)

const duelCols = `id, guild_id, channel_id, title, status, created_at, ended_at`

func scanDuel(sc db.Scanner) (duel, error) {
	var d duel
	var g, c int64
	err := sc.Scan(&d.ID, &g, &c, &d.Title, &d.Status, &d.CreatedAt, &d.EndedAt)
	d.GuildID, d.ChannelID = uint64(g), uint64(c)
	return d, err
}

// activeDuel returns the guild's active duel or ErrNoDuel.
func activeDuel(ctx context.Context, idb bun.IDB, guildID uint64, lock string) (duel, error) {
	return db.QueryRow(ctx, idb, scanDuel, ErrNoDuel, "duel: load active duel", `SELECT `+duelCols+` FROM duel_duels
		WHERE guild_id = ? AND status = 'active'`+lock, int64(guildID))
}

func loadDuel(ctx context.Context, idb bun.IDB, id int64, lock string) (duel, error) {
	return db.QueryRow(ctx, idb, scanDuel, ErrNoDuel, fmt.Sprintf("duel: load duel %d", id),
		`SELECT `+duelCols+` FROM duel_duels WHERE id = ?`+lock, id)
}

const roundCols = `id, duel_id, guild_id, round_no, prompt, phase, vote_minutes, started_at,
	answer_deadline, vote_deadline, ended_at`

func scanRound(sc db.Scanner) (round, error) {
	var r round
	var g int64
	var ph string
	err := sc.Scan(&r.ID, &r.DuelID, &g, &r.No, &r.Prompt, &ph, &r.VoteMinutes, &r.StartedAt,
		&r.AnswerDeadline, &r.VoteDeadline, &r.EndedAt)
	r.GuildID, r.Phase = uint64(g), roundPhase(ph)
	return r, err
}

// loadRound returns a round by id or ErrNoRound.
func loadRound(ctx context.Context, idb bun.IDB, id int64, lock string) (round, error) {
	return db.QueryRow(ctx, idb, scanRound, ErrNoRound, fmt.Sprintf("duel: load round %d", id),
		`SELECT `+roundCols+` FROM duel_rounds WHERE id = ?`+lock, id)
}

// guildRound is loadRound limited to guildID: another guild's round (a
// custom id carried over) is ErrNoRound too.
func guildRound(ctx context.Context, idb bun.IDB, guildID uint64, id int64, lock string) (round, error) {
	return db.QueryRow(ctx, idb, scanRound, ErrNoRound, fmt.Sprintf("duel: load round %d", id),
		`SELECT `+roundCols+` FROM duel_rounds WHERE id = ? AND guild_id = ?`+lock, id, int64(guildID))
}

// guildOpenRound returns the open round of the guild's active duel (ErrNoDuel,
// ErrNoRound), locking the round with lock; the duel row is not locked.
func guildOpenRound(ctx context.Context, idb bun.IDB, guildID uint64, lock string) (round, error) {
	d, err := activeDuel(ctx, idb, guildID, noLock)
	if err != nil {
		return round{}, err
	}
	return openRound(ctx, idb, d.ID, lock)
}

// openRound returns the duel's open round or ErrNoRound.
func openRound(ctx context.Context, idb bun.IDB, duelID int64, lock string) (round, error) {
	return db.QueryRow(ctx, idb, scanRound, ErrNoRound, "duel: load open round", `SELECT `+roundCols+` FROM duel_rounds
		WHERE duel_id = ? AND phase IN ('answering', 'voting')`+lock, duelID)
}

// lastRound returns the duel's latest round, open or not, or ErrNoRound.
func lastRound(ctx context.Context, idb bun.IDB, duelID int64) (round, error) {
	return db.QueryRow(ctx, idb, scanRound, ErrNoRound, "duel: load last round", `SELECT `+roundCols+` FROM duel_rounds
		WHERE duel_id = ? ORDER BY round_no DESC LIMIT 1`, duelID)
}

// roundPairs lists the pairs a round concerns (every pair it was announced
// to, plus any that answered), for panel refreshes.
func roundPairs(ctx context.Context, idb bun.IDB, roundID int64) ([]int64, error) {
	ids, err := db.Query(ctx, idb, db.Scan[int64], `SELECT pair_id FROM duel_deliveries WHERE round_id = ?
		UNION SELECT pair_id FROM duel_answers WHERE round_id = ? ORDER BY 1`, roundID, roundID)
	if err != nil {
		return nil, fmt.Errorf("duel: round pairs: %w", err)
	}
	return ids, nil
}

// pairAnswer is one pair's answer in a round.
type pairAnswer struct {
	RoundID    int64
	PairID     int64
	Text       string
	AnsweredBy uint64
	Label      int // 0 until voting opens
	Removed    bool
	Votes      int
}

// answers lists a round's answers that still count, by label (then pair).
func answers(ctx context.Context, idb bun.IDB, roundID int64, withRemoved bool) ([]pairAnswer, error) {
	q := `SELECT a.round_id, a.pair_id, a.answer, a.answered_by, coalesce(a.label, 0), a.removed_at IS NOT NULL,
		(SELECT count(*) FROM duel_votes v WHERE v.round_id = a.round_id AND v.target_pair_id = a.pair_id)
		FROM duel_answers a WHERE a.round_id = ?`
	if !withRemoved {
		q += ` AND a.removed_at IS NULL`
	}
	q += ` ORDER BY a.label NULLS LAST, a.answered_at, a.pair_id`
	out, err := db.Query(ctx, idb, scanAnswer, q, roundID)
	if err != nil {
		return nil, fmt.Errorf("duel: list answers: %w", err)
	}
	return out, nil
}

func scanAnswer(row db.Scanner) (pairAnswer, error) {
	var a pairAnswer
	var by int64
	err := row.Scan(&a.RoundID, &a.PairID, &a.Text, &by, &a.Label, &a.Removed, &a.Votes)
	a.AnsweredBy = uint64(by)
	return a, err
}
