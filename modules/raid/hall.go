package raid

import (
	"context"
	"fmt"
	"time"

	"github.com/together-bot/together/core/db"
	"github.com/uptrace/bun"
)

// pointsByPair returns each pair's applied raid points in a guild for
// claims confirmed in [from, to): raid's category on the hall card
// (hallCategory). Points count at the moment of the confirm, after the daily cap,
// so the hall sums exactly what the raid boards showed. idb nil reads
// through the pool.
func (s *service) pointsByPair(ctx context.Context, idb bun.IDB, guildID uint64, from, to time.Time) (map[int64]int, error) {
	if idb == nil {
		idb = s.DB.Bun
	}
	out, err := db.QueryMap[int64, int](ctx, idb, `SELECT pair_id, sum(applied)::int FROM raid_claims
		WHERE guild_id = ? AND status = 'confirmed' AND confirmed_at >= ? AND confirmed_at < ?
		GROUP BY pair_id HAVING sum(applied) > 0`, int64(guildID), from, to)
	if err != nil {
		return nil, fmt.Errorf("raid: points by pair: %w", err)
	}
	return out, nil
}

// contribution is the member's pair's points in a raid.
type contribution struct {
	Today, Week, Cap int
}

// Contribution reads the member's pair's points in a raid: on the raid's
// current day (against its cap) and in total.
func (s *service) Contribution(ctx context.Context, guildID, userID uint64, raidID int64) (contribution, error) {
	r, err := guildRaid(ctx, s.DB.Bun, guildID, raidID)
	if err != nil {
		return contribution{}, err
	}
	p, err := s.pairs.PairOf(ctx, s.DB.Bun, guildID, userID)
	if err != nil {
		return contribution{}, err
	}
	ct := contribution{Cap: r.DailyCap}
	ct.Today, ct.Week, err = pairPoints(ctx, s.DB.Bun, r.ID, p.ID, r.Today(s.now()))
	return ct, err
}
