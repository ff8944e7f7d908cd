package pairhome

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/interaction"
)

// answer is what a handler sent back for one interaction.
type answer struct {
	typ  discord.InteractionResponseType
	data discord.InteractionResponseData
}

func (a answer) text() string {
	if m, ok := a.data.(discord.MessageCreate); ok {
		return m.Content
	}
	return ""
}

func (a answer) message() discord.MessageCreate {
	m, _ := a.data.(discord.MessageCreate)
	return m
}

var seq atomic.Int64

// caller drives the real interaction router without a gateway.
type caller struct {
	e *env
	r *interaction.Router
}

func (e *env) caller() *caller {
	e.t.Helper()
	r, err := interaction.NewRouter(interaction.Options{Commands: []interaction.Command{e.svc.Command()},
		Components: e.svc.Components(), Settings: e.guilds, Bundle: e.bundle, DB: e.db, REST: e.rest, Log: quiet, DefaultLocale: "en"})
	if err != nil {
		e.t.Fatal(err)
	}
	return &caller{e: e, r: r}
}

func (c *caller) member(key string) map[string]any {
	perms := "0"
	roles := []string{}
	switch key {
	case "admin":
		perms = fmt.Sprint(int64(discord.PermissionAdministrator))
	case "mod":
		roles = append(roles, str(c.e.modRole))
	}
	return map[string]any{"user": c.user(key), "roles": roles, "permissions": perms, "joined_at": "2024-01-01T00:00:00Z"}
}

func (c *caller) user(key string) map[string]any {
	return map[string]any{"id": str(c.e.users[key]), "username": c.e.name(key), "discriminator": "0", "bot": key == "bot"}
}

func (c *caller) send(in map[string]any) answer {
	c.e.t.Helper()
	n := seq.Add(1)
	in["id"] = fmt.Sprint(1500000000000000000 + n)
	in["application_id"] = c.e.sim.AppID()
	in["token"] = fmt.Sprintf("token-%d", n)
	in["version"] = 1
	in["guild_id"] = str(c.e.guild)
	in["guild_locale"] = "en-US"
	in["locale"] = "en-US"
	if _, ok := in["channel_id"]; !ok {
		in["channel_id"] = str(c.e.category)
	}
	raw, err := json.Marshal(in)
	if err != nil {
		c.e.t.Fatal(err)
	}
	it, err := discord.UnmarshalInteraction(raw)
	if err != nil {
		c.e.t.Fatalf("unmarshal interaction: %v\n%s", err, raw)
	}
	var (
		mu  sync.Mutex
		got []answer
	)
	c.r.Handle(context.Background(), it, func(t discord.InteractionResponseType, d discord.InteractionResponseData, _ ...rest.RequestOpt) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, answer{t, d})
		return nil
	})
	if len(got) != 1 {
		c.e.t.Fatalf("%d answers, want 1: %+v", len(got), got)
	}
	return got[0]
}

// slash runs /pair <sub> as userKey; users maps option names to user keys.
func (c *caller) slash(userKey, sub string, users map[string]string, other map[string]any) answer {
	c.e.t.Helper()
	opts := []any{}
	resUsers, resMembers := map[string]any{}, map[string]any{}
	for name, key := range users {
		opts = append(opts, map[string]any{"type": 6, "name": name, "value": str(c.e.users[key])})
		resUsers[str(c.e.users[key])] = c.user(key)
		m := c.member(key)
		delete(m, "user")
		resMembers[str(c.e.users[key])] = m
	}
	for name, v := range other {
		typ := 3
		if _, ok := v.(bool); ok {
			typ = 5
		}
		opts = append(opts, map[string]any{"type": typ, "name": name, "value": v})
	}
	return c.send(map[string]any{"type": 2, "member": c.member(userKey), "data": map[string]any{
		"id": "1", "name": "pair", "type": 1,
		"options":  []any{map[string]any{"type": 1, "name": sub, "options": opts}},
		"resolved": map[string]any{"users": resUsers, "members": resMembers},
	}})
}

// click presses a button as userKey.
func (c *caller) click(userKey, customID string) answer {
	c.e.t.Helper()
	return c.send(map[string]any{"type": 3, "member": c.member(userKey),
		"data": map[string]any{"custom_id": customID, "component_type": 2},
		"message": map[string]any{"id": "1", "channel_id": str(c.e.category), "type": 0, "content": "",
			"timestamp": "2024-01-01T00:00:00Z", "author": c.user("admin"), "attachments": []any{}, "embeds": []any{}}})
}

func buttonID(t testing.TB, m discord.MessageCreate) string {
	t.Helper()
	for _, row := range m.Components {
		if ar, ok := row.(discord.ActionRowComponent); ok {
			for _, c := range ar.Components {
				if b, ok := c.(discord.ButtonComponent); ok {
					return b.CustomID
				}
			}
		}
	}
	t.Fatalf("no button in %+v", m)
	return ""
}

func TestPairCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.caller()
	ab := map[string]string{"member_a": "anna", "member_b": "boris"}

	if got := c.slash("carol", "create", ab, nil).text(); !strings.Contains(got, "Only administrators") {
		t.Errorf("member running /pair create: %q", got)
	}
	if got := c.slash("admin", "create", map[string]string{"member_a": "anna", "member_b": "bot"}, nil).text(); !strings.Contains(got, "Bots cannot") {
		t.Errorf("pairing a bot: %q", got)
	}
	if got := c.slash("admin", "create", map[string]string{"member_a": "anna", "member_b": "anna"}, nil).text(); !strings.Contains(got, "themselves") {
		t.Errorf("self pair: %q", got)
	}
	if got := c.slash("mod", "create", ab, nil).text(); !strings.Contains(got, "Paired") {
		t.Fatalf("moderator pairing two other members: %q", got)
	}
	if got := c.slash("admin", "create", map[string]string{"member_a": "carol", "member_b": "boris"}, nil).text(); !strings.Contains(got, "already in a pair") {
		t.Errorf("boris taken: %q", got)
	}
	p, err := e.svc.PairOf(e.ctx, nil, e.guild, e.users["anna"])
	if err != nil {
		t.Fatal(err)
	}
	ch := e.waitRoom(p.ID)
	if got := c.slash("admin", "create", ab, nil).text(); !strings.Contains(got, fmt.Sprintf("<#%d>", ch)) {
		t.Errorf("second create: %q", got)
	}
	if got := c.slash("anna", "room", nil, nil).text(); !strings.Contains(got, fmt.Sprintf("<#%d>", ch)) {
		t.Errorf("/pair room: %q", got)
	}
	if got := c.slash("carol", "room", nil, nil).text(); !strings.Contains(got, "not in a pair") {
		t.Errorf("/pair room without a pair: %q", got)
	}
	if got := c.slash("carol", "dissolve", map[string]string{"member": "anna"}, nil).text(); !strings.Contains(got, "Only administrators") {
		t.Errorf("member dissolving another pair: %q", got)
	}

	// Members dissolve together through the confirm button.
	confirm := c.slash("anna", "dissolve", nil, nil)
	if !strings.Contains(confirm.text(), "Both of you") || !confirm.message().Flags.Has(discord.MessageFlagEphemeral) {
		t.Fatalf("dissolve confirm: %+v", confirm)
	}
	btn := buttonID(t, confirm.message())
	if got := c.click("carol", btn).text(); !strings.Contains(got, "Only the two members") {
		t.Errorf("outsider clicking: %q", got)
	}
	if got := c.click("anna", btn).text(); !strings.Contains(got, "once") {
		t.Errorf("first consent: %q", got)
	}
	dbtest.WaitUntil(t, 10*time.Second, "request posted in the room", func() bool {
		ms, _ := e.sim.Messages(str(ch))
		for _, m := range ms {
			if strings.Contains(jsonText(norm(m)), "wants to dissolve") {
				return true
			}
		}
		return false
	})
	if got := c.click("boris", btn).text(); !strings.Contains(got, "dissolved") {
		t.Errorf("second consent: %q", got)
	}
	if got := c.click("boris", btn).text(); !strings.Contains(got, "already dissolved") {
		t.Errorf("click after dissolve: %q", got)
	}
	dbtest.WaitUntil(t, 20*time.Second, "room archived", func() bool { return e.pair(p.ID).RoomState == roomArchived })

	// Staff dissolve and settings.
	if got := c.slash("admin", "create", map[string]string{"member_a": "carol", "member_b": "dave"}, nil).text(); !strings.Contains(got, "Paired") {
		t.Fatalf("create carol+dave: %q", got)
	}
	if got := c.slash("admin", "dissolve", map[string]string{"member": "dave"}, nil).text(); !strings.Contains(got, "dissolved") {
		t.Errorf("staff dissolve: %q", got)
	}
	if got := c.slash("carol", "settings", nil, map[string]any{"moderator_access": true}).text(); !strings.Contains(got, "Only administrators") {
		t.Errorf("member changing settings: %q", got)
	}
	got := c.slash("admin", "settings", nil, map[string]any{"moderator_access": true, "archive": "delete"}).text()
	if !strings.Contains(got, "**on**") || !strings.Contains(got, "**deleted**") {
		t.Errorf("settings: %q", got)
	}
	if cfg, _ := e.svc.GuildConfig(e.ctx, e.guild); !cfg.ModeratorAccess || cfg.ArchiveMode != archiveDelete {
		t.Errorf("settings stored: %+v", cfg)
	}
	e.settle()
}

func TestCreateRefusedWithoutCategory(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	if err := e.guilds.SetChannel(e.ctx, e.guild, 0, categoryPurpose.ID(), 0); err != nil {
		t.Fatal(err)
	}
	got := e.caller().slash("admin", "create", map[string]string{"member_a": "anna", "member_b": "boris"}, nil).text()
	if !strings.Contains(got, "category is not configured") {
		t.Fatalf("create without category: %q", got)
	}
}

func TestServiceRefusesCreateWithoutCategory(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	if err := e.guilds.SetChannel(e.ctx, e.guild, 0, categoryPurpose.ID(), 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.create("anna", "boris"); !errors.Is(err, errNoCategory) {
		t.Fatalf("err = %v, want errNoCategory", err)
	}
}
