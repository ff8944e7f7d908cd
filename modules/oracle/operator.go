package oracle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/projection"
)

// PublishNow is `app oracle publish --guild=G`: it does what /oracle
// publish-now does, from outside a running bot. The dashboard refresh is
// queued in the same transaction; any running process serving the
// "projection" queue edits (or recreates) the message. It refuses a guild
// where oracle is off or has no channel (guild.ErrModuleOff, guild.ErrNoChannel).
func PublishNow(ctx context.Context, d *db.DB, cfg *config.Config, guildID uint64) (Published, error) {
	log := slog.Default()
	guilds, err := guild.NewService(d, log, []guild.ChannelPurpose{ChannelPurpose})
	if err != nil {
		return Published{}, err
	}
	guilds.SetDefaults(cfg.DefaultLocale, cfg.DefaultTimezone)
	proj, err := projection.New(projection.Config{DB: d, Logger: log})
	if err != nil {
		return Published{}, err
	}
	svc, err := newService(serviceConfig{Core: modcore.Core{DB: d, Guilds: guilds, Projections: proj, Logger: log}})
	if err != nil {
		return Published{}, err
	}
	// Requesting a refresh needs the dashboard's kind registered.
	if err := proj.Register(svc.renderer()); err != nil {
		return Published{}, err
	}
	p, err := svc.PublishNow(ctx, guildID, 0)
	// The refusals' texts are written for members in Discord; the operator
	// reads what is wrong in plain words, and errors.Is still matches.
	switch {
	case errors.Is(err, guild.ErrModuleOff):
		return p, fmt.Errorf("oracle: module is turned off in this guild: %w", err)
	case errors.Is(err, guild.ErrNoChannel):
		return p, fmt.Errorf("oracle: no oracle channel configured: %w", err)
	}
	return p, err
}
