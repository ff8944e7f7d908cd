package duel

import (
	"context"

	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/uptrace/bun"
)

// HallRefresher asks hall to re-render a guild's live card in a transaction
// (*hall.Refresher; nil when hall is not deployed).
type HallRefresher interface {
	RequestRefresh(ctx context.Context, tx bun.Tx, guildID uint64) error
}

// hallCategory is duel's column on the monthly hall of fame: points from
// rounds that closed in the month.
func hallCategory(s *Service) hallapi.Category {
	return hallapi.Category{Module: Name, Key: Name, NameKey: "duel.hall.category", Order: 10, Points: s.PointsByPair}
}

// requestHall refreshes the hall card after points change; hall may be absent.
func (s *Service) requestHall(ctx context.Context, tx bun.Tx, guildID uint64) error {
	if s.hall == nil {
		return nil
	}
	return s.hall.RequestRefresh(ctx, tx, guildID)
}
