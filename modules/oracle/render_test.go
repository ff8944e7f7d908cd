package oracle

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/customid/customidtest"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/i18n/i18ntest"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/interaction/interactiontest"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/refusal"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// render runs the dashboard renderer on the current state, as the
// projection worker would.
func (e *env) render(pairsDeployed bool) projection.Rendered {
	e.t.Helper()
	r := newRenderer(e.guilds, e.svc.lib, e.svc.texts, pairsDeployed)
	out, err := r.Render(e.ctx, e.db.Bun, DashboardKey(e.guild))
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func buttonLabels(m discord.MessageCreate) []string {
	var out []string
	for _, row := range m.Components {
		if ar, ok := row.(discord.ActionRowComponent); ok {
			for _, c := range ar.Components {
				if b, ok := c.(discord.ButtonComponent); ok {
					out = append(out, b.Label)
				}
			}
		}
	}
	return out
}

func TestDashboardRendering(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	if got := e.render(false); !got.Gone {
		t.Fatalf("never published: %+v, want Gone", got)
	}
	p := e.publish()
	got := e.render(false)
	if got.Gone || uint64(got.ChannelID) != e.channel || uint64(got.GuildID) != e.guild {
		t.Fatalf("rendered %+v", got)
	}
	emb := got.Message.Embeds[0]
	key := PickArchetype(e.svc.lib.Keys(), e.guild, p.Week)
	a, _ := e.svc.lib.Archetype(i18n.EN, key)
	if !strings.Contains(emb.Description, a.Title) || !strings.Contains(emb.Description, a.Theme) {
		t.Errorf("description lacks the archetype: %q", emb.Description)
	}
	if emb.Fields[0].Value != "23 Nov – 29 Nov 2026" || emb.Fields[1].Value != "0" {
		t.Errorf("fields %+v", emb.Fields)
	}
	if !strings.Contains(emb.Footer.Text, "Europe/Moscow") || !strings.Contains(emb.Footer.Text, "10:00") {
		t.Errorf("footer %q", emb.Footer.Text)
	}
	if labels := buttonLabels(got.Message); strings.Join(labels, ",") != "Get guidance,What is this?" {
		t.Errorf("buttons without pairhome: %v", labels)
	}
	// Pairhome deployed and on (the default): the ritual button appears.
	if labels := buttonLabels(e.render(true).Message); strings.Join(labels, ",") != "Get guidance,What is this?,Pair ritual" {
		t.Errorf("buttons with pairhome: %v", labels)
	}
	// Deployed but off in this guild: hidden.
	if err := e.guilds.SetModule(e.ctx, e.guild, 0, pairhomeapi.Name, false); err != nil {
		t.Fatal(err)
	}
	if labels := buttonLabels(e.render(true).Message); len(labels) != 2 {
		t.Errorf("buttons with pairhome off: %v", labels)
	}
	// The guild's language.
	if err := e.guilds.SetLocale(e.ctx, e.guild, 0, i18n.RU); err != nil {
		t.Fatal(err)
	}
	ru := e.render(false).Message.Embeds[0]
	aru, _ := e.svc.lib.Archetype(i18n.RU, key)
	if ru.Title != "Оракул недели" || !strings.Contains(ru.Description, aru.Title) || ru.Fields[0].Value != "23 ноя – 29 ноя 2026" {
		t.Errorf("ru card: %+v", ru)
	}
	// Channel unset: the card is taken down.
	if err := e.guilds.SetChannel(e.ctx, e.guild, 0, ChannelPurpose.ID(), 0); err != nil {
		t.Fatal(err)
	}
	if got := e.render(false); !got.Gone {
		t.Fatalf("without channel: %+v, want Gone", got)
	}
}

func TestGuidanceAndPickerMessages(t *testing.T) {
	t.Parallel()
	texts := oracleTexts(t)
	w := Week{2026, 48}
	pk := pickerMessage(texts, i18n.EN, w, ToneNeutral, CtxJealousy)
	if len(pk.Components) != 3 {
		t.Fatalf("picker rows: %d", len(pk.Components))
	}
	tone := pk.Components[0].(discord.ActionRowComponent).Components[0].(discord.StringSelectMenuComponent)
	for _, o := range tone.Options {
		if o.Default != (o.Value == string(ToneNeutral)) {
			t.Errorf("tone option %s default=%v", o.Value, o.Default)
		}
	}
	id, err := customid.Parse(tone.CustomID)
	if err != nil || id.Action != actTone || id.Arg(0) != w.String() || id.Arg(1) != string(CtxJealousy) {
		t.Errorf("tone select id %q: %+v %v", tone.CustomID, id, err)
	}
	c := Claim{Week: w, Body: "body", New: true, DMSent: true, PairRoom: true}
	m := guidanceMessage(texts, i18n.EN, c)
	if !strings.HasSuffix(m.Content, "\n\nbody") || !strings.Contains(m.Content, "Here is your guidance") {
		t.Errorf("content %q", m.Content)
	}
	row := m.Components[0].(discord.ActionRowComponent).Components
	dm, pair := row[0].(discord.ButtonComponent), row[1].(discord.ButtonComponent)
	if !dm.Disabled || dm.Label != "Sent to your DMs" || pair.Disabled || pair.Label != "Send to our pair room" {
		t.Errorf("buttons %+v %+v", dm, pair)
	}
	c.New, c.PairRoom = false, false
	if m := guidanceMessage(texts, i18n.RU, c); !strings.Contains(m.Content, "уже получили") || len(m.Components[0].(discord.ActionRowComponent).Components) != 1 {
		t.Errorf("re-claim view: %+v", m)
	}
}

func TestCustomIDsFit(t *testing.T) {
	t.Parallel()
	const week = "9999-W53"
	for _, act := range []string{actOpen, actAbout, actRitual, actDM, actPair} {
		customidtest.RequireFits(t, Name, act, week)
	}
	customidtest.RequireFits(t, Name, actTone, week, string(CtxJealousy))
	customidtest.RequireFits(t, Name, actContext, week, string(ToneNeutral))
	customidtest.RequireFits(t, Name, actClaim, week, string(ToneNeutral), string(CtxJealousy))
}

// TestCatalog: tones and contexts are looked up by computed keys, and every
// refusal's key exists.
func TestCatalog(t *testing.T) {
	t.Parallel()
	var computed []string
	for _, tone := range Tones {
		computed = append(computed, "oracle.tone."+string(tone), "oracle.tone_hint."+string(tone))
	}
	for _, c := range Contexts {
		computed = append(computed, "oracle.context."+string(c))
	}
	for _, r := range []*refusal.Error{ErrNotPublished, ErrStaleCard, ErrNoClaim, ErrAlreadySent,
		ErrNoRoom, ErrNoPairhome, ErrBadChoice, errDMFailed, errPairFailed} {
		computed = append(computed, r.Key)
	}
	i18ntest.RequireModule(t, i18ntest.Module{Catalog: Catalog, With: []i18n.Catalog{interaction.Catalog}, MinKeys: 40,
		ShortKeys: true, NotKeys: []string{DashboardKind, PublishSchedule.Name, PublishDueArgs{}.Kind(), ChannelPurpose.ID()},
		Computed: computed})
}

func TestScheduleAndJob(t *testing.T) {
	t.Parallel()
	if PublishSchedule.Module != Name || publishDueJob(nil).Kind != PublishSchedule.Args.Kind() {
		t.Fatalf("schedule %+v", PublishSchedule)
	}
	if !strings.HasPrefix(PublishSchedule.Args.Kind(), Name+".") {
		t.Fatalf("job kind %q must start with the module name", PublishSchedule.Args.Kind())
	}
}

func TestPairSection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true, pairs: true})
	sec := newSection(e.svc.texts)
	anna, boris := e.users["anna"], e.users["boris"]
	pair := pairhomeapi.Pair{ID: 1, GuildID: e.guild, Members: [2]uint64{anna, boris}}
	if v, err := sec.Render(e.ctx, e.db.Bun, pair, i18n.EN); err != nil || !v.Empty() {
		t.Fatalf("before any publish: %+v, %v", v, err)
	}
	p := e.publish()
	if _, err := e.svc.ClaimGuidance(e.ctx, e.guild, anna, p.Week, ToneSoft, CtxAllGood, "en"); err != nil {
		t.Fatal(err)
	}
	v, err := sec.Render(e.ctx, e.db.Bun, pair, i18n.EN)
	if err != nil {
		t.Fatal(err)
	}
	want := "**Oracle of the week** · 2026-W48\n<@" + str(anna) + ">: has claimed guidance ✓\n<@" + str(boris) + ">: not yet"
	if v.Text != want {
		t.Fatalf("section text\n%s\nwant\n%s", v.Text, want)
	}
	if len(v.Buttons) != 1 || v.Buttons[0].CustomID != customid.MustNew(Name, actOpen, "2026-W48") {
		t.Fatalf("section buttons %+v", v.Buttons)
	}
	if sec.Module != Name || sec.Order != sectionOrder {
		t.Fatalf("section %+v", sec)
	}
	v, _ = sec.Render(e.ctx, e.db.Bun, pair, i18n.RU)
	if !strings.Contains(v.Text, "подсказка получена") || !strings.Contains(v.Text, "пока нет") {
		t.Fatalf("ru section %q", v.Text)
	}
}

