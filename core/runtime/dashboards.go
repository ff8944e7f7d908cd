package runtime

import (
	"context"

	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/projection"
)

// dashboards lets /admin status and doctor read projections without the
// interaction layer importing the projection package.
type dashboards struct{ svc *projection.Service }

func (d dashboards) Dashboards(ctx context.Context, guildID uint64) ([]interaction.Dashboard, error) {
	states, err := d.svc.Dashboards(ctx, snowflake.ID(guildID))
	if err != nil {
		return nil, err
	}
	out := make([]interaction.Dashboard, 0, len(states))
	for _, s := range states {
		dash := interaction.Dashboard{Module: s.Module, Name: s.Kind + "/" + s.Key,
			ChannelID: uint64(s.ChannelID), MessageID: uint64(s.MessageID), LastError: s.LastError}
		if s.LastEditAt != nil {
			dash.LastEditAt = *s.LastEditAt
		}
		if s.BrokenSince != nil {
			dash.LastErrorAt = *s.BrokenSince
		}
		out = append(out, dash)
	}
	return out, nil
}
