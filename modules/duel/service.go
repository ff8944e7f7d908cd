package duel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// requester is the part of core/projection's Service duel uses; tests count
// the requests instead of rendering.
type requester interface {
	Request(ctx context.Context, tx bun.Tx, kind, key string) error
}

// discordClient is the part of rest.Rest the fan-out uses.
type discordClient interface {
	CreateMessage(channelID snowflake.ID, m discord.MessageCreate, opts ...rest.RequestOpt) (*discord.Message, error)
}

// config builds a Service.
type config struct {
	DB          *db.DB
	Queue       *queue.Queue
	Pairs       pairhomeapi.Pairs
	Projections requester
	Discord     discordClient
	Guilds      *guild.Service
	Hall        hallapi.Refresher // nil: hall not deployed
	Bundle      *i18n.Bundle
	Logger      *slog.Logger
}

// Service holds the duel's rules. Every state change is one transaction
// that also requests the scoreboard (and pair panels) and enqueues the jobs
// that follow from it, so a crash never leaves a change without its effects.
type Service struct {
	db      *db.DB
	queue   *queue.Queue
	pairs   pairhomeapi.Pairs
	proj    requester
	discord discordClient
	guilds  *guild.Service
	hall    hallapi.Refresher
	bundle  *i18n.Bundle
	log     *slog.Logger
}

// newService validates the configuration.
func newService(cfg config) (*Service, error) {
	switch {
	case cfg.DB == nil:
		return nil, errors.New("duel: config.DB is nil")
	case cfg.Queue == nil:
		return nil, errors.New("duel: config.Queue is nil")
	case cfg.Pairs == nil:
		return nil, errors.New("duel: config.Pairs is nil")
	case cfg.Projections == nil:
		return nil, errors.New("duel: config.Projections is nil")
	case cfg.Guilds == nil:
		return nil, errors.New("duel: config.Guilds is nil")
	case cfg.Bundle == nil:
		return nil, errors.New("duel: config.Bundle is nil")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{db: cfg.DB, queue: cfg.Queue, pairs: cfg.Pairs, proj: cfg.Projections, discord: cfg.Discord,
		guilds: cfg.Guilds, hall: cfg.Hall, bundle: cfg.Bundle, log: cfg.Logger.With("module", Name)}, nil
}

func (s *Service) t(locale, key string, args ...any) string { return s.bundle.T(locale, key, args...) }

// pairOf is the member's active pair. Not being in one is ErrNotInPair,
// duel's own wording: it tells the member that taking part needs a pair.
func (s *Service) pairOf(ctx context.Context, idb bun.IDB, guildID, userID uint64) (pairhomeapi.Pair, error) {
	p, err := s.pairs.PairOf(ctx, idb, guildID, userID)
	if errors.Is(err, pairhomeapi.ErrNoPair) {
		return pairhomeapi.Pair{}, ErrNotInPair
	}
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
