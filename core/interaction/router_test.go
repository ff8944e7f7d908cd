package interaction_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/i18n/i18ntest"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/logging/logtest"
	"github.com/together-bot/together/core/refusal"
)

const (
	guildA   = 500
	guildB   = 501
	userID   = 700
	modRole  = 900
	appID    = 42
	adminPrm = "8"
)

// --- fakes ---------------------------------------------------------------

type call struct {
	Kind    string // "respond:<type>", "edit", "followup"
	Content string
	Flags   discord.MessageFlags
	At      time.Time
}

type recorder struct {
	rest.Interactions // nil: only the two methods below are used
	mu                sync.Mutex
	calls             []call
}

func (r *recorder) add(c call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c.At = time.Now()
	r.calls = append(r.calls, c)
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

func (r *recorder) Calls() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

func (r *recorder) respond(t discord.InteractionResponseType, data discord.InteractionResponseData, _ ...rest.RequestOpt) error {
	c := call{Kind: fmt.Sprintf("respond:%d", t)}
	switch d := data.(type) {
	case discord.MessageCreate:
		c.Content, c.Flags = d.Content, d.Flags
	case discord.MessageUpdate:
		if d.Content != nil {
			c.Content = *d.Content
		}
	}
	r.add(c)
	return nil
}

func (r *recorder) UpdateInteractionResponse(_ snowflake.ID, _ string, m discord.MessageUpdate, _ ...rest.RequestOpt) (*discord.Message, error) {
	c := call{Kind: "edit"}
	if m.Content != nil {
		c.Content = *m.Content
	}
	r.add(c)
	return &discord.Message{}, nil
}

func (r *recorder) DeleteInteractionResponse(_ snowflake.ID, _ string, _ ...rest.RequestOpt) error {
	r.add(call{Kind: "delete"})
	return nil
}

func (r *recorder) CreateFollowupMessage(_ snowflake.ID, _ string, m discord.MessageCreate, _ ...rest.RequestOpt) (*discord.Message, error) {
	r.add(call{Kind: "followup", Content: m.Content, Flags: m.Flags})
	return &discord.Message{}, nil
}

type fakeSettings struct {
	mu    sync.Mutex
	by    map[uint64]guild.Settings
	err   error
	delay time.Duration
}

func (f *fakeSettings) Settings(ctx context.Context, id uint64) (guild.Settings, error) {
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return guild.Settings{}, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return guild.Settings{}, f.err
	}
	s := f.by[id]
	s.GuildID = id
	return s, nil
}

var (
	respCreate         = fmt.Sprintf("respond:%d", discord.InteractionResponseTypeCreateMessage)
	respDeferredCreate = fmt.Sprintf("respond:%d", discord.InteractionResponseTypeDeferredCreateMessage)
	respDeferredUpdate = fmt.Sprintf("respond:%d", discord.InteractionResponseTypeDeferredUpdateMessage)
)

// --- interactions as Discord sends them ---------------------------------

type member struct {
	perms string
	roles []string
}

func memberJSON(m member) string {
	if m.perms == "" {
		m.perms = "0"
	}
	roles, _ := json.Marshal(m.roles)
	if m.roles == nil {
		roles = []byte("[]")
	}
	return fmt.Sprintf(`{"user":{"id":"%d","username":"u"},"roles":%s,"permissions":"%s","joined_at":"2024-01-01T00:00:00Z"}`, userID, roles, m.perms)
}

func base(typ int, guildID uint64, m member, locale string) string {
	g := ""
	if guildID != 0 {
		g = fmt.Sprintf(`"guild_id":"%d","guild_locale":"%s","member":%s,`, guildID, locale, memberJSON(m))
	} else {
		g = fmt.Sprintf(`"user":{"id":"%d","username":"u"},`, userID)
	}
	return fmt.Sprintf(`"id":"%d","application_id":"%d","type":%d,"token":"tok","version":1,%s"channel_id":"600","locale":"en-US"`,
		time.Now().UnixNano()%1e12, appID, typ, g)
}

