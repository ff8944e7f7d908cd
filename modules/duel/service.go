package duel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/queue"
)

// Pairs is what duel needs of pairhome's Service (fx.go adapts it).
type Pairs interface {
	ActivePairs(ctx context.Context, idb bun.IDB, guildID uint64) ([]Pair, error)
	// PairOf returns the member's active pair or ErrNotInPair.
	PairOf(ctx context.Context, idb bun.IDB, guildID, userID uint64) (Pair, error)
	// Pair returns any pair by id (active or archived) or ErrNotInPair.
	Pair(ctx context.Context, idb bun.IDB, pairID int64) (Pair, error)
	RequestPanel(ctx context.Context, tx bun.Tx, pairID int64) error
}

// Requester is what duel needs of core/projection's Service.
type Requester interface {
	Request(ctx context.Context, tx bun.Tx, kind, key string) error
}

// SettingsSource is core/guild's Service (for the guild's locale).
type SettingsSource interface {
	Settings(ctx context.Context, guildID uint64) (guild.Settings, error)
}

// Discord is the part of rest.Rest the fan-out uses.
type Discord interface {
	CreateMessage(channelID snowflake.ID, m discord.MessageCreate, opts ...rest.RequestOpt) (*discord.Message, error)
}

// Config builds a Service.
type Config struct {
	DB            *db.DB
	Pairs         Pairs
	Projections   Requester
	Discord       Discord
	Settings      SettingsSource // nil: DefaultLocale everywhere
	Gate          queue.Gate     // nil: the sweep treats every guild as on
	Hall          HallRefresher  // nil: hall not deployed
	Bundle        *i18n.Bundle
	DefaultLocale string
	Logger        *slog.Logger
}

// Service holds the duel's rules. Every state change is one transaction
// that also requests the scoreboard (and pair panels) and enqueues the jobs
// that follow from it, so a crash never leaves a change without its effects.
type Service struct {
	db        *db.DB
	pairs     Pairs
	proj      Requester
	discord   Discord
	settings  SettingsSource
	gate      queue.Gate
	bundle    *i18n.Bundle
	defLocale string
	log       *slog.Logger
	// inserter is an insert-only River client on the shared *sql.DB, as in
	// core/projection and pairhome: the process Queue needs our workers, so
	// depending on it would be an fx cycle. Jobs name the "duel" queue.
	inserter *river.Client[*sql.Tx]
	hall     HallRefresher
}

// NewService validates the configuration.
func NewService(cfg Config) (*Service, error) {
	switch {
	case cfg.DB == nil:
		return nil, errors.New("duel: Config.DB is nil")
	case cfg.Pairs == nil:
		return nil, errors.New("duel: Config.Pairs is nil")
	case cfg.Projections == nil:
		return nil, errors.New("duel: Config.Projections is nil")
	case cfg.Bundle == nil:
		return nil, errors.New("duel: Config.Bundle is nil")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	q, err := queue.NewQueue(cfg.DB, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, fmt.Errorf("duel: river insert client: %w", err)
	}
	return &Service{db: cfg.DB, pairs: cfg.Pairs, proj: cfg.Projections, discord: cfg.Discord, settings: cfg.Settings, gate: cfg.Gate,
		bundle: cfg.Bundle, defLocale: cfg.DefaultLocale, log: cfg.Logger.With("module", Name), inserter: q.River, hall: cfg.Hall}, nil
}

// locale is the guild's language for texts nobody in particular asked for
// (scoreboard, room notices).
func (s *Service) locale(ctx context.Context, guildID uint64) string {
	if s.settings == nil {
		return i18n.Resolve("", "", s.defLocale)
	}
	st, err := s.settings.Settings(ctx, guildID)
	if err != nil {
		return i18n.Resolve("", "", s.defLocale)
	}
	return i18n.Resolve(st.Locale, "", s.defLocale)
}

func (s *Service) t(locale, key string, args ...any) string { return s.bundle.T(locale, key, args...) }

// requestBoard re-renders the duel's scoreboard once tx commits.
func (s *Service) requestBoard(ctx context.Context, tx bun.Tx, duelID int64) error {
	return s.proj.Request(ctx, tx, BoardKind, boardKey(duelID))
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
