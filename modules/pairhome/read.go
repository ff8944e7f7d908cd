package pairhome

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// The read API other modules use through pairhomeapi.Pairs. Pass their
// transaction as idb to read inside it, or nil to read through the pool.

var _ pairhomeapi.Pairs = (*service)(nil)

// ActivePairs lists the guild's active pairs, oldest first. Dashboards use
// it, so archived pairs never appear there.
func (s *service) ActivePairs(ctx context.Context, idb bun.IDB, guildID uint64) ([]pairhomeapi.Pair, error) {
	rows, err := activePairs(ctx, orDB(idb, s.DB), guildID)
	if err != nil {
		return nil, err
	}
	out := make([]pairhomeapi.Pair, len(rows))
	for i, r := range rows {
		out[i] = r.ref().Pair
	}
	return out, nil
}

// PairOf returns the member's active pair, or pairhomeapi.ErrNoPair.
func (s *service) PairOf(ctx context.Context, idb bun.IDB, guildID, userID uint64) (pairhomeapi.Pair, error) {
	r, err := activePairOf(ctx, orDB(idb, s.DB), guildID, userID)
	if err != nil {
		return pairhomeapi.Pair{}, err
	}
	return r.ref().Pair, nil
}

// Pair returns a pair by id, active or archived, or pairhomeapi.ErrNoPair.
func (s *service) Pair(ctx context.Context, idb bun.IDB, pairID int64) (pairhomeapi.Pair, error) {
	r, err := loadPair(ctx, orDB(idb, s.DB), pairID)
	if err != nil {
		return pairhomeapi.Pair{}, err
	}
	return r.ref().Pair, nil
}

// RequestPanel re-renders the pair's panel once tx commits. Contributing
// modules call it in the transaction that changes what their section shows.
func (s *service) RequestPanel(ctx context.Context, tx bun.Tx, pairID int64) error {
	return s.Projections.Request(ctx, tx, panelKind, panelKey(pairID))
}

// RequestPanels re-renders every active pair's panel in the guild (for
// guild-wide changes such as a raid starting).
func (s *service) RequestPanels(ctx context.Context, tx bun.Tx, guildID uint64) error {
	rows, err := activePairs(ctx, tx, guildID)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := s.RequestPanel(ctx, tx, r.ID); err != nil {
			return err
		}
	}
	return nil
}

func orDB(idb bun.IDB, d *db.DB) bun.IDB {
	if idb == nil {
		return d.Bun
	}
	return idb
}
