package hello

import (
	"context"
	"fmt"

	"github.com/together-bot/together/core/operator"
)

// operatorCommands is hello's line of the runbook.
var operatorCommands = []operator.Command{
	operator.GuildCommand(Name, "top", "the members who said hello most in a guild", topGreeters),
}

// topGreeters is `app hello top --guild=G`: up to ten members, most hellos first.
func topGreeters(ctx context.Context, g operator.Guild) error {
	var rows []struct {
		UserID uint64 `bun:"user_id"`
		Count  int    `bun:"count"`
	}
	if err := g.DB.Bun.NewRaw(`SELECT user_id, count FROM hello_greetings WHERE guild_id = ? AND count > 0
		ORDER BY count DESC, user_id LIMIT 10`, g.ID).Scan(ctx, &rows); err != nil {
		return fmt.Errorf("hello top: %w", err)
	}
	if len(rows) == 0 {
		g.Printf("nobody has said hello in guild %d\n", g.ID)
		return nil
	}
	for _, r := range rows {
		g.Printf("%d\t%d\n", r.UserID, r.Count)
	}
	return nil
}
