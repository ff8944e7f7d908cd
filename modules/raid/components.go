package raid

import (
	"fmt"
	"strings"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/interaction"
)

// handlers answers the module's command and buttons.
type handlers struct{ s *service }

// newHandlers wraps the service.
func newHandlers(s *service) *handlers { return &handlers{s: s} }

// Components lists the buttons (point interaction.Components).
func (h *handlers) Components() []interaction.Component {
	return []interaction.Component{
		interaction.Button(Name, actTake, func(c *interaction.Context, _ customid.ID) error { return h.showToday(c) }, raidArg),
		interaction.Button(Name, actMine, h.mine, raidArg),
		interaction.Button(Name, actRules, h.rules, raidArg),
		interaction.Button(Name, actClaim, h.claim, raidArg, questKeyArg),
		interaction.Button(Name, actConfirm, h.confirm, claimArg),
	}
}

// maxRowButtons is Discord's limit for one action row.
const maxRowButtons = 5

// showToday is /raid quests and the "Take today's quests" button: today's
// offers with a claim button each, and the pair's claims — a pending one
// with its confirm button for the partner, so a claim whose room prompt
// never arrived can still be confirmed.
func (h *handlers) showToday(c *interaction.Context) error {
	t, err := h.s.TodayFor(c, c.GuildID(), c.UserID())
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(c.T("raid.quests.head", "day", string(t.Day)))
	inPair := t.Pair.ID != 0
	if inPair {
		b.WriteString("\n" + c.T("raid.quests.points", "points", t.Points, "cap", t.Raid.DailyCap, "week", t.Week))
	} else {
		b.WriteString("\n" + c.T("raid.quests.no_pair"))
	}
	claimed := map[string]claim{}
	for _, cl := range t.Claims {
		claimed[cl.QuestKey] = cl
	}
	var claimBtns, confirmBtns []discord.InteractiveComponent
	for i, q := range t.Offers {
		n := i + 1
		b.WriteString("\n\n" + fmt.Sprintf("%d. ", n) + c.T("raid.quest.line", "points", q.Points, "text", q.Text(c.Locale)))
		cl, ok := claimed[q.Key]
		switch {
		case !inPair:
		case !ok:
			id, err := claimID(t.Raid.ID, q.Key)
			if err != nil {
				return err
			}
			claimBtns = append(claimBtns, discord.NewPrimaryButton(c.T("raid.button.claim", "n", n), id))
		case cl.Status == claimConfirmed:
			b.WriteString("\n" + c.T("raid.quests.confirmed", "applied", cl.Applied, "points", cl.Points))
		case cl.RequestedBy == c.UserID():
			b.WriteString("\n" + c.T("raid.quests.waiting"))
		default:
			b.WriteString("\n" + c.T("raid.quests.to_confirm", "user", fmt.Sprintf("<@%d>", cl.RequestedBy)))
			id, err := confirmID(cl.ID)
			if err != nil {
				return err
			}
			confirmBtns = append(confirmBtns, discord.NewSuccessButton(c.T("raid.button.confirm_n", "n", n), id))
		}
	}
	if len(t.Offers) == 0 {
		b.WriteString("\n\n" + c.T("raid.quests.none"))
	}
	var rows []discord.LayoutComponent
	for _, group := range [][]discord.InteractiveComponent{confirmBtns, claimBtns} {
		for len(group) > 0 && len(rows) < 5 {
			k := min(maxRowButtons, len(group))
			rows = append(rows, discord.NewActionRow(group[:k]...))
			group = group[k:]
		}
	}
	return c.Reply(true, discord.MessageCreate{Content: b.String(), Components: rows, AllowedMentions: &discord.AllowedMentions{}})
}

func (h *handlers) claim(c *interaction.Context, id customid.ID) error {
	res, err := h.s.Claim(c, c.GuildID(), c.UserID(), id.Int64(0), id.Arg(1))
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("raid.reply.claimed", "points", res.Quest.Points))
}

func (h *handlers) confirm(c *interaction.Context, id customid.ID) error {
	res, err := h.s.Confirm(c, c.GuildID(), c.UserID(), id.Int64(0))
	if err != nil {
		return err
	}
	var text string
	switch {
	case res.Applied == 0:
		text = c.T("raid.reply.confirmed_capped", "cap", res.Cap)
	case res.Capped():
		text = c.T("raid.reply.confirmed_partial", "applied", res.Applied, "points", res.Claim.Points, "cap", res.Cap)
	default:
		text = c.T("raid.reply.confirmed", "points", res.Applied, "today", res.UsedToday, "cap", res.Cap)
	}
	if res.JustCompleted {
		text += "\n" + c.T("raid.reply.goal_reached", "goal", res.Raid.Goal)
	}
	return c.ReplyText(true, text)
}

func (h *handlers) mine(c *interaction.Context, id customid.ID) error {
	ct, err := h.s.Contribution(c, c.GuildID(), c.UserID(), id.Int64(0))
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("raid.reply.mine", "today", ct.Today, "cap", ct.Cap, "week", ct.Week))
}

func (h *handlers) rules(c *interaction.Context, id customid.ID) error {
	r, err := guildRaid(c, h.s.DB.Bun, c.GuildID(), id.Int64(0))
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("raid.reply.rules", "cap", r.DailyCap, "offers", r.OffersPerDay))
}

func channelMention(id uint64) string { return fmt.Sprintf("<#%d>", id) }
