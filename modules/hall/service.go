package hall

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Name is the module's id.
const Name = "hall"

// guildSettings is core/guild's Service: the guild's locale and timezone (with the
// deployment's defaults), the per-guild module switch categories follow and
// the guilds with a hall channel. The channel itself is read through the
// transaction at hand (guild.ReadChannel).
type guildSettings interface {
	Locale(ctx context.Context, guildID uint64) string
	Location(ctx context.Context, guildID uint64) *time.Location
	ModuleEnabled(ctx context.Context, module string, guildID uint64) (bool, error)
	GuildsWithChannel(ctx context.Context, module, key string) ([]guild.GuildChannel, error)
}

// serviceConfig is what a Service is built from: fx fills it, tests write
// it as a literal.
type serviceConfig struct {
	fx.In      `ignore-unexported:"true"`
	Core       modcore.Core // DB, Queue, Bundle, Guilds and Logger
	Pairs      pairhomeapi.Pairs
	Refresher  *Refresher
	Categories module.Contributions[hallapi.Category]
	// guilds stands in for Core.Guilds (tests fake the timezone); nil is
	// Core.Guilds.
	guilds guildSettings
	// now is the clock deciding month boundaries (tests move it); nil is
	// time.Now.
	now func() time.Time
}

// Service keeps the cards, the consent and the finalization.
type Service struct {
	modcore.Core
	pairs      pairhomeapi.Pairs
	guilds     guildSettings
	refresher  *Refresher
	categories []hallapi.Category
	now        func() time.Time
}

// newService checks the core services hall cannot run without and the
// contributed categories.
func newService(cfg serviceConfig) (*Service, error) {
	need := modcore.DB | modcore.Queue | modcore.Bundle
	if cfg.guilds == nil {
		need |= modcore.Guilds
	}
	core, err := cfg.Core.Ready(Name, need)
	if err != nil {
		return nil, err
	}
	if cfg.guilds == nil {
		cfg.guilds = core.Guilds
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	cats, err := sortCategories(cfg.Categories.Items)
	if err != nil {
		return nil, err
	}
	return &Service{Core: core, pairs: cfg.Pairs, guilds: cfg.guilds, refresher: cfg.Refresher, categories: cats, now: cfg.now}, nil
}

// Categories lists the deployed categories in card order.
func (s *Service) Categories() []hallapi.Category {
	return append([]hallapi.Category(nil), s.categories...)
}

// Refresher requests re-renders of a guild's live card; it is hall's
// hallapi.Refresher. It depends on the projection service only, so a
// contributing module can take it without depending on hall's Service,
// which collects that module's category.
type Refresher struct{ proj projection.Requester }

var _ hallapi.Refresher = (*Refresher)(nil)

// newRefresher wraps core/projection's Service.
func newRefresher(proj projection.Requester) *Refresher { return &Refresher{proj: proj} }

// RequestRefresh re-renders the guild's live card(s) once tx commits.
// Contributors call it through hallapi.Request in the transaction that
// changes their points. A nil *Refresher does nothing.
func (r *Refresher) RequestRefresh(ctx context.Context, tx bun.Tx, guildID uint64) error {
	if r == nil {
		return nil
	}
	live, err := cards(ctx, tx, guildID, true)
	if err != nil {
		return err
	}
	// Oldest first: a stable order, as core/projection asks.
	for _, c := range live {
		if err := r.proj.Request(ctx, tx, CardKind, c.Key()); err != nil {
			return fmt.Errorf("hall: request card %s: %w", c.Key(), err)
		}
	}
	return nil
}

func (s *Service) t(locale, key string, args ...any) string { return s.Bundle.T(locale, key, args...) }
