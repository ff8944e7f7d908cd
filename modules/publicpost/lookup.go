package publicpost

import (
	"context"
	"fmt"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/discord/resterr"
)

// lookupSkew widens the search window for clock differences between our
// hosts and Discord's snowflake timestamps.
const lookupSkew = time.Minute

// lookup searches the channel for a message an earlier attempt created, for
// posts whose first attempt is older than NonceTrust (Discord may have
// forgotten the nonce, so enforce_nonce alone could not stop a duplicate).
//
// Window: messages created from first_attempt_at - 1 min onwards, oldest
// first, at most cfg.LookupLimit of them. A message matches when it carries
// the post's nonce, or — because Discord does not promise to return nonces
// when listing messages — when it was written by this bot with exactly the
// post's content and is not already recorded as another post's message.
// A channel busier than LookupLimit messages since the first attempt is
// searched only partly; that is the documented residual risk of a duplicate.
//
// A post whose lookup is forbidden (no Read Message History) is sent anyway:
// not publishing at all would be worse than the rare duplicate.
func (p *Publisher) lookup(ctx context.Context, c *claim) (*discord.Message, error) {
	since := c.FirstAttemptAt.Add(-lookupSkew)
	taken, err := otherMessageIDs(ctx, p.db.Bun, c.ChannelID, c.ID, since)
	if err != nil {
		return nil, err
	}
	nonce := Nonce(c.ID)
	bot := snowflake.ID(p.botID.Load())
	after := snowflake.New(since)
	for read := 0; read < p.cfg.LookupLimit; {
		page, err := p.page(ctx, c.ChannelID, after, min(100, p.cfg.LookupLimit-read))
		if resterr.IsForbidden(err) {
			p.log.Warn("cannot read the channel to check for an earlier copy; sending anyway",
				"post_id", c.ID, "channel_id", c.ChannelID, "error", err)
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			after = max(after, m.ID)
			if taken[uint64(m.ID)] {
				continue
			}
			ours := m.Author.Bot && (bot == 0 || m.Author.ID == bot)
			if string(m.Nonce) == nonce && ours || ours && m.Content == c.Payload.Content {
				return &m, nil
			}
		}
		read += len(page)
		if len(page) < 100 {
			break
		}
	}
	return nil, nil
}

func (p *Publisher) page(ctx context.Context, channelID uint64, after snowflake.ID, limit int) ([]discord.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.SendTimeout)
	defer cancel()
	msgs, err := p.discord.GetMessages(snowflake.ID(channelID), 0, 0, after, limit, rest.WithCtx(ctx))
	if err != nil {
		return nil, fmt.Errorf("list channel messages: %w", err)
	}
	return msgs, nil
}
