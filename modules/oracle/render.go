package oracle

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// DashboardKind is the projection kind of the weekly dashboard; its key is
// the guild id in decimal (DashboardKey).
const DashboardKind = "oracle.dashboard"

// accent is the dashboard's embed colour.
const accent = 0x74512d

// DashboardKey is the projection key of a guild's dashboard.
func DashboardKey(guildID uint64) string { return strconv.FormatUint(guildID, 10) }

// Custom-id actions. The week travels in every id so a card or picker from
// an earlier week is recognised as stale instead of claiming the wrong week.
const (
	actOpen    = "open"   // open:<week>
	actAbout   = "about"  // about:<week>
	actRitual  = "ritual" // ritual:<week>
	actTone    = "tone"   // tone:<week>:<context>  (select; value = tone)
	actContext = "ctx"    // ctx:<week>:<tone>      (select; value = context)
	actClaim   = "claim"  // claim:<week>:<tone>:<context>
	actDM      = "dm"     // dm:<week>
	actPair    = "pair"   // pair:<week>
)

// renderer draws the dashboard. It needs only the guild settings and the
// library, so tests render without a Service.
type renderer struct {
	guilds        guildSettings
	lib           *Library
	texts         *i18n.Bundle
	pairsDeployed bool
	st            store
}

// renderer is the dashboard renderer (projection.Renderers).
func (s *Service) renderer() projection.Renderer {
	return newRenderer(s.Guilds, s.lib, s.texts, s.pairs != nil)
}

// newRenderer: pairsDeployed says whether pairhome runs in this process.
func newRenderer(guilds guildSettings, lib *Library, texts *i18n.Bundle, pairsDeployed bool) projection.Renderer {
	r := &renderer{guilds: guilds, lib: lib, texts: texts, pairsDeployed: pairsDeployed}
	return projection.Renderer{Kind: DashboardKind, Module: Name, Render: r.render}
}

// render reads the snapshot and draws the card. Guild settings (locale,
// zone, whether pairhome is on) come from the settings cache, the channel
// and the rest from the snapshot transaction.
func (r *renderer) render(ctx context.Context, idb bun.IDB, key string) (projection.Rendered, error) {
	guildID, err := strconv.ParseUint(key, 10, 64)
	if err != nil {
		return projection.Rendered{}, fmt.Errorf("oracle: dashboard key %q: %w", key, err)
	}
	st, err := r.guilds.Settings(ctx, guildID)
	if err != nil {
		return projection.Rendered{}, err
	}
	// Through the snapshot, not the settings cache: the render a channel
	// change requests must see that change in every process.
	ch, err := guild.ReadChannel(ctx, idb, guildID, ChannelPurpose)
	if err != nil {
		return projection.Rendered{}, err
	}
	if ch == 0 {
		// The channel was unset: take the card down until one is set again.
		return projection.Rendered{GuildID: snowflake.ID(guildID), Gone: true}, nil
	}
	d, ok, err := r.st.dashboard(ctx, idb, guildID)
	if err != nil {
		return projection.Rendered{}, err
	}
	if !ok {
		return projection.Rendered{GuildID: snowflake.ID(guildID), Gone: true}, nil
	}
	archKey, err := r.st.weekArchetype(ctx, idb, guildID, d.Week)
	if err != nil {
		return projection.Rendered{}, err
	}
	count, err := r.st.countClaims(ctx, idb, guildID, d.Week)
	if err != nil {
		return projection.Rendered{}, err
	}
	locale := r.guilds.Locale(ctx, guildID)
	a, ok := r.lib.Archetype(locale, archKey)
	if !ok {
		return projection.Rendered{}, fmt.Errorf("oracle: archetype %q of week %s is not in the library", archKey, d.Week)
	}
	v := dashboardView{Week: d.Week, PublishedAt: d.PublishedAt, Loc: r.guilds.Location(ctx, guildID), Locale: locale,
		Archetype: a, Claims: count, Ritual: r.pairsDeployed && st.ModuleOn(pairhomeapi.Name)}
	return projection.Rendered{GuildID: snowflake.ID(guildID), ChannelID: snowflake.ID(ch), Message: v.message(r.texts)}, nil
}

// dashboardView is everything the card shows; message is a pure function of it.
type dashboardView struct {
	Week Week
	// PublishedAt is shown as the embed's timestamp; publish-now moves it.
	PublishedAt time.Time
	Loc         *time.Location
	Locale      string
	Archetype   *Archetype
	Claims      int
	Ritual      bool
}

func (v dashboardView) message(texts *i18n.Bundle) discord.MessageCreate {
	t := func(key string, args ...any) string { return texts.T(v.Locale, key, args...) }
	w := v.Week.String()
	embed := discord.Embed{
		Title: t("oracle.card.title"),
		Description: t("oracle.card.archetype", "title", v.Archetype.Title, "theme", v.Archetype.Theme) +
			"\n\n" + t("oracle.card.intro"),
		Color:     accent,
		Timestamp: ptr(v.PublishedAt.UTC()),
		Fields: []discord.EmbedField{
			{Name: t("oracle.card.week"), Value: weekRange(v.Week, v.Loc, v.Locale), Inline: ptr(true)},
			{Name: t("oracle.card.claims"), Value: strconv.Itoa(v.Claims), Inline: ptr(true)},
		},
		Footer: &discord.EmbedFooter{Text: t("oracle.card.footer", "week", w, "hour", fmt.Sprintf("%02d:00", PublishHour),
			"zone", v.Loc.String())},
	}
	buttons := []discord.InteractiveComponent{
		discord.NewPrimaryButton(t("oracle.button.get"), customid.MustNew(Name, actOpen, w)),
		discord.NewSecondaryButton(t("oracle.button.about"), customid.MustNew(Name, actAbout, w)),
	}
	if v.Ritual {
		buttons = append(buttons, discord.NewSuccessButton(t("oracle.button.ritual"), customid.MustNew(Name, actRitual, w)))
	}
	return discord.MessageCreate{
		Embeds:          []discord.Embed{embed},
		Components:      []discord.LayoutComponent{discord.NewActionRow(buttons...)},
		AllowedMentions: &discord.AllowedMentions{},
	}
}

