package raid

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

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

// boardRequester is what raid needs of core/projection's Service.
type boardRequester interface {
	Request(ctx context.Context, tx bun.Tx, kind, key string) error
}

// messagePoster is the part of rest.Rest the confirm prompt uses.
type messagePoster interface {
	CreateMessage(channelID snowflake.ID, m discord.MessageCreate, opts ...rest.RequestOpt) (*discord.Message, error)
}

// serviceConfig builds a service.
type serviceConfig struct {
	DB          *db.DB
	Pairs       pairhomeapi.Pairs
	Projections boardRequester
	Queue       *queue.Queue
	Discord     messagePoster
	// Guilds gives each guild's locale, timezone and raid channel.
	Guilds *guild.Service
	Hall   hallapi.Refresher // nil: hall not deployed
	Bundle *i18n.Bundle
	Logger *slog.Logger
	// Now is the clock (tests move it); nil is time.Now.
	Now func() time.Time
}

// service holds the raid's rules. Every state change is one transaction
// that also requests the dashboard and panels and inserts the jobs that
// follow from it.
type service struct {
	db      *db.DB
	pairs   pairhomeapi.Pairs
	proj    boardRequester
	queue   *queue.Queue
	discord messagePoster
	guilds  *guild.Service
	hall    hallapi.Refresher
	bundle  *i18n.Bundle
	log     *slog.Logger
	now     func() time.Time
	// libraryLoaded is set once the shipped quests are upserted.
	libraryLoaded atomic.Bool
}

// newService validates the configuration; it does no I/O.
func newService(cfg serviceConfig) (*service, error) {
	switch {
	case cfg.DB == nil:
		return nil, errors.New("raid: serviceConfig.DB is nil")
	case cfg.Pairs == nil:
		return nil, errors.New("raid: serviceConfig.Pairs is nil")
	case cfg.Projections == nil:
		return nil, errors.New("raid: serviceConfig.Projections is nil")
	case cfg.Queue == nil:
		return nil, errors.New("raid: serviceConfig.Queue is nil")
	case cfg.Guilds == nil:
		return nil, errors.New("raid: serviceConfig.Guilds is nil")
	case cfg.Bundle == nil:
		return nil, errors.New("raid: serviceConfig.Bundle is nil")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &service{db: cfg.DB, pairs: cfg.Pairs, proj: cfg.Projections, queue: cfg.Queue, discord: cfg.Discord,
		guilds: cfg.Guilds, hall: cfg.Hall, bundle: cfg.Bundle, log: cfg.Logger.With("module", Name), now: cfg.Now}, nil
}

func (s *service) t(locale, key string, args ...any) string { return s.bundle.T(locale, key, args...) }

// requestBoard re-renders the raid's dashboard once tx commits.
func (s *service) requestBoard(ctx context.Context, tx bun.Tx, raidID int64) error {
	if err := s.proj.Request(ctx, tx, boardKind, boardKey(raidID)); err != nil {
		return fmt.Errorf("raid: request board %d: %w", raidID, err)
	}
	return nil
}

// pairOf is the member's active pair, or errNotInPair with raid's own text.
func (s *service) pairOf(ctx context.Context, idb bun.IDB, guildID, userID uint64) (pairhomeapi.Pair, error) {
	p, err := s.pairs.PairOf(ctx, idb, guildID, userID)
	if errors.Is(err, pairhomeapi.ErrNoPair) {
		return pairhomeapi.Pair{}, errNotInPair
	}
	return p, err
}
