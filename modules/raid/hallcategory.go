package raid

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

// hallCategory is raid's column on the monthly hall of fame: confirmed quest
// points, as they counted against the daily cap.
func hallCategory(s *Service) hallapi.Category {
	return hallapi.Category{Module: Name, Key: Name, NameKey: "raid.hall.category", Order: 20, Points: s.PointsByPair}
}

// requestHall refreshes the hall card after points change; hall may be absent.
func (s *Service) requestHall(ctx context.Context, tx bun.Tx, guildID uint64) error {
	if s.hall == nil {
		return nil
	}
	return s.hall.RequestRefresh(ctx, tx, guildID)
}
