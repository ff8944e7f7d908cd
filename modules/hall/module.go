package hall

import (
	"context"
	"errors"
	"log/slog"

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
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/hall/migrations"
	"github.com/together-bot/together/modules/pairhome"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// channelPurposeKey names the hall channel's purpose.
const channelPurposeKey = "channel"

// ChannelPurpose asks /config and /setup for the channel the cards go to.
var ChannelPurpose = guild.ChannelPurpose{Module: Name, Key: channelPurposeKey, NameKey: "hall.purpose.channel",
	Kind: guild.Text, Required: true}

// Descriptor is the module as the catalog sees it. hall requires pairhome:
// categories rank pairs, and only pairhome knows a pair's members (for the
// consent check and the names) and how many pairs are active. It requires
// no category module: duel, raid and others contribute when deployed.
var Descriptor = module.Descriptor{
	Name:       Name,
	Requires:   []string{pairhome.Name},
	Operator:   operatorCommands,
	Migrations: migrations.FS,
	Options: fx.Module(Name,
		fx.Provide(
			func(p *projection.Service) *Refresher { return NewRefresher(p) },
			func(r *Refresher) hallapi.Refresher { return r },
			newFxService,
		),
		module.Contribute(projection.Renderers, func(s *Service) []projection.Renderer {
			return []projection.Renderer{{Kind: CardKind, Module: Name, Render: s.renderCard}}
		}),
		module.Contribute(interaction.Commands, func(s *Service) []interaction.Command { return []interaction.Command{s.Command()} }),
		module.Contribute(queue.Jobs, func(s *Service) []queue.Job { return s.Jobs() }),
		module.Contribute(queue.Schedules, func(s *Service) []queue.Schedule { return []queue.Schedule{s.Schedule()} }),
		module.Add(i18n.Catalogs, Catalog),
		module.Add(guild.Purposes, ChannelPurpose),
		module.Collect(hallapi.Categories),
	),
}

type fxDeps struct {
	fx.In
	DB         *db.DB
	Queue      *queue.Queue
	Config     *config.Config
	Guilds     *guild.Service
	Bundle     *i18n.Bundle
	Logger     *slog.Logger
	Refresher  *Refresher
	Pairs      *pairhome.Service
	Categories module.Contributions[hallapi.Category]
	Gate       queue.Gate `optional:"true"`
}

func newFxService(d fxDeps) (*Service, error) {
	return NewService(Config{DB: d.DB, Queue: d.Queue, Pairs: pairhomePairs{d.Pairs}, Guilds: d.Guilds,
		Refresher: d.Refresher, Categories: d.Categories.Items, Gate: d.Gate, Bundle: d.Bundle,
		DefaultLocale: d.Config.DefaultLocale, DefaultTimezone: d.Config.DefaultTimezone, Logger: d.Logger})
}

// pairhomePairs adapts pairhome's read service to Pairs.
type pairhomePairs struct{ s *pairhome.Service }

func fromRef(r pairhomeapi.Pair) Pair { return Pair{ID: r.ID, GuildID: r.GuildID, Members: r.Members} }

func noPair(err error) error {
	if errors.Is(err, pairhome.ErrNotFound) {
		return ErrNoPair
	}
	return err
}

func (a pairhomePairs) Pair(ctx context.Context, idb bun.IDB, pairID int64) (Pair, error) {
	r, err := a.s.Pair(ctx, idb, pairID)
	return fromRef(r), noPair(err)
}

func (a pairhomePairs) PairOf(ctx context.Context, idb bun.IDB, guildID, userID uint64) (Pair, error) {
	r, err := a.s.PairOf(ctx, idb, guildID, userID)
	return fromRef(r), noPair(err)
}

func (a pairhomePairs) ActivePairCount(ctx context.Context, idb bun.IDB, guildID uint64) (int, error) {
	refs, err := a.s.ActivePairs(ctx, idb, guildID)
	return len(refs), err
}
