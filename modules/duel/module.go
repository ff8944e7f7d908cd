package duel

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/disgoorg/disgo/rest"
	"github.com/uptrace/bun"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/duel/migrations"
	"github.com/together-bot/together/modules/hall"
	"github.com/together-bot/together/modules/pairhome"
)

// Descriptor is the module as the catalog sees it.
var Descriptor = module.Descriptor{
	Name:       Name,
	Requires:   []string{pairhome.Name},
	Migrations: migrations.FS,
	Options: fx.Module(Name,
		fx.Provide(
			newFxService,
			NewHandlers,
			func() *late { return &late{} },
			group("renderers", func(l *late) projection.Renderer { return l.renderer() }),
			group(pairhome.SectionGroup, func(l *late) pairhome.Section { return l.section() }),
			group("commands", func(h *Handlers) interaction.Command { return h.Command() }),
			group("components,flatten", func(h *Handlers) []interaction.Component { return h.Components() }),
			group("modals,flatten", func(h *Handlers) []interaction.Modal { return h.Modals() }),
			group("jobs,flatten", func(s *Service) []queue.Job { return s.Jobs() }),
			group(hall.CategoryGroup, hallCategory),
			group("schedules", func(s *Service) queue.Schedule { return s.Schedule() }),
			group("catalogs", func() i18n.Catalog { return Catalog }),
		),
		fx.Invoke(func(l *late, s *Service) { l.s.Store(s) }),
	),
}

func group(name string, ctor any) any {
	return fx.Annotate(ctor, fx.ResultTags(`group:"`+name+`"`))
}

type fxDeps struct {
	fx.In
	DB          *db.DB
	Config      *config.Config
	Guilds      *guild.Service
	Bundle      *i18n.Bundle
	Logger      *slog.Logger
	Projections *projection.Service
	Pairs       *pairhome.Service
	Rest        rest.Rest
	Gate        queue.Gate      `optional:"true"`
	Hall        *hall.Refresher `optional:"true"`
}

func newFxService(d fxDeps) (*Service, error) {
	return NewService(Config{DB: d.DB, Pairs: pairhomePairs{d.Pairs}, Projections: d.Projections, Discord: d.Rest,
		Settings: d.Guilds, Gate: d.Gate, Bundle: d.Bundle, DefaultLocale: d.Config.DefaultLocale, Logger: d.Logger,
		Hall: hallOrNil(d.Hall)})
}

// late hands the Service to the two contributions that must exist before
// it: core/projection needs every renderer to be built and pairhome needs
// every section, while the Service needs both of them. They only run once
// the app has started, after the fx.Invoke above stored the Service.
type late struct{ s atomic.Pointer[Service] }

var errNotWired = errors.New("duel: service not wired yet")

func (l *late) renderer() projection.Renderer {
	return projection.Renderer{Kind: BoardKind, Module: Name,
		Render: func(ctx context.Context, idb bun.IDB, key string) (projection.Rendered, error) {
			s := l.s.Load()
			if s == nil {
				return projection.Rendered{}, errNotWired
			}
			return s.renderBoard(ctx, idb, key)
		}}
}

func (l *late) section() pairhome.Section {
	return pairhome.Section{Module: Name, Order: sectionOrder,
		Render: func(ctx context.Context, idb bun.IDB, p pairhome.PairRef, locale string) (pairhome.SectionView, error) {
			s := l.s.Load()
			if s == nil {
				return pairhome.SectionView{}, errNotWired
			}
			v, err := s.RenderSection(ctx, idb, fromRef(p), locale)
			return pairhome.SectionView{Text: v.Text, Buttons: v.Buttons}, err
		}}
}

// pairhomePairs adapts pairhome's Service to Pairs.
type pairhomePairs struct{ s *pairhome.Service }

func fromRef(p pairhome.PairRef) Pair {
	return Pair{ID: p.ID, GuildID: p.GuildID, Members: p.Members, ChannelID: p.ChannelID}
}

func notInPair(err error) error {
	if errors.Is(err, pairhome.ErrNotFound) {
		return ErrNotInPair
	}
	return err
}

func (a pairhomePairs) ActivePairs(ctx context.Context, idb bun.IDB, guildID uint64) ([]Pair, error) {
	refs, err := a.s.ActivePairs(ctx, idb, guildID)
	if err != nil {
		return nil, err
	}
	out := make([]Pair, len(refs))
	for i, r := range refs {
		out[i] = fromRef(r)
	}
	return out, nil
}

func (a pairhomePairs) PairOf(ctx context.Context, idb bun.IDB, guildID, userID uint64) (Pair, error) {
	r, err := a.s.PairOf(ctx, idb, guildID, userID)
	return fromRef(r), notInPair(err)
}

func (a pairhomePairs) Pair(ctx context.Context, idb bun.IDB, pairID int64) (Pair, error) {
	r, err := a.s.Pair(ctx, idb, pairID)
	return fromRef(r), notInPair(err)
}

func (a pairhomePairs) RequestPanel(ctx context.Context, tx bun.Tx, pairID int64) error {
	return a.s.RequestPanel(ctx, tx, pairID)
}

// hallOrNil keeps an absent hall a nil interface, not a typed nil.
func hallOrNil(r *hall.Refresher) HallRefresher {
	if r == nil {
		return nil
	}
	return r
}
