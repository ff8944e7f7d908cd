package corecmd

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/refusal"
	"github.com/together-bot/together/core/usertext"
)

// /setup is an ephemeral checklist. Every select saves its answer to
// Postgres at once (no draft held in memory), so nothing is lost on restart
// and another admin sees the same state. The last step posts a test message
// to each configured dashboard channel and reports what Discord answered.

const (
	actSetupRole    = "setup_role"
	actSetupLocale  = "setup_locale"
	actSetupChannel = "setup_ch"
	actSetupPage    = "setup_page"
	actSetupTest    = "setup_test"

	// Page 0 holds the role and locale selects plus firstPageChannels
	// channel selects; later pages hold perPage channel selects (a message has
	// five rows and the last one is the navigation).
	firstPageChannels = 2
	perPage           = 4

	// localeAuto is the locale select's "follow the server's language".
	localeAuto = "auto"
)

// setupLocales are the locale select's values.
var setupLocales = []string{i18n.EN, i18n.RU, localeAuto}

func (c *Core) setupDefinition() discord.SlashCommandCreate {
	return interaction.Describer{Bundle: c.bundle}.Slash("setup", "core.cmd.setup")
}

func (c *Core) handleSetup(ic *interaction.Context) error {
	msg, err := c.setupView(ic, ic.Settings, 0)
	if err != nil {
		return err
	}
	return ic.Reply(true, msg)
}

func pageCount(n int) int {
	if n <= firstPageChannels {
		return 1
	}
	return 1 + (n-firstPageChannels+perPage-1)/perPage
}

func pageSlice(ps []guild.ChannelPurpose, page int) []guild.ChannelPurpose {
	lo, hi := 0, firstPageChannels
	if page > 0 {
		lo = firstPageChannels + (page-1)*perPage
		hi = lo + perPage
	}
	lo, hi = min(lo, len(ps)), min(hi, len(ps))
	return ps[lo:hi]
}

func (c *Core) setupView(ic *interaction.Context, st guild.Settings, page int) (discord.MessageCreate, error) {
	ps := c.guilds.Purposes()
	pages := pageCount(len(ps))
	page = max(0, min(page, pages-1))
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n%s\n\n", ic.T("core.setup.title"), ic.T("core.setup.intro"))
	check := func(done bool) string {
		if done {
			return "✅"
		}
		return "⬜"
	}
	localeText := ic.T("core.locale.auto") + " → " + ic.Locale
	if st.Locale != "" {
		localeText = localeName(c, ic.Locale, st.Locale)
	}
	fmt.Fprintf(&b, "%s %s: %s\n", check(st.Locale != ""), ic.T("core.label.locale"), localeText)
	role := ic.T("core.value.not_set")
	if st.ModeratorRoleID != 0 {
		role = fmt.Sprintf("<@&%d>", st.ModeratorRoleID)
	}
	fmt.Fprintf(&b, "%s %s: %s\n", check(st.ModeratorRoleID != 0), ic.T("core.label.moderator_role"), role)
	for _, p := range ps {
		b.WriteString(c.purposeLine(ic, st, p) + "\n")
	}
	if pages > 1 {
		fmt.Fprintf(&b, "\n%s\n", ic.T("core.setup.page", "page", page+1, "pages", pages))
	}

	var rows []discord.LayoutComponent
	if page == 0 {
		roleSel := discord.NewRoleSelectMenu(customid.MustNew(mod, actSetupRole), ic.T("core.setup.pick_role")).WithMinValues(0).WithMaxValues(1)
		if st.ModeratorRoleID != 0 {
			roleSel.DefaultValues = []discord.SelectMenuDefaultValue{discord.NewSelectMenuDefaultRole(snowflake.ID(st.ModeratorRoleID))}
		}
		opt := func(label, value string) discord.StringSelectMenuOption {
			o := discord.NewStringSelectMenuOption(label, value)
			o.Default = st.Locale == value || (value == localeAuto && st.Locale == "")
			return o
		}
		locSel := discord.NewStringSelectMenu(customid.MustNew(mod, actSetupLocale), ic.T("core.setup.pick_locale"),
			opt("English", i18n.EN), opt("Русский", i18n.RU), opt(ic.T("core.locale.auto"), localeAuto))
		rows = append(rows, discord.NewActionRow(roleSel), discord.NewActionRow(locSel))
	}
	for _, p := range pageSlice(ps, page) {
		id, err := customid.New(mod, actSetupChannel, p.ID(), strconv.Itoa(page))
		if err != nil {
			return discord.MessageCreate{}, fmt.Errorf("setup select for %s: %w", p.ID(), err)
		}
		sel := discord.NewChannelSelectMenu(id, usertext.Cut(c.purposeLabel(ic.Locale, p), 150)).
			WithMinValues(0).WithMaxValues(1).WithChannelTypes(channelTypesFor(p.Kind)...)
		if ch, ok := st.Channel(p.Module, p.Key); ok {
			sel.DefaultValues = []discord.SelectMenuDefaultValue{discord.NewSelectMenuDefaultChannel(snowflake.ID(ch))}
		}
		rows = append(rows, discord.NewActionRow(sel))
	}
	// At either end the button is disabled and names the page beyond
	// (-1 or pages), which keeps the two ids distinct as Discord requires.
	prev := discord.NewSecondaryButton("◀", customid.MustNew(mod, actSetupPage, strconv.Itoa(page-1)))
	prev.Disabled = page == 0
	next := discord.NewSecondaryButton("▶", customid.MustNew(mod, actSetupPage, strconv.Itoa(page+1)))
	next.Disabled = page >= pages-1
	test := discord.NewPrimaryButton(ic.T("core.setup.test_button"), customid.MustNew(mod, actSetupTest))
	rows = append(rows, discord.NewActionRow(prev, next, test))
	return discord.MessageCreate{Content: usertext.Cut(b.String(), interaction.MaxContent), Components: rows,
		AllowedMentions: &discord.AllowedMentions{}}, nil
}