func unmarshal(t testing.TB, raw string) discord.Interaction {
	t.Helper()
	in, err := discord.UnmarshalInteraction([]byte(raw))
	if err != nil {
		t.Fatalf("unmarshal %s: %v", raw, err)
	}
	return in
}

func command(t *testing.T, guildID uint64, m member, name string, sub ...string) discord.Interaction {
	opts := "[]"
	if len(sub) > 0 {
		opts = fmt.Sprintf(`[{"name":%q,"type":1,"options":[]}]`, sub[0])
	}
	return unmarshal(t, "{"+base(2, guildID, m, "en-US")+fmt.Sprintf(`,"data":{"id":"9","name":%q,"type":1,"options":%s}}`, name, opts))
}

func button(t testing.TB, guildID uint64, m member, customID string) discord.Interaction {
	return component(t, guildID, m, customID, discord.ComponentTypeButton)
}

// component is a click on a component of type typ; values are a select's.
func component(t testing.TB, guildID uint64, m member, customID string, typ discord.ComponentType, values ...string) discord.Interaction {
	t.Helper()
	in, err := componentJSON(guildID, m, customID, typ, values)
	if err != nil {
		t.Fatalf("component %q type %d values %q: %v", customID, typ, values, err)
	}
	return in
}

func componentJSON(guildID uint64, m member, customID string, typ discord.ComponentType, values []string) (discord.Interaction, error) {
	data := map[string]any{"custom_id": customID, "component_type": typ}
	if values != nil {
		data["values"] = values
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	return discord.UnmarshalInteraction([]byte("{" + base(3, guildID, m, "en-US") + `,"data":` + string(raw) +
		`,"message":{"id":"800","channel_id":"600","content":"","author":{"id":"42","username":"bot"},"timestamp":"2024-01-01T00:00:00Z"}}`))
}

func modal(t testing.TB, guildID uint64, m member, customID string) discord.Interaction {
	return unmarshal(t, "{"+base(5, guildID, m, "en-US")+fmt.Sprintf(`,"data":{"custom_id":%q,"components":[]}}`, customID))
}

// --- harness -------------------------------------------------------------

type harness struct {
	r    *interaction.Router
	rec  *recorder
	set  *fakeSettings
	logs *logtest.Buffer
	ran  atomic.Int32
}

func newHarness(t testing.TB, o interaction.Options, hook func(h *harness) interaction.Options) *harness {
	t.Helper()
	h := &harness{rec: &recorder{}, set: &fakeSettings{by: map[uint64]guild.Settings{}}, logs: &logtest.Buffer{}}
	b := newBundle(t)
	var err error
	if hook != nil {
		o = hook(h)
	}
	o.Bundle = b
	if o.Settings == nil {
		o.Settings = h.set
	}
	o.Interactions = h.rec
	o.Log = slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.DefaultLocale = "en"
	h.r, err = interaction.NewRouter(o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func newBundle(t testing.TB) *i18n.Bundle {
	t.Helper()
	b, err := i18n.NewBundle(slog.New(slog.NewTextHandler(io.Discard, nil)), interaction.Catalog, testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (h *harness) run(in discord.Interaction) []call {
	before := len(h.rec.Calls())
	h.r.Handle(context.Background(), in, h.rec.respond)
	return h.rec.Calls()[before:]
}

var testCatalog = i18n.Catalog{Module: "test", Messages: map[string]map[string]string{
	"en": {"test.nope": "Nope, {who}.", "test.ok": "ok"},
	"ru": {"test.nope": "Нет, {who}.", "test.ok": "ок"},
}}

func (h *harness) options() interaction.Options {
	ok := func(c *interaction.Context) error { h.ran.Add(1); return c.ReplyText(true, c.T("test.ok")) }
	return interaction.Options{
		Commands: []interaction.Command{
			{Module: "duel", Definition: discord.SlashCommandCreate{Name: "duel", Description: "d"}, Handle: ok},
			{Module: "core", Staff: true, Definition: discord.SlashCommandCreate{Name: "config", Description: "c"}, Handle: ok},
			{Module: "test", Definition: discord.SlashCommandCreate{Name: "refuse", Description: "r"}, Handle: func(c *interaction.Context) error {
				return refusal.New("test.nope", "who", "you")
			}},
			{Module: "test", Definition: discord.SlashCommandCreate{Name: "boom", Description: "b"}, Handle: func(c *interaction.Context) error {
				panic("kaboom")
			}},
			{Module: "test", Definition: discord.SlashCommandCreate{Name: "fail", Description: "f"}, Handle: func(c *interaction.Context) error {
				return errors.New("disk on fire")
			}},
		},
		Components: []interaction.Component{
			{Module: "duel", Action: "vote", Type: discord.ComponentTypeButton, Args: []customid.Arg{customid.ID64("round")},
				Handle: func(c *interaction.Context, id customid.ID) error { h.ran.Add(1); return c.DeferUpdate() }},
		},
		Modals: []interaction.Modal{
			{Module: "duel", Action: "submit", Handle: func(c *interaction.Context, id customid.ID) error { h.ran.Add(1); return c.ReplyText(true, "thanks") }},
		},
	}
}

func std(t *testing.T) *harness {
	return newHarness(t, interaction.Options{}, func(h *harness) interaction.Options { return h.options() })
}

func only(t *testing.T, calls []call) call {
	t.Helper()
	if len(calls) != 1 {
		t.Fatalf("want exactly one answer, got %+v", calls)
	}
	return calls[0]
}

// --- tests ---------------------------------------------------------------

func TestCatalogComplete(t *testing.T) {
	i18ntest.RequireComplete(t, interaction.Catalog)
}

func TestStaffCommandRefusedForNonStaff(t *testing.T) {
	h := std(t)
	h.set.by[guildA] = guild.Settings{ModeratorRoleID: modRole}
	got := only(t, h.run(command(t, guildA, member{perms: "0"}, "config", "show")))
	if got.Kind != respCreate || !got.Flags.Has(discord.MessageFlagEphemeral) || !strings.Contains(got.Content, "Only administrators") {
		t.Fatalf("non-staff got %+v", got)
	}
	if h.ran.Load() != 0 {
		t.Fatal("handler ran for a non-staff member")
	}
	// Administrator, and the configured moderator role, pass.
	h.run(command(t, guildA, member{perms: adminPrm}, "config", "show"))
	h.run(command(t, guildA, member{perms: "0", roles: []string{fmt.Sprint(modRole)}}, "config", "show"))
	if h.ran.Load() != 2 {
		t.Fatalf("staff runs = %d, want 2", h.ran.Load())
	}
	// Another guild's moderator role id does not count here.
	h.run(command(t, guildB, member{perms: "0", roles: []string{fmt.Sprint(modRole)}}, "config", "show"))
	if h.ran.Load() != 2 {
		t.Fatal("moderator role of another guild accepted")
	}
}

func TestBadCustomIDsRefusedCleanly(t *testing.T) {
	h := std(t)
	good := customid.MustNew("duel", "vote", "123456789")
	for name, id := range map[string]string{
		"truncated":       good[:len(good)-2],
		"tampered":        strings.Replace(good, "123", "124", 1),
		"unknown version": "7" + good[1:],
		"foreign":         "/duel/vote",
		"empty":           "",
	} {
		t.Run(name, func(t *testing.T) {
			for _, in := range []discord.Interaction{button(t, guildA, member{perms: "0"}, id), modal(t, guildA, member{perms: "0"}, id)} {
				got := only(t, h.run(in))
				if got.Kind != respCreate || !got.Flags.Has(discord.MessageFlagEphemeral) || !strings.Contains(got.Content, "out of date") {
					t.Fatalf("bad id %q got %+v", id, got)
				}
			}
		})
	}
	if h.ran.Load() != 0 {
		t.Fatal("a handler ran for a bad custom id")
	}
	if !strings.Contains(h.logs.String(), "bad custom id") {
		t.Fatal("refusal not logged")
	}
	// An unknown but well-formed action is refused too.
	got := only(t, h.run(button(t, guildA, member{}, customid.MustNew("duel", "gone"))))
	if !strings.Contains(got.Content, "no longer available") {
		t.Fatalf("unknown action got %+v", got)
	}
}

func TestModuleOffRefusesOnlyThatGuild(t *testing.T) {
	h := std(t)
	h.set.by[guildA] = guild.Settings{Modules: map[string]bool{"duel": false}, Locale: "ru"}
	ins := []func(uint64) discord.Interaction{
		func(g uint64) discord.Interaction { return command(t, g, member{}, "duel") },
		func(g uint64) discord.Interaction {
			return button(t, g, member{}, customid.MustNew("duel", "vote", "1"))
		},
		func(g uint64) discord.Interaction { return modal(t, g, member{}, customid.MustNew("duel", "submit")) },
	}
	for _, mk := range ins {
		got := only(t, h.run(mk(guildA)))
		if !strings.Contains(got.Content, "Модуль **duel** выключен") || !got.Flags.Has(discord.MessageFlagEphemeral) {
			t.Fatalf("off guild got %+v", got)
		}
	}
	if h.ran.Load() != 0 {
		t.Fatal("handler ran in a guild where the module is off")
	}
	for _, mk := range ins {
		h.run(mk(guildB))
	}
	if h.ran.Load() != 3 {
		t.Fatalf("other guild ran %d of 3", h.ran.Load())
	}
}

func TestErrorsMappedOnce(t *testing.T) {
	h := std(t)
	got := only(t, h.run(command(t, guildA, member{}, "refuse")))
	if got.Content != "Nope, you." || !got.Flags.Has(discord.MessageFlagEphemeral) {
		t.Fatalf("user error got %+v", got)
	}
	for _, name := range []string{"boom", "fail"} {
		got = only(t, h.run(command(t, guildA, member{}, name)))
		if !strings.Contains(got.Content, "Something went wrong") {
			t.Fatalf("%s got %+v", name, got)
		}
		ref := got.Content[strings.Index(got.Content, "`")+1 : strings.LastIndex(got.Content, "`")]
		if !strings.Contains(h.logs.String(), `"correlation_id":"`+ref+`"`) {
			t.Fatalf("reference %s not in the error log", ref)
		}
	}
	if !strings.Contains(h.logs.String(), "kaboom") {
		t.Fatal("panic not logged")
	}
}

func TestDatabaseOutageAnsweredFast(t *testing.T) {
	h := std(t)
	h.set.delay = 10 * time.Second // a hung database
	start := time.Now()
	got := only(t, h.run(command(t, guildA, member{}, "duel")))
	if time.Since(start) > 2*time.Second || !strings.Contains(got.Content, "temporarily unavailable") {
		t.Fatalf("outage answer after %s: %+v", time.Since(start), got)
	}
	h.set.delay, h.set.err = 0, errors.New("dial tcp: connection refused")
	got = only(t, h.run(command(t, guildA, member{}, "duel")))
	if !strings.Contains(got.Content, "temporarily unavailable") {
		t.Fatalf("outage got %+v", got)
	}
}

func TestAutoDeferForSlowHandler(t *testing.T) {
	h := newHarness(t, interaction.Options{}, func(h *harness) interaction.Options {
		return interaction.Options{AutoDeferAfter: 50 * time.Millisecond, Commands: []interaction.Command{{
			Module: "test", Ephemeral: true, Definition: discord.SlashCommandCreate{Name: "slow", Description: "s"},
			Handle: func(c *interaction.Context) error {
				time.Sleep(200 * time.Millisecond)
				return c.ReplyText(true, "late")
			},
		}}, Components: []interaction.Component{{Module: "test", Action: "slow", Type: discord.ComponentTypeButton, Handle: func(c *interaction.Context, _ customid.ID) error {
			time.Sleep(200 * time.Millisecond)
			return c.ReplyText(true, "late click")
		}}}}
	})
	start := time.Now()
	calls := h.run(command(t, guildA, member{}, "slow"))
	if len(calls) != 2 || calls[0].Kind != respDeferredCreate || !calls[0].Flags.Has(discord.MessageFlagEphemeral) ||
		calls[0].At.Sub(start) > 150*time.Millisecond || calls[1].Kind != "edit" || calls[1].Content != "late" {
		t.Fatalf("slow command calls %+v", calls)
	}
	calls = h.run(button(t, guildA, member{}, customid.MustNew("test", "slow")))
	if len(calls) != 2 || calls[0].Kind != respDeferredUpdate || calls[1].Kind != "followup" || !calls[1].Flags.Has(discord.MessageFlagEphemeral) {
		t.Fatalf("slow component calls %+v", calls)
	}
}

// A public command that is slow and then refuses: the refusal is private and
// the public "thinking…" placeholder is removed.
func TestPrivateAnswerAfterPublicDefer(t *testing.T) {
	h := newHarness(t, interaction.Options{}, func(h *harness) interaction.Options {
		return interaction.Options{AutoDeferAfter: 30 * time.Millisecond, Commands: []interaction.Command{{
			Module: "test", Definition: discord.SlashCommandCreate{Name: "pub", Description: "p"},
			Handle: func(c *interaction.Context) error {
				time.Sleep(100 * time.Millisecond)
				return refusal.New("test.nope", "who", "you")
			},
		}}}
	})
	calls := h.run(command(t, guildA, member{}, "pub"))
	if len(calls) != 3 || calls[0].Kind != respDeferredCreate || calls[0].Flags.Has(discord.MessageFlagEphemeral) ||
		calls[1].Kind != "followup" || !calls[1].Flags.Has(discord.MessageFlagEphemeral) || calls[2].Kind != "delete" {
		t.Fatalf("calls %+v", calls)
	}
}

func TestGuildOnlyAndDefinitions(t *testing.T) {
	h := std(t)
	got := only(t, h.run(command(t, 0, member{}, "duel")))
	if !strings.Contains(got.Content, "only works on a server") {
		t.Fatalf("DM got %+v", got)
	}
	for _, d := range h.r.Definitions() {
		sc := d.(discord.SlashCommandCreate)
		if len(sc.Contexts) != 1 || sc.Contexts[0] != discord.InteractionContextTypeGuild {
			t.Fatalf("%s contexts %v", sc.Name, sc.Contexts)
		}
		p, set := sc.DefaultMemberPermissions.Value, sc.DefaultMemberPermissions.OK
		if sc.Name == "config" && (!set || p == nil || *p != discord.PermissionManageGuild) {
			t.Fatalf("staff command without ManageGuild default permissions")
		}
		if sc.Name == "duel" && set {
			t.Fatalf("member command has default permissions")
		}
	}
}

func TestDuplicateRoutesRefused(t *testing.T) {
	b, _ := i18n.NewBundle(nil, interaction.Catalog)
	c := interaction.Component{Module: "duel", Action: "vote", Type: discord.ComponentTypeButton, Handle: func(*interaction.Context, customid.ID) error { return nil }}
	if _, err := interaction.NewRouter(interaction.Options{Bundle: b, Settings: &fakeSettings{}, Components: []interaction.Component{c, c}}); err == nil {
		t.Fatal("duplicate component accepted")
	}
	cmd := interaction.Command{Module: "a", Definition: discord.SlashCommandCreate{Name: "x"}, Handle: func(*interaction.Context) error { return nil }}
	if _, err := interaction.NewRouter(interaction.Options{Bundle: b, Settings: &fakeSettings{}, Commands: []interaction.Command{cmd, cmd}}); err == nil {
		t.Fatal("duplicate command accepted")
	}
}

// A double click is two interactions racing; the handler's Once claim lets
// only one do the work, the other is told it was already done.
func TestDoubleClickDoesWorkOnce(t *testing.T) {
	d := dbtest.New(t)
	var work atomic.Int32
	h := newHarness(t, interaction.Options{}, func(h *harness) interaction.Options {
		return interaction.Options{DB: d, Components: []interaction.Component{{Module: "duel", Action: "claim",
			Type: discord.ComponentTypeButton, Args: []customid.Arg{customid.ID64("claim")},
			Handle: func(c *interaction.Context, id customid.ID) error {
				first, err := c.Once("claim:"+id.Arg(0)+":"+fmt.Sprint(c.UserID()), time.Hour)
				if err != nil {
					return err
				}
				if !first {
					return refusal.New("core.error.already_done")
				}
				work.Add(1)
				return c.ReplyText(true, "claimed")
			}}}}
	})
	id := customid.MustNew("duel", "claim", "77")
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.r.Handle(context.Background(), button(t, guildA, member{}, id), h.rec.respond)
		}()
	}
	wg.Wait()
	if work.Load() != 1 {
		t.Fatalf("work done %d times", work.Load())
	}
	var contents []string
	for _, c := range h.rec.Calls() {
		contents = append(contents, c.Content)
	}
	if len(contents) != 2 || !strings.Contains(strings.Join(contents, "|"), "already done") {
		t.Fatalf("answers %v", contents)
	}
}

func TestCooldownAcrossCalls(t *testing.T) {
	d := dbtest.New(t)
	h := newHarness(t, interaction.Options{}, func(h *harness) interaction.Options {
		return interaction.Options{DB: d, Commands: []interaction.Command{{Module: "test",
			Definition: discord.SlashCommandCreate{Name: "ask", Description: "a"},
			Handle: func(c *interaction.Context) error {
				if err := c.Cooldown("ask", time.Hour); err != nil {
					return err
				}
				return c.ReplyText(true, "asked")
			}}}}
	})
	if got := only(t, h.run(command(t, guildA, member{}, "ask"))); got.Content != "asked" {
		t.Fatalf("first %+v", got)
	}
	got := only(t, h.run(command(t, guildA, member{}, "ask")))
	if !strings.Contains(got.Content, "try again <t:") || !strings.HasSuffix(got.Content, ":R>.") {
		t.Fatalf("second %+v", got)
	}
	// Per guild: another guild is independent.
	if got := only(t, h.run(command(t, guildB, member{}, "ask"))); got.Content != "asked" {
		t.Fatalf("other guild %+v", got)
	}
	cd := interaction.NewCooldowns(d)
	if _, err := cd.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSplit(t *testing.T) {
	cases := []struct {
		in    string
		limit int
		want  []string
	}{
		{"a\nb\nc", 3, []string{"a\nb", "c"}},
		{"abcdef", 4, []string{"abcd", "ef"}},
		{"", 10, []string{""}},
		{"ёжик\nёж", 4, []string{"ёжик", "ёж"}},
	}
	for _, c := range cases {
		got := interaction.Split(c.in, c.limit)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Split(%q,%d) = %q want %q", c.in, c.limit, got, c.want)
		}
	}
	long := strings.Repeat("line of report text\n", 500)
	for _, chunk := range interaction.Split(long, interaction.MaxContent) {
		if len([]rune(chunk)) > interaction.MaxContent {
			t.Fatal("chunk over the limit")
		}
	}
}

// With the real settings service: a closed pool and an unreachable server
// both answer "temporarily unavailable" well within Discord's 3 s.
func TestRealDatabaseOutage(t *testing.T) {
	d := dbtest.New(t)
	svc, err := guild.NewService(d, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := db.Open(context.Background(), "postgres://u:p@127.0.0.1:1/x", db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dead.Close)
	deadSvc, _ := guild.NewService(dead, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	d.Pool.Close()
	for name, src := range map[string]interaction.SettingsSource{"closed pool": svc, "unreachable": deadSvc} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, interaction.Options{}, func(h *harness) interaction.Options {
				o := h.options()
				o.Settings = src
				return o
			})
			start := time.Now()
			got := only(t, h.run(command(t, guildA, member{}, "duel")))
			if took := time.Since(start); took > 2*time.Second || !strings.Contains(got.Content, "temporarily unavailable") {
				t.Fatalf("after %s: %+v", took, got)
			}
		})
	}
}

// Subcommands hands each path to its handler; a path the definition no
// longer has (a client with stale commands) is refused, never run.
func TestSubcommandsDispatchByPath(t *testing.T) {
	var ran []string
	handler := func(path string) func(*interaction.Context) error {
		return func(c *interaction.Context) error { ran = append(ran, path); return c.ReplyText(true, c.T("test.ok")) }
	}
	def := discord.SlashCommandCreate{Name: "pair", Description: "p", Options: []discord.ApplicationCommandOption{
		discord.ApplicationCommandOptionSubCommand{Name: "create", Description: "c"},
		discord.ApplicationCommandOptionSubCommand{Name: "room", Description: "r"},
	}}
	h := newHarness(t, interaction.Options{Commands: []interaction.Command{{Module: "pairhome", Definition: def,
		Subcommands: map[string]func(*interaction.Context) error{"pair create": handler("create"), "pair room": handler("room")}}}}, nil)
	for _, sub := range []string{"room", "create", "room"} {
		if got := only(t, h.run(command(t, guildA, member{}, "pair", sub))); got.Content != "ok" {
			t.Fatalf("/pair %s answered %+v", sub, got)
		}
	}
	if got := only(t, h.run(command(t, guildA, member{}, "pair", "dissolve"))); !strings.Contains(got.Content, "no longer available") {
		t.Fatalf("/pair dissolve (not declared) answered %+v", got)
	}
	if !slices.Equal(ran, []string{"room", "create", "room"}) {
		t.Fatalf("handlers ran %v", ran)
	}
}

// A command is handled once: by Handle, or by Subcommands that cover the
// paths of its definition (subcommand groups included) and nothing else.
func TestCommandHandlersMatchDefinition(t *testing.T) {
	b, _ := i18n.NewBundle(nil, interaction.Catalog)
	noop := func(*interaction.Context) error { return nil }
	def := discord.SlashCommandCreate{Name: "duel", Description: "d", Options: []discord.ApplicationCommandOption{
		discord.ApplicationCommandOptionSubCommand{Name: "start", Description: "s"},
		discord.ApplicationCommandOptionSubCommandGroup{Name: "round", Description: "r", Options: []discord.ApplicationCommandOptionSubCommand{
			{Name: "start", Description: "s"}, {Name: "cancel", Description: "c"},
		}},
	}}
	all := map[string]func(*interaction.Context) error{"duel start": noop, "duel round start": noop, "duel round cancel": noop}
	without := func(path string) map[string]func(*interaction.Context) error {
		m := maps.Clone(all)
		delete(m, path)
		return m
	}
	with := func(path string) map[string]func(*interaction.Context) error {
		m := maps.Clone(all)
		m[path] = noop
		return m
	}
	for _, tc := range []struct {
		name string
		cmd  interaction.Command
		ok   bool
	}{
		{"every path", interaction.Command{Module: "duel", Definition: def, Subcommands: all}, true},
		{"one Handle", interaction.Command{Module: "duel", Definition: def, Handle: noop}, true},
		{"a path without handler", interaction.Command{Module: "duel", Definition: def, Subcommands: without("duel round cancel")}, false},
		{"a handler without path", interaction.Command{Module: "duel", Definition: def, Subcommands: with("duel end")}, false},
		{"a group as a path", interaction.Command{Module: "duel", Definition: def, Subcommands: with("duel round")}, false},
		{"Handle and Subcommands", interaction.Command{Module: "duel", Definition: def, Handle: noop, Subcommands: all}, false},
		{"no handler", interaction.Command{Module: "duel", Definition: def}, false},
	} {
		_, err := interaction.NewRouter(interaction.Options{Bundle: b, Settings: &fakeSettings{}, Commands: []interaction.Command{tc.cmd}})
		if (err == nil) != tc.ok {
			t.Errorf("%s: NewRouter err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
