package duel

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/discord/restclient"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// config builds a Service.
type config struct {
	Core  modcore.Core // DB, Queue, Guilds, Bundle and Logger
	Pairs pairhomeapi.Pairs
	// Projections and Discord are Core.Projections and Core.Rest in
	// production; tests count the requests instead.
	Projections projection.Requester
	Discord     restclient.MessageCreator
	Hall        hallapi.Refresher // nil: hall not deployed
}

// Service holds the duel's rules. Every state change is one transaction
// that also requests the scoreboard (and pair panels) and enqueues the jobs
// that follow from it, so a crash never leaves a change without its effects.
type Service struct {
	modcore.Core
	pairs   pairhomeapi.Pairs
	proj    projection.Requester
	discord restclient.MessageCreator
	hall    hallapi.Refresher
}

// newService validates the configuration.
func newService(cfg config) (*Service, error) {
	core, err := cfg.Core.Ready(Name, modcore.DB|modcore.Queue|modcore.Guilds|modcore.Bundle)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Pairs == nil:
		return nil, errors.New("duel: config.Pairs is nil")
	case cfg.Projections == nil:
		return nil, errors.New("duel: config.Projections is nil")
	}
	return &Service{Core: core, pairs: cfg.Pairs, proj: cfg.Projections, discord: cfg.Discord, hall: cfg.Hall}, nil
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

// requestBoard re-renders the duel's scoreboard once tx commits.
func (s *Service) requestBoard(ctx context.Context, tx bun.Tx, duelID int64) error {
	return s.proj.Request(ctx, tx, boardKind, boardKey(duelID))
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
