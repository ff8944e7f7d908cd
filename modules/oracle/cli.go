package oracle

import (
	"context"
	"errors"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/operator"
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