func ptr[T any](v T) *T { return &v }

var monthsRU = [...]string{"янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"}

// weekRange is "23 Nov – 29 Nov 2026" (en) or "23 ноя – 29 ноя 2026" (ru).
func weekRange(w Week, loc *time.Location, locale string) string {
	mon, sun := w.Start(loc), w.Sunday(loc)
	day := func(t time.Time) string {
		if locale == i18n.RU {
			return fmt.Sprintf("%d %s", t.Day(), monthsRU[t.Month()-1])
		}
		return fmt.Sprintf("%d %s", t.Day(), t.Month().String()[:3])
	}
	return fmt.Sprintf("%s – %s %d", day(mon), day(sun), sun.Year())
}

// guidanceText writes a claim's guidance; the result is stored with the
// claim, so later views and copies show exactly this text.
func (s *Service) guidanceText(locale, key string, w Week, t Tone, c Context) (string, error) {
	a, ok := s.lib.Archetype(locale, key)
	g, ok2 := s.lib.Guidance(locale, key, t, c)
	if !ok || !ok2 {
		return "", fmt.Errorf("oracle: no guidance for %s/%s/%s", key, t, c)
	}
	tr := func(k string, args ...any) string { return s.texts.T(locale, k, args...) }
	lines := []string{
		tr("oracle.guidance.head", "title", a.Title, "week", w.String()),
		tr("oracle.guidance.choice", "tone", tr("oracle.tone."+string(t)), "context", tr("oracle.context."+string(c))),
		"",
		tr("oracle.guidance.risk", "text", g.Risk),
		tr("oracle.guidance.step", "text", g.Step),
		tr("oracle.guidance.say", "text", g.Say),
		tr("oracle.guidance.avoid", "text", g.Avoid),
		tr("oracle.guidance.challenge", "text", g.Challenge),
	}
	return strings.Join(lines, "\n"), nil
}

// pickerMessage is the ephemeral tone/context picker. The choice so far
// lives in the custom ids, so any replica can handle the next click.
func pickerMessage(texts *i18n.Bundle, locale string, w Week, t Tone, c Context) discord.MessageCreate {
	tr := func(k string, args ...any) string { return texts.T(locale, k, args...) }
	ws := w.String()
	tones := make([]discord.StringSelectMenuOption, 0, len(Tones))
	for _, x := range Tones {
		o := discord.NewStringSelectMenuOption(tr("oracle.tone."+string(x)), string(x))
		o.Description = tr("oracle.tone_hint." + string(x))
		o.Default = x == t
		tones = append(tones, o)
	}
	ctxs := make([]discord.StringSelectMenuOption, 0, len(Contexts))
	for _, x := range Contexts {
		o := discord.NewStringSelectMenuOption(tr("oracle.context."+string(x)), string(x))
		o.Default = x == c
		ctxs = append(ctxs, o)
	}
	return discord.MessageCreate{
		Content: tr("oracle.picker.prompt"),
		Components: []discord.LayoutComponent{
			discord.NewActionRow(discord.NewStringSelectMenu(customid.MustNew(Name, actTone, ws, string(c)), tr("oracle.picker.tone"), tones...)),
			discord.NewActionRow(discord.NewStringSelectMenu(customid.MustNew(Name, actContext, ws, string(t)), tr("oracle.picker.context"), ctxs...)),
			discord.NewActionRow(discord.NewPrimaryButton(tr("oracle.button.claim"), customid.MustNew(Name, actClaim, ws, string(t), string(c)))),
		},
		AllowedMentions: &discord.AllowedMentions{},
	}
}

// guidanceMessage shows a claim with its copy buttons; a copy already sent
// shows as a disabled "sent" button.
func guidanceMessage(texts *i18n.Bundle, locale string, c Claim) discord.MessageCreate {
	tr := func(k string, args ...any) string { return texts.T(locale, k, args...) }
	lead := tr("oracle.claim.again")
	if c.New {
		lead = tr("oracle.claim.new")
	}
	ws := c.Week.String()
	dm := discord.NewSecondaryButton(tr("oracle.button.dm"), customid.MustNew(Name, actDM, ws))
	if c.DMSent {
		dm = dm.WithLabel(tr("oracle.button.dm_sent")).AsDisabled()
	}
	buttons := []discord.InteractiveComponent{dm}
	if c.PairRoom {
		pair := discord.NewSecondaryButton(tr("oracle.button.pair"), customid.MustNew(Name, actPair, ws))
		if c.PairSent {
			pair = pair.WithLabel(tr("oracle.button.pair_sent")).AsDisabled()
		}
		buttons = append(buttons, pair)
	}
	return discord.MessageCreate{
		Content:         lead + "\n\n" + c.Body,
		Components:      []discord.LayoutComponent{discord.NewActionRow(buttons...)},
		AllowedMentions: &discord.AllowedMentions{},
	}
}
