package hall

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// boards ranks every given category for the card's period, reading through
// idb only (the render's snapshot or the finalizing transaction).
func (s *Service) boards(ctx context.Context, idb bun.IDB, c Card, cats []hallapi.Category) ([]Board, error) {
	out := make([]Board, 0, len(cats))
	for _, cat := range cats {
		points, err := cat.Points(ctx, idb, c.GuildID, c.Start, c.End)
		if err != nil {
			return nil, fmt.Errorf("hall: points of %s: %w", cat.Key, err)
		}
		b := Board{Category: cat.Key, NameKey: cat.NameKey, Order: cat.Order}
		if b.Top, b.Participation, err = s.rank(ctx, idb, c.GuildID, cat.Key, points); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

type scored struct {
	pair   int64
	points int
}

// rank keeps pairs with points, orders them (points desc, pair id asc) and
// names the first topN whose two members both opted in to the category.
// Pairs of another guild (a contributor's bug) are ignored.
func (s *Service) rank(ctx context.Context, idb bun.IDB, guildID uint64, category string, points map[int64]int) ([]Entry, int, error) {
	list := make([]scored, 0, len(points))
	for id, p := range points {
		if p > 0 {
			list = append(list, scored{id, p})
		}
	}
	slices.SortFunc(list, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.points, a.points), cmp.Compare(a.pair, b.pair))
	})
	opted, err := optedIn(ctx, idb, guildID, category)
	if err != nil || len(opted) < 2 {
		return nil, len(list), err
	}
	var top []Entry
	for _, sc := range list {
		if len(top) == topN {
			break
		}
		p, err := s.pairs.Pair(ctx, idb, sc.pair)
		if errors.Is(err, pairhomeapi.ErrNoPair) {
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("hall: pair %d: %w", sc.pair, err)
		}
		if p.GuildID != guildID || !opted[p.Members[0]] || !opted[p.Members[1]] {
			continue
		}
		top = append(top, Entry{Place: len(top) + 1, PairID: p.ID, Members: p.Members, Points: sc.points})
	}
	return top, len(list), nil
}

// activePairCount is how many pairs are active in the guild now, read
// through idb.
func (s *Service) activePairCount(ctx context.Context, idb bun.IDB, guildID uint64) (int, error) {
	pairs, err := s.pairs.ActivePairs(ctx, idb, guildID)
	if err != nil {
		return 0, fmt.Errorf("hall: active pairs of guild %d: %w", guildID, err)
	}
	return len(pairs), nil
}
