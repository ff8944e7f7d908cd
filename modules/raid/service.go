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
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/queue"
)

// Pairs is what raid needs of pairhome's Service (module.go adapts it).
type Pairs interface {
	// PairOf returns the member's active pair or ErrNotInPair.
	PairOf(ctx context.Context, idb bun.IDB, guildID, userID uint64) (Pair, error)
	// Pair returns any pair by id (active or archived) or ErrNotInPair.
	Pair(ctx context.Context, idb bun.IDB, pairID int64) (Pair, error)
	RequestPanel(ctx context.Context, tx bun.Tx, pairID int64) error
	RequestPanels(ctx context.Context, tx bun.Tx, guildID uint64) error
}

// Requester is what raid needs of core/projection's Service.
type Requester interface {
	Request(ctx context.Context, tx bun.Tx, kind, key string) error
}

// Inserter is what raid needs of core/queue's Queue.
type Inserter interface {
	InsertTx(ctx context.Context, tx bun.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// SettingsSource is core/guild's Service (locale, timezone, raid channel).
type SettingsSource interface {
	Settings(ctx context.Context, guildID uint64) (guild.Settings, error)
	GuildsWithChannel(ctx context.Context, module, key string) ([]guild.GuildChannel, error)
}

// Discord is the part of rest.Rest the confirm prompt uses.
type Discord interface {
	CreateMessage(channelID snowflake.ID, m discord.MessageCreate, opts ...rest.RequestOpt) (*discord.Message, error)
}

// Config builds a Service.
type Config struct {
	DB            *db.DB
	Pairs         Pairs
	Projections   Requester
	Queue         Inserter
	Discord       Discord
	Settings      SettingsSource // nil: defaults everywhere and no configured channels
	Gate          queue.Gate     // nil: every guild counts as on
	Hall          HallRefresher  // nil: hall not deployed
	Bundle        *i18n.Bundle
	DefaultLocale string
	DefaultZone   *time.Location // nil: UTC
	Logger        *slog.Logger
	// Now is the clock (tests move it); nil is time.Now.
	Now func() time.Time
}

// Service holds the raid's rules. Every state change is one transaction
// that also requests the dashboard and panels and inserts the jobs that
// follow from it.
type Service struct {
	db        *db.DB
	pairs     Pairs
	proj      Requester
	queue     Inserter
	discord   Discord
	settings  SettingsSource
	gate      queue.Gate
	hall      HallRefresher
	bundle    *i18n.Bundle
	defLocale string
	defZone   *time.Location
	log       *slog.Logger
	now       func() time.Time
	// libraryLoaded is set once the shipped quests are upserted.
	libraryLoaded atomic.Bool
}

// NewService validates the configuration; it does no I/O.
func NewService(cfg Config) (*Service, error) {
	switch {
	case cfg.DB == nil:
		return nil, errors.New("raid: Config.DB is nil")
	case cfg.Pairs == nil:
		return nil, errors.New("raid: Config.Pairs is nil")
	case cfg.Projections == nil:
		return nil, errors.New("raid: Config.Projections is nil")
	case cfg.Queue == nil:
		return nil, errors.New("raid: Config.Queue is nil")
	case cfg.Bundle == nil:
		return nil, errors.New("raid: Config.Bundle is nil")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DefaultZone == nil {
		cfg.DefaultZone = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{db: cfg.DB, pairs: cfg.Pairs, proj: cfg.Projections, queue: cfg.Queue, discord: cfg.Discord, hall: cfg.Hall,
		settings: cfg.Settings, gate: cfg.Gate, bundle: cfg.Bundle, defLocale: cfg.DefaultLocale, defZone: cfg.DefaultZone,
		log: cfg.Logger.With("module", Name), now: cfg.Now}, nil
}

// guildSettings returns the guild's settings, or the zero value without a
// source or when they cannot be read (callers fall back to defaults).
func (s *Service) guildSettings(ctx context.Context, guildID uint64) guild.Settings {
	if s.settings == nil {
		return guild.Settings{GuildID: guildID}
	}
	st, err := s.settings.Settings(ctx, guildID)
	if err != nil {
		s.log.Warn("guild settings unavailable; using defaults", "guild_id", guildID, "error", err)
		return guild.Settings{GuildID: guildID}
	}
	return st
}

// locale is the guild's language for texts nobody in particular asked for
// (dashboard, room prompts).
func (s *Service) locale(ctx context.Context, guildID uint64) string {
	return i18n.Resolve(s.guildSettings(ctx, guildID).Locale, "", s.defLocale)
}

func (s *Service) t(locale, key string, args ...any) string { return s.bundle.T(locale, key, args...) }

// requestBoard re-renders the raid's dashboard once tx commits.
func (s *Service) requestBoard(ctx context.Context, tx bun.Tx, raidID int64) error {
	if err := s.proj.Request(ctx, tx, BoardKind, boardKey(raidID)); err != nil {
		return fmt.Errorf("raid: request board %d: %w", raidID, err)
	}
	return nil
}

// enabled asks the gate; an error counts as "on" so the job itself decides.
func (s *Service) enabled(ctx context.Context, guildID uint64) bool {
	if s.gate == nil {
		return true
	}
	on, err := s.gate.ModuleEnabled(ctx, Name, guildID)
	return err != nil || on
}
