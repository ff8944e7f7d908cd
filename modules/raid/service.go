package raid

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/discord/restclient"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// serviceConfig builds a service.
type serviceConfig struct {
	// Core gives the database, queue, guild settings (locale, timezone, raid
	// channel), texts and logger.
	Core  modcore.Core
	Pairs pairhomeapi.Pairs
	// Projections and Discord are Core.Projections and Core.Rest in
	// production; tests count the requests instead.
	Projections projection.Requester
	Discord     restclient.MessageCreator
	Hall        hallapi.Refresher // nil: hall not deployed
	// Now is the clock (tests move it); nil is time.Now.
	Now func() time.Time
}

// service holds the raid's rules. Every state change is one transaction
// that also requests the dashboard and panels and inserts the jobs that
// follow from it.
type service struct {
	modcore.Core
	pairs   pairhomeapi.Pairs
	proj    projection.Requester
	discord restclient.MessageCreator
	hall    hallapi.Refresher
	now     func() time.Time
	// libraryLoaded is set once the shipped quests are upserted.
	libraryLoaded atomic.Bool
}

// newService validates the configuration; it does no I/O.
func newService(cfg serviceConfig) (*service, error) {
	core, err := cfg.Core.Ready(Name, modcore.DB|modcore.Queue|modcore.Guilds|modcore.Bundle)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Pairs == nil:
		return nil, errors.New("raid: serviceConfig.Pairs is nil")
	case cfg.Projections == nil:
		return nil, errors.New("raid: serviceConfig.Projections is nil")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &service{Core: core, pairs: cfg.Pairs, proj: cfg.Projections, discord: cfg.Discord, hall: cfg.Hall, now: cfg.Now}, nil
}

func (s *service) t(locale, key string, args ...any) string { return s.Bundle.T(locale, key, args...) }

// requestBoard re-renders the raid's dashboard once tx commits.
func (s *service) requestBoard(ctx context.Context, tx bun.Tx, raidID int64) error {
	if err := s.proj.Request(ctx, tx, boardKind, boardKey(raidID)); err != nil {
		return fmt.Errorf("raid: request board %d: %w", raidID, err)
	}
	return nil
}
