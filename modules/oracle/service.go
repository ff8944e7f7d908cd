package oracle

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// guildSettings is where guild settings come from (guild.Service): the oracle
// channel and switches, and the guild's locale and timezone with the
// deployment's defaults.
type guildSettings interface {
	Settings(ctx context.Context, guildID uint64) (guild.Settings, error)
	Locale(ctx context.Context, guildID uint64) string
	Location(ctx context.Context, guildID uint64) *time.Location
	DefaultLocation() *time.Location
}

// serviceConfig builds a Service. Core's DB, Guilds and Projections are
// required; without Core.Rest (operator CLI) copies cannot be sent.
type serviceConfig struct {
	Core    modcore.Core
	Pairs   pairhomeapi.Pairs // nil: pairhome is not deployed
	Library *Library          // nil: the embedded library
	Now     func() time.Time  // tests move time instead of sleeping
}

// Service holds the oracle's rules. Each action is one transaction: state,
// projection requests and pair-panel requests commit together.
type Service struct {
	modcore.Core
	pairs pairhomeapi.Pairs
	lib   *Library
	texts *i18n.Bundle
	now   func() time.Time
	st    store
}

// newService validates cfg.
func newService(cfg serviceConfig) (*Service, error) {
	core, err := cfg.Core.Ready(Name, modcore.DB|modcore.Guilds|modcore.Projections)
	if err != nil {
		return nil, err
	}
	if cfg.Library == nil {
		lib, err := DefaultLibrary()
		if err != nil {
			return nil, err
		}
		cfg.Library = lib
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	texts, err := i18n.NewBundle(core.Logger, Catalog)
	if err != nil {
		return nil, err
	}
	return &Service{Core: core, pairs: cfg.Pairs, lib: cfg.Library, texts: texts, now: cfg.Now}, nil
}

// Library is the content the service draws from.
func (s *Service) Library() *Library { return s.lib }

// guildView is what most actions need to know about a guild.
type guildView struct {
	settings guild.Settings
	loc      *time.Location
	locale   string
}

func (s *Service) guild(ctx context.Context, guildID uint64) (guildView, error) {
	st, err := s.Guilds.Settings(ctx, guildID)
	if err != nil {
		return guildView{}, fmt.Errorf("oracle: guild settings: %w", err)
	}
	return guildView{settings: st, loc: s.Guilds.Location(ctx, guildID), locale: s.Guilds.Locale(ctx, guildID)}, nil
}

// pairhomeOn: deployed in this process and on in the guild. Only oracle
// knows it offers pair features, so it asks about pairhome itself.
func (s *Service) pairhomeOn(st guild.Settings) bool {
	return s.pairs != nil && st.ModuleOn(pairhomeapi.Name)
}

// CurrentWeek is the week it is now in the guild's time zone.
func (s *Service) CurrentWeek(ctx context.Context, guildID uint64) (Week, error) {
	g, err := s.guild(ctx, guildID)
	if err != nil {
		return Week{}, err
	}
	return WeekAt(s.now(), g.loc), nil
}

// weekArchetype records (if needed) and returns the week's archetype.
func (s *Service) weekArchetype(ctx context.Context, idb bun.IDB, guildID uint64, w Week) (string, error) {
	return s.st.ensureWeek(ctx, idb, guildID, w, PickArchetype(s.lib.Keys(), guildID, w))
}

// Status is what /oracle status shows.
type Status struct {
	Week        Week      // the current week in the guild's zone
	Shown       *Week     // the week the dashboard shows; nil if never published
	Archetype   string    // this week's archetype key
	ChannelID   uint64    // 0: not configured
	NextPublish time.Time // in the guild's zone
	Location    *time.Location
}

// Status reports the oracle's state in a guild without changing anything.
func (s *Service) Status(ctx context.Context, guildID uint64) (Status, error) {
	g, err := s.guild(ctx, guildID)
	if err != nil {
		return Status{}, err
	}
	now := s.now()
	st := Status{Week: WeekAt(now, g.loc), NextPublish: NextPublish(now, g.loc).In(g.loc), Location: g.loc}
	st.ChannelID, _ = g.settings.Channel(Name, ChannelPurposeKey)
	d, ok, err := s.st.dashboard(ctx, s.DB.Bun, guildID)
	if err != nil {
		return Status{}, err
	}
	if ok {
		st.Shown = &d.Week
	}
	key, err := s.st.weekArchetype(ctx, s.DB.Bun, guildID, st.Week)
	if err != nil {
		return Status{}, err
	}
	if key == "" {
		key = PickArchetype(s.lib.Keys(), guildID, st.Week)
	}
	st.Archetype = key
	return st, nil
}
