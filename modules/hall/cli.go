package hall

import (
	"context"

	"github.com/together-bot/together/core/operator"
)

// operatorCommands are hall's lines of the runbook.
var operatorCommands = []operator.Command{
	operator.GuildCommand(Name, "refresh", "re-send the guild's hall of fame cards (recreating deleted ones)", refreshCards),
}

// refreshCards is `app hall refresh --guild=G`.
func refreshCards(ctx context.Context, g operator.Guild) error {
	n, err := Refresh(ctx, g.DB, g.ID)
	if err != nil {
		return err
	}
	g.Printf("queued a hall sync for guild %d and re-sent %d card(s); a running bot with hall edits them within seconds\n", g.ID, n)
	return nil
}