// rerender refreshes the checklist message after a change.
func (c *Core) rerender(ic *interaction.Context, page int) error {
	st, err := c.guilds.Settings(ic, ic.GuildID())
	if err != nil {
		return err
	}
	msg, err := c.setupView(ic, st, page)
	if err != nil {
		return err
	}
	content, comps := msg.Content, msg.Components
	return ic.UpdateMessage(discord.MessageUpdate{Content: &content, Components: &comps, AllowedMentions: msg.AllowedMentions})
}

// The router checked each select's type and value count before these run.
func (c *Core) setupRole(ic *interaction.Context, _ customid.ID) error {
	in, _ := ic.ComponentInteraction()
	data := in.RoleSelectMenuInteractionData()
	var id uint64
	if len(data.Values) > 0 {
		id = uint64(data.Values[0])
	}
	if err := c.guilds.SetModeratorRole(ic, ic.GuildID(), ic.UserID(), id); err != nil {
		return err
	}
	return c.rerender(ic, 0)
}

func (c *Core) setupLocale(ic *interaction.Context, _ customid.ID) error {
	in, _ := ic.ComponentInteraction()
	v := in.StringSelectMenuInteractionData().Values[0]
	if v == localeAuto {
		v = ""
	}
	if err := c.guilds.SetLocale(ic, ic.GuildID(), ic.UserID(), v); err != nil {
		if errors.Is(err, guild.ErrBadLocale) {
			return refusal.New("core.config.bad_locale")
		}
		return err
	}
	ic.Locale = i18n.Resolve(v, guildLocaleOf(ic), c.defLoc)
	return c.rerender(ic, 0)
}

func (c *Core) setupChannel(ic *interaction.Context, id customid.ID) error {
	p, ok := c.guilds.Purpose(id.Arg(0))
	if !ok {
		return fmt.Errorf("setup channel: purpose %q passed the router's check but is unknown", id.Arg(0))
	}
	page := int(id.Int64(1))
	in, _ := ic.ComponentInteraction()
	data := in.ChannelSelectMenuInteractionData()
	var ch uint64
	if len(data.Values) > 0 {
		ch = uint64(data.Values[0])
		if rc, ok := data.Resolved.Channels[data.Values[0]]; ok && !kindMatches(p.Kind, rc.Type) {
			return refusal.New("core.config.channel_wrong_kind", "purpose", c.purposeLabel(ic.Locale, p), "kind", ic.T(kindKey(p.Kind)))
		}
	}
	if err := c.guilds.SetChannel(ic, ic.GuildID(), ic.UserID(), p.ID(), ch); err != nil {
		return err
	}
	return c.rerender(ic, page)
}

func (c *Core) setupPage(ic *interaction.Context, id customid.ID) error {
	return c.rerender(ic, int(id.Int64(0)))
}

// setupTest posts to every configured dashboard channel (purposes with
// TestPost) and reports each real result.
func (c *Core) setupTest(ic *interaction.Context, _ customid.ID) error {
	st, err := c.guilds.Settings(ic, ic.GuildID())
	if err != nil {
		return err
	}
	if err := ic.DeferUpdate(); err != nil {
		return err
	}
	var lines []string
	for _, p := range c.guilds.Purposes() {
		if !p.TestPost || !st.ModuleOn(p.Module) {
			continue
		}
		ch, ok := st.Channel(p.Module, p.Key)
		if !ok {
			lines = append(lines, fmt.Sprintf("⬜ %s: %s", c.purposeLabel(ic.Locale, p), ic.T("core.value.not_set")))
			continue
		}
		_, err := c.rest.CreateMessage(snowflake.ID(ch), discord.MessageCreate{
			Content:         ic.T("core.setup.test_post_body", "purpose", c.purposeLabel(ic.Locale, p)),
			AllowedMentions: &discord.AllowedMentions{},
		}, rest.WithCtx(ic))
		if err != nil {
			ic.Log.Warn("setup test post failed", "channel_id", ch, "purpose", p.ID(), "error", err)
			lines = append(lines, fmt.Sprintf("❌ %s: <#%d> — %s", c.purposeLabel(ic.Locale, p), ch, discordError(err)))
			continue
		}
		lines = append(lines, fmt.Sprintf("✅ %s: <#%d>", c.purposeLabel(ic.Locale, p), ch))
	}
	if len(lines) == 0 {
		return ic.ReplyText(true, ic.T("core.setup.test_none"))
	}
	return ic.ReplyLong(true, ic.T("core.setup.test_result")+"\n"+strings.Join(lines, "\n"))
}

// discordError is the error as Discord worded it ("50013 Missing Permissions").
func discordError(err error) string {
	var rp *rest.Error
	if errors.As(err, &rp) {
		return fmt.Sprintf("%d %s", rp.Code, rp.Message)
	}
	return err.Error()
}