func TestRitual(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true, pairs: true})
	if _, err := e.svc.Ritual(e.ctx, e.guild, e.users["anna"]); !errors.Is(err, pairhomeapi.ErrNoPair) {
		t.Fatalf("ritual without a pair: %v", err)
	}
	e.pairs.add(pairhomeapi.Pair{ID: 8, GuildID: e.guild, Members: [2]uint64{e.users["carol"], 999001}})
	if _, err := e.svc.Ritual(e.ctx, e.guild, e.users["carol"]); !errors.Is(err, ErrNoRoom) {
		t.Fatalf("ritual while the pair's room is pending: %v", err)
	}
	e.pairs.add(pairhomeapi.Pair{ID: 9, GuildID: e.guild, ChannelID: 777, Members: [2]uint64{e.users["anna"], e.users["boris"]}})
	room, err := e.svc.Ritual(e.ctx, e.guild, e.users["boris"])
	if err != nil || room != 777 {
		t.Fatalf("ritual: %d, %v", room, err)
	}
	if got := e.pairs.requests(); len(got) != 1 || got[0] != 9 {
		t.Fatalf("panel requests %v", got)
	}
	bare := newEnv(t, envOptions{noQueue: true})
	if _, err := bare.svc.Ritual(bare.ctx, bare.guild, bare.users["anna"]); !errors.Is(err, ErrNoPairhome) {
		t.Fatalf("ritual without pairhome: %v", err)
	}
}

