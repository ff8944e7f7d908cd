package hall

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/projection"
)

// accent is the card's container colour (the original's).
const accent = 0x2f7d6d

// renderCard: a live card ranks the categories on now; a final card shows
// its frozen rows, in the channel it was finalized in, with the names of
// pairs whose consent was since withdrawn hidden. No card, no channel:
// nothing to show (a later render brings the message back).
func (s *Service) renderCard(ctx context.Context, idb bun.IDB, key string) (projection.Rendered, error) {
	guildID, m, err := parseCardKey(key)
	if err != nil {
		return projection.Rendered{Gone: true}, nil
	}
	c, err := loadCard(ctx, idb, guildID, m, false)
	if errors.Is(err, ErrNoCard) {
		return projection.Rendered{Gone: true}, nil
	}
	if err != nil {
		return projection.Rendered{}, err
	}
	var boards []Board
	channel, active := c.ChannelID, c.ActivePairs
	if c.Live() {
		// Through the snapshot, not the settings cache: the render a channel
		// change requests must see that change in every process.
		if channel, err = guild.ReadChannel(ctx, idb, guildID, ChannelPurpose); err != nil {
			return projection.Rendered{}, err
		}
		cats, err := s.enabled(ctx, guildID)
		if err != nil {
			return projection.Rendered{}, err
		}
		if boards, err = s.boards(ctx, idb, c, cats); err != nil {
			return projection.Rendered{}, err
		}
		if active, err = s.activePairCount(ctx, idb, guildID); err != nil {
			return projection.Rendered{}, err
		}
	} else if boards, err = loadBoards(ctx, idb, c); err != nil {
		return projection.Rendered{}, err
	}
	if channel == 0 {
		return projection.Rendered{Gone: true}, nil
	}
	return projection.Rendered{
		GuildID:   snowflake.ID(guildID),
		ChannelID: snowflake.ID(channel),
		Message:   s.buildCard(s.guilds.Locale(ctx, guildID), c, active, boards),
	}, nil
}

// buildCard is the pure part: card + standings → message. Nothing in it
// changes between renders of the same data (no "updated at"), so the
// hourly refresh costs no API call when nothing moved. Mentions never ping.
func (s *Service) buildCard(loc string, c Card, activePairs int, boards []Board) discord.MessageCreate {
	month := s.t(loc, "hall.month."+fmt.Sprintf("%02d", int(c.Month.Month)), "year", c.Month.Year)
	var head string
	if c.Live() {
		head = s.t(loc, "hall.card.title_live", "month", month) + "\n" +
			s.t(loc, "hall.card.closes", "when", fmt.Sprintf("<t:%d:f>", c.End.Unix()), "relative", fmt.Sprintf("<t:%d:R>", c.End.Unix()))
	} else {
		head = s.t(loc, "hall.card.title_final", "month", month)
	}
	head += "\n" + s.t(loc, "hall.card.active_pairs", "n", activePairs)
	comps := []discord.ContainerSubComponent{discord.NewTextDisplay(head)}
	if len(boards) == 0 {
		comps = append(comps, discord.NewSeparator(discord.SeparatorSpacingSizeSmall),
			discord.NewTextDisplay(s.t(loc, "hall.card.no_categories")))
	}
	for _, b := range boards {
		comps = append(comps, discord.NewSeparator(discord.SeparatorSpacingSizeSmall),
			discord.NewTextDisplay(s.boardText(loc, b)))
	}
	comps = append(comps, discord.NewSeparator(discord.SeparatorSpacingSizeSmall),
		discord.NewTextDisplay(s.t(loc, "hall.card.privacy")))
	return projection.Container(accent, comps...)
}

func (s *Service) boardText(loc string, b Board) string {
	name := b.Category
	if s.Bundle.Has(loc, b.NameKey) {
		// A frozen card may outlive its category's module (and its texts).
		name = s.t(loc, b.NameKey)
	}
	var sb strings.Builder
	sb.WriteString(s.t(loc, "hall.card.category", "name", name, "pairs", b.Participation))
	switch {
	case b.Participation == 0:
		sb.WriteString("\n" + s.t(loc, "hall.card.no_points"))
	case len(b.Top) == 0:
		sb.WriteString("\n" + s.t(loc, "hall.card.empty"))
	}
	for _, e := range b.Top {
		pair := fmt.Sprintf("<@%d> & <@%d>", e.Members[0], e.Members[1])
		if e.Hidden {
			pair = s.t(loc, "hall.card.hidden_pair")
		}
		sb.WriteString("\n" + s.t(loc, "hall.card.line", "place", e.Place, "pair", pair, "points", e.Points))
	}
	return sb.String()
}
