package hall

import (
	"context"
	"fmt"

	"github.com/together-bot/together/core/operator"
)

// operatorCommands are hall's lines of the runbook.
var operatorCommands = []operator.Command{operator.GuildCommand(Name, "refresh",
	"re-send the guild's hall of fame cards (recreating deleted ones)",
	func(ctx context.Context, env *operator.Env, conn *operator.Conn, guildID uint64) error {
		n, err := Refresh(ctx, conn.DB, guildID)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "queued a hall sync for guild %d and re-sent %d card(s); a running bot with hall edits them within seconds\n", guildID, n)
		return nil
	})}
