package oracle

import (
	"context"
	"errors"
	"fmt"

	"github.com/together-bot/together/core/operator"
)

// operatorCommands are oracle's lines of the runbook.
var operatorCommands = []operator.Command{operator.GuildCommand(Name, "publish",
	"point the guild's oracle dashboard at this week now",
	func(ctx context.Context, env *operator.Env, conn *operator.Conn, guildID uint64) error {
		res, err := PublishNow(ctx, conn.DB, conn.Config, guildID)
		switch {
		case errors.Is(err, ErrModuleOff), errors.Is(err, ErrNoChannel):
			return operator.Usagef("guild %d: %v", guildID, err)
		case err != nil:
			return err
		}
		verb := "refreshed"
		if res.Moved {
			verb = "moved to"
		}
		fmt.Fprintf(env.Stdout, "oracle dashboard of guild %d %s week %s in channel %d; a running bot edits the message within seconds\n",
			guildID, verb, res.Week, res.ChannelID)
		return nil
	})}
