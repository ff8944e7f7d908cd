package oracle

import (
	"context"
	"log/slog"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/projection"
)

// PublishNow is `app oracle publish --guild=G`: it does what /oracle
// publish-now does, from outside a running bot. The dashboard refresh is
// queued in the same transaction; any running process serving the
// "projection" queue edits (or recreates) the message. It refuses a guild
// where oracle is off or has no channel (ErrModuleOff, ErrNoChannel).
func PublishNow(ctx context.Context, d *db.DB, cfg *config.Config, guildID uint64) (Published, error) {
	log := slog.Default()
	guilds, err := guild.NewService(d, log, []guild.ChannelPurpose{ChannelPurpose})
	if err != nil {
		return Published{}, err
	}
	lib, err := DefaultLibrary()
	if err != nil {
		return Published{}, err
	}
	r, err := NewRenderer(guilds, lib, cfg.DefaultTimezone, cfg.DefaultLocale, false)
	if err != nil {
		return Published{}, err
	}
	proj, err := projection.New(projection.Config{DB: d, Renderers: []projection.Renderer{r}, Logger: log})
	if err != nil {
		return Published{}, err
	}
	svc, err := NewService(Config{DB: d, Settings: guilds, Projections: proj, Library: lib,
		DefaultTimezone: cfg.DefaultTimezone, DefaultLocale: cfg.DefaultLocale, Logger: log})
	if err != nil {
		return Published{}, err
	}
	return svc.PublishNow(ctx, guildID, 0)
}