func TestOperatorPublishNow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	cfg := &config.Config{DefaultTimezone: time.UTC, DefaultLocale: "en"}
	p, err := PublishNow(context.Background(), e.db, cfg, e.guild)
	if err != nil || p.ChannelID != e.channel || !p.Moved {
		t.Fatalf("operator publish: %+v, %v", p, err)
	}
	list, err := projection.List(e.ctx, e.db, projection.Filter{Kind: DashboardKind})
	if err != nil || len(list) != 1 || !list[0].Behind {
		t.Fatalf("refresh not requested: %+v, %v", list, err)
	}
	if _, err := PublishNow(context.Background(), e.db, cfg, 999); !errors.Is(err, guild.ErrNoChannel) {
		t.Fatalf("guild without a channel: %v", err)
	}
}

// Every button and select oracle renders (card, picker in every state,
// guidance view) is one its declaration accepts, so the router never
// refuses oracle's own components.
func TestRenderedComponentsMatchDeclarations(t *testing.T) {
	t.Parallel()
	texts := oracleTexts(t)
	declared := (&handlers{}).Components()
	w := Week{2026, 53}
	checked := 0
	card := dashboardView{Week: w, Locale: i18n.EN, Loc: time.UTC, Archetype: &Archetype{Title: "t"}, Ritual: true}.message(texts)
	checked += interactiontest.RequireAccepted(t, declared, card.Components)
	for _, tone := range Tones {
		for _, cx := range Contexts {
			checked += interactiontest.RequireAccepted(t, declared, pickerMessage(texts, i18n.RU, w, tone, cx).Components)
		}
	}
	g := guidanceMessage(texts, i18n.EN, Claim{Week: w, Body: "b", PairRoom: true})
	checked += interactiontest.RequireAccepted(t, declared, g.Components)
	if want := 3 + 3*len(Tones)*len(Contexts) + 2; checked != want {
		t.Fatalf("checked %d components, want %d", checked, want)
	}
}
