package duel

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// PointsByPair returns each pair's duel points in a guild for rounds scored
// in [from, to): the read service the hall module ranks with. Points count
// at the moment the round closed, so a month boundary never splits a round.
func (s *Service) PointsByPair(ctx context.Context, idb bun.IDB, guildID uint64, from, to time.Time) (map[int64]int, error) {
	if idb == nil {
		idb = s.db.Bun
	}
	rows, err := idb.QueryContext(ctx, `SELECT pair_id, sum(points)::int FROM duel_scores
		WHERE guild_id = ? AND scored_at >= ? AND scored_at < ? GROUP BY pair_id`, int64(guildID), from, to)
	if err != nil {
		return nil, fmt.Errorf("duel: points by pair: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
