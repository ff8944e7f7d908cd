package duel

import (
	"context"
	"errors"
	"log/slog"

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
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
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
		),
		module.Contribute(projection.Renderers, func(s *Service) []projection.Renderer { return []projection.Renderer{boardRenderer(s)} }),
		module.Contribute(interaction.Commands, func(h *Handlers) []interaction.Command { return []interaction.Command{h.Command()} }),
		module.Contribute(interaction.Components, func(h *Handlers) []interaction.Component { return h.Components() }),
		module.Contribute(queue.Jobs, func(s *Service) []queue.Job { return s.Jobs() }),
		module.Contribute(queue.Schedules, func(s *Service) []queue.Schedule { return []queue.Schedule{s.Schedule()} }),
		module.Add(i18n.Catalogs, Catalog),
		module.Contribute(pairhomeapi.Sections, func(s *Service) []pairhomeapi.Section { return []pairhomeapi.Section{pairSection(s)} }),
		module.Contribute(hallapi.Categories, func(s *Service) []hallapi.Category { return []hallapi.Category{hallCategory(s)} }),
		module.Contribute(interaction.Modals, func(h *Handlers) []interaction.Modal { return h.Modals() }),
	),
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
	Gate        queue.Gate        `optional:"true"`
	Hall        hallapi.Refresher `optional:"true"`
}

func newFxService(d fxDeps) (*Service, error) {
	return NewService(Config{DB: d.DB, Pairs: pairhomePairs{d.Pairs}, Projections: d.Projections, Discord: d.Rest,
		Settings: d.Guilds, Gate: d.Gate, Bundle: d.Bundle, DefaultLocale: d.Config.DefaultLocale, Logger: d.Logger,
		Hall: d.Hall})
}

// boardRenderer is the scoreboard's projection renderer.
func boardRenderer(s *Service) projection.Renderer {
	return projection.Renderer{Kind: BoardKind, Module: Name, Render: s.renderBoard}
}

// pairSection is duel's part of the Pair Home panel.
func pairSection(s *Service) pairhomeapi.Section {
	return pairhomeapi.Section{Module: Name, Order: sectionOrder,
		Render: func(ctx context.Context, idb bun.IDB, p pairhomeapi.Pair, locale string) (pairhomeapi.SectionView, error) {
			v, err := s.RenderSection(ctx, idb, fromRef(p), locale)
			return pairhomeapi.SectionView{Text: v.Text, Buttons: v.Buttons}, err
		}}
}

// pairhomePairs adapts pairhome's Service to Pairs.
type pairhomePairs struct{ s *pairhome.Service }

func fromRef(p pairhomeapi.Pair) Pair {
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
