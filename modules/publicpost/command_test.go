package publicpost

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/usertext"
)

type fixedSettings struct{ st guild.Settings }

func (f fixedSettings) Settings(_ context.Context, id uint64) (guild.Settings, error) {
	s := f.st
	s.GuildID = id
	return s, nil
}

// Location is guild.Service's: the guild's zone, else the default (UTC).
func (f fixedSettings) Location(context.Context, uint64) *time.Location {
	return f.st.Location(time.UTC)
}

// cmdHarness drives /post through the real interaction router (gate, staff
// check, error mapping) without a gateway.
type cmdHarness struct {
	e      *env
	router *interaction.Router
	h      *commands
	seq    int
}

func newCmdHarness(t *testing.T, e *env, st guild.Settings) *cmdHarness {
	t.Helper()
	bundle, err := i18n.NewBundle(quiet, interaction.Catalog, usertext.Catalog, Catalog)
	if err != nil {
		t.Fatal(err)
	}
	h := newCommands(e.service(), fixedSettings{st}, bundle)
	h.now = func() time.Time { return time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC) }
	r, err := interaction.NewRouter(interaction.Options{Commands: []interaction.Command{h.command()},
		Settings: fixedSettings{st}, Bundle: bundle, DB: e.db, Log: quiet, DefaultLocale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return &cmdHarness{e: e, router: r, h: h}
}

// run sends /post <sub> as a member with the given permissions and returns
// the reply text.
func (c *cmdHarness) run(t *testing.T, perms, locale, sub string, opts ...map[string]any) string {
	t.Helper()
	c.seq++
	ch := strconv.FormatUint(c.e.channel, 10)
	payload := map[string]any{
		"id": strconv.Itoa(1500000000000000000 + c.seq), "application_id": "1300000000000000001", "type": 2,
		"token": "tok", "version": 1, "guild_id": strconv.FormatUint(c.e.guild, 10), "channel_id": ch,
		"locale": locale, "guild_locale": locale,
		"member": map[string]any{"user": map[string]any{"id": "1500000000000000099", "username": "staff", "discriminator": "0"},
			"roles": []string{}, "permissions": perms, "joined_at": "2020-01-01T00:00:00Z"},
		"data": map[string]any{"id": "1400000000000000002", "name": "post", "type": 1,
			"options":  []any{map[string]any{"type": 1, "name": sub, "options": opts}},
			"resolved": map[string]any{"channels": map[string]any{ch: map[string]any{"id": ch, "name": "announcements", "type": 0, "permissions": "0"}}}},
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	in, err := discord.UnmarshalInteraction(raw)
	if err != nil {
		t.Fatal(err)
	}
	var reply string
	c.router.Handle(context.Background(), in, func(_ discord.InteractionResponseType, data discord.InteractionResponseData, _ ...rest.RequestOpt) error {
		if m, ok := data.(discord.MessageCreate); ok {
			reply = m.Content
		}
		return nil
	})
	return reply
}

func opt(typ int, name string, v any) map[string]any {
	return map[string]any{"type": typ, "name": name, "value": v}
}

const admin = "8"

func TestPostCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newCmdHarness(t, e, guild.Settings{Timezone: "Europe/Moscow"})
	ch := strconv.FormatUint(e.channel, 10)

	reply := c.run(t, admin, "en-US", "schedule", opt(7, "channel", ch), opt(3, "at", "21:30"), opt(3, "text", "Weekly check-in!"))
	if !strings.HasPrefix(reply, "Post #1 will be published in <#"+ch+">") {
		t.Fatalf("schedule reply %q", reply)
	}
	p := e.get(1)
	if want := time.Date(2026, 3, 1, 18, 30, 0, 0, time.UTC); !p.ScheduledFor.Equal(want) || p.CreatedBy != 1500000000000000099 {
		t.Fatalf("post %+v, want 21:30 Moscow = %v", p, want)
	}

	if reply := c.run(t, admin, "ru", "schedule", opt(7, "channel", ch), opt(3, "at", "next week"), opt(3, "text", "x")); !strings.Contains(reply, "Не понимаю время `next week`") ||
		!strings.Contains(reply, "Europe/Moscow") || !strings.Contains(reply, "in 90m") {
		t.Fatalf("bad time reply %q", reply)
	}
	if reply := c.run(t, admin, "en-US", "schedule", opt(7, "channel", ch), opt(3, "at", "2026-03-01 10:00"), opt(3, "text", "x")); !strings.Contains(reply, "already passed") {
		t.Fatalf("past reply %q", reply)
	}

	// Invisible-only text is refused like empty text and schedules nothing.
	for _, blank := range []string{" \u200b\u2060\ufeff ", "\u200c\u200d"} {
		if reply := c.run(t, admin, "en-US", "schedule", opt(7, "channel", ch), opt(3, "at", "21:30"), opt(3, "text", blank)); !strings.Contains(reply, "**text** has no visible text") {
			t.Fatalf("invisible text reply %q", reply)
		}
	}
	if reply := c.run(t, admin, "ru", "schedule", opt(7, "channel", ch), opt(3, "at", "21:30"), opt(3, "text", strings.Repeat("😀", MaxContent+1))); !strings.Contains(reply, "у вас 2001") {
		t.Fatalf("long text reply %q", reply)
	}
	var n int
	if err := c.e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM publicpost_posts`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d posts after refusals (err %v), want 1", n, err)
	}

	if reply := c.run(t, admin, "en-US", "list"); !strings.Contains(reply, "#1 · <#"+ch+">") || !strings.Contains(reply, "`Weekly check-in!`") {
		t.Fatalf("list reply %q", reply)
	}
	if reply := c.run(t, admin, "en-US", "cancel", opt(4, "id", 1)); reply != "Post #1 is cancelled." {
		t.Fatalf("cancel reply %q", reply)
	}
	if reply := c.run(t, admin, "ru", "cancel", opt(4, "id", 1)); !strings.Contains(reply, "«отменена»") {
		t.Fatalf("second cancel reply %q", reply)
	}
	if reply := c.run(t, admin, "en-US", "cancel", opt(4, "id", 77)); reply != "There is no post #77 on this server." {
		t.Fatalf("unknown cancel reply %q", reply)
	}
	if reply := c.run(t, admin, "en-US", "list"); reply != "No upcoming or failed posts." {
		t.Fatalf("empty list reply %q", reply)
	}
	// Members without Administrator or the moderator role are refused by the router.
	if reply := c.run(t, "0", "en-US", "list"); !strings.Contains(reply, "Only administrators") {
		t.Fatalf("non-staff reply %q", reply)
	}
}
