package duel

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// config is what a Service is built from: fx fills it, tests write it as
// a literal.
type config struct {
	fx.In
	Core  modcore.Core // DB, Queue, Guilds, Bundle, Projections; Rest posts in pair rooms
	Pairs pairhomeapi.Pairs
	Hall  hallapi.Refresher `optional:"true"` // nil: hall not deployed
}

// Service holds the duel's rules. Every state change is one transaction
// that also requests the scoreboard (and pair panels) and enqueues the jobs
// that follow from it, so a crash never leaves a change without its effects.
type Service struct {
	modcore.Core
	pairs pairhomeapi.Pairs
	hall  hallapi.Refresher
}

// newService checks the core services the duel cannot run without.
func newService(cfg config) (*Service, error) {
	core, err := cfg.Core.Ready(Name, modcore.DB|modcore.Queue|modcore.Guilds|modcore.Bundle|modcore.Projections)
	if err != nil {
		return nil, err
	}
	return &Service{Core: core, pairs: cfg.Pairs, hall: cfg.Hall}, nil
}

func (s *Service) t(locale, key string, args ...any) string { return s.Bundle.T(locale, key, args...) }

// pairOf is the member's active pair. Not being in one is
// pairhomeapi.ErrNoPair, a refusal the router still finds inside the
// wrapping: it tells the member that taking part needs a pair.
func (s *Service) pairOf(ctx context.Context, idb bun.IDB, guildID, userID uint64) (pairhomeapi.Pair, error) {
	p, err := s.pairs.PairOf(ctx, idb, guildID, userID)
	if err != nil {
		return pairhomeapi.Pair{}, fmt.Errorf("duel: pair of member %d: %w", userID, err)
	}
	return p, nil
}

// requestPanels re-renders the Pair Home panels of the given pairs.
func (s *Service) requestPanels(ctx context.Context, tx bun.Tx, pairIDs []int64) error {
	for _, id := range pairIDs {
		if err := s.pairs.RequestPanel(ctx, tx, id); err != nil {
			return fmt.Errorf("duel: request pair panel %d: %w", id, err)
		}
	}
	return nil
}
