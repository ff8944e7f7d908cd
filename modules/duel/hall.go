package duel

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/modules/hall/hallapi"
)

// hallCategory is duel's column on the monthly hall of fame: points from
// rounds that closed in the month.
func (s *Service) hallCategory() hallapi.Category {
	return hallapi.Category{Module: Name, Key: Name, NameKey: "duel.hall.category", Order: 10, Points: s.pointsByPair}
}

// requestHall refreshes the hall card after points change; hall may be absent.
func (s *Service) requestHall(ctx context.Context, tx bun.Tx, guildID uint64) error {
	if err := hallapi.Request(ctx, s.hall, tx, guildID); err != nil {
		return fmt.Errorf("duel: request hall refresh: %w", err)
	}
	return nil
}

// pointsByPair returns each pair's duel points in a guild for rounds scored
// in [from, to): what the hall ranks duel's category by. Points count at
// the moment the round closed, so a month boundary never splits a round.
func (s *Service) pointsByPair(ctx context.Context, idb bun.IDB, guildID uint64, from, to time.Time) (map[int64]int, error) {
	if idb == nil {
		idb = s.DB.Bun
	}
	out, err := db.QueryMap[int64, int](ctx, idb, `SELECT pair_id, sum(points)::int FROM duel_scores
		WHERE guild_id = ? AND scored_at >= ? AND scored_at < ? GROUP BY pair_id`, int64(guildID), from, to)
	if err != nil {
		return nil, fmt.Errorf("duel: points by pair: %w", err)
	}
	return out, nil
}
