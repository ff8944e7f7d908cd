package hello

import (
	"context"
	"fmt"

	"github.com/together-bot/together/core/operator"
)

// operatorCommands is hello's line of the runbook: `app hello top --guild=G`.
var operatorCommands = []operator.Command{operator.GuildCommand(Name, "top",
	"the members who said hello most in a guild",
	func(ctx context.Context, env *operator.Env, conn *operator.Conn, guildID uint64) error {
		var rows []struct {
			UserID uint64 `bun:"user_id"`
			Count  int    `bun:"count"`
		}
		if err := conn.DB.Bun.NewRaw(`SELECT user_id, count FROM hello_greetings WHERE guild_id = ? AND count > 0
			ORDER BY count DESC, user_id LIMIT 10`, guildID).Scan(ctx, &rows); err != nil {
			return fmt.Errorf("hello top: %w", err)
		}
		if len(rows) == 0 {
			fmt.Fprintf(env.Stdout, "nobody has said hello in guild %d\n", guildID)
			return nil
		}
		for _, r := range rows {
			fmt.Fprintf(env.Stdout, "%d\t%d\n", r.UserID, r.Count)
		}
		return nil
	})}
