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
	"github.com/together-bot/together/core/operator"
	"github.com/together-bot/together/core/projection"
)

// operatorCommands are oracle's lines of the runbook.
var operatorCommands = []operator.Command{
	operator.GuildCommand(Name, "publish", "point the guild's oracle dashboard at this week now", publishDashboard),
}

// publishDashboard is `app oracle publish --guild=G`. A guild where oracle
// is off or has no channel is the operator's mistake (exit 2), not a failure.
func publishDashboard(ctx context.Context, g operator.Guild) error {
	res, err := PublishNow(ctx, g.DB, g.Config, g.ID)
	switch {
	case errors.Is(err, guild.ErrModuleOff), errors.Is(err, guild.ErrNoChannel):
		return operator.Usagef("guild %d: %v", g.ID, err)
	case err != nil:
		return err
	}
	verb := "refreshed"
	if res.Moved {
		verb = "moved to"
	}
	g.Printf("oracle dashboard of guild %d %s week %s in channel %d; a running bot edits the message within seconds\n",
		g.ID, verb, res.Week, res.ChannelID)
	return nil
}

// PublishNow is the work of `app oracle publish --guild=G`: what /oracle
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
