package discordsim

import (
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"
)

// TestPayloadsParseWithDisgo checks the INTERACTION_CREATE, MESSAGE_CREATE
// and GUILD_CREATE payloads decode with disgo v0.19.6 into what a bot reads.
func TestPayloadsParseWithDisgo(t *testing.T) {
	h := newHarness(t, Options{DeferredWait: 50 * time.Millisecond})
	h.registerCommands()
	bob := h.world.MemberIDs[0]

	// Command with nested options and resolved user/channel.
	p := h.interact(h.commandSpec("duel round start", map[string]any{"opponent": h.world.MemberIDs[1], "arena": h.world.ChannelIDs["duels"]}))
	in, cmd := nextDisgoInteraction[discord.ApplicationCommandInteraction](h)
	data := cmd.SlashCommandInteractionData()
	if data.CommandPath() != "/duel/round/start" || data.User("opponent").ID.String() != h.world.MemberIDs[1] || data.Channel("arena").ID.String() != h.world.ChannelIDs["duels"] {
		t.Fatalf("disgo sees %s %v", data.CommandPath(), data.Options)
	}
	if cmd.Member() == nil || cmd.Member().User.ID.String() != bob || cmd.GuildID() == nil || cmd.Channel().ID().String() != h.general() {
		t.Fatal("member/guild/channel not parsed")
	}
	h.expect(h.callback(in, map[string]any{"type": 9, "data": map[string]any{"custom_id": "m", "title": "T", "components": []any{
		map[string]any{"type": 18, "label": "Name", "component": map[string]any{"type": 4, "custom_id": "name", "style": 1}},
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "bio", "style": 2, "label": "Bio", "required": false}}},
		map[string]any{"type": 18, "label": "Pick", "component": map[string]any{"type": 3, "custom_id": "pick", "options": []any{map[string]any{"label": "A", "value": "a"}}}},
	}}}), 204, -1)
	p.wait(t)

	// Modal submit with a label, an action row and a select.
	p = h.interact(InteractionSpec{Type: "modal", GuildID: h.world.GuildID, ChannelID: h.general(), UserID: bob, CustomID: "m",
		Fields: map[string]any{"name": "Bob", "bio": "hi", "pick": []any{"a"}}})
	in, modal := nextDisgoInteraction[discord.ModalSubmitInteraction](h)
	if v, ok := modal.Data.TextInput("name"); !ok || v.Value != "Bob" {
		t.Fatalf("name input %+v %v", v, ok)
	}
	if v, ok := modal.Data.TextInput("bio"); !ok || v.Value != "hi" {
		t.Fatalf("bio input %+v %v", v, ok)
	}
	if sel, ok := modal.Data.Component("pick"); !ok || sel.Type() != discord.ComponentTypeStringSelectMenu {
		t.Fatalf("pick %v %v", sel, ok)
	}
	h.expect(h.callback(in, map[string]any{"type": 4, "data": map[string]any{"content": "thanks", "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 3, "custom_id": "sel", "max_values": 2, "options": []any{
			map[string]any{"label": "A", "value": "a"}, map[string]any{"label": "B", "value": "b"}}}}},
	}}}), 204, -1)
	res := p.wait(t)

	// Component (string select) with the message.
	p = h.interact(InteractionSpec{Type: "component", GuildID: h.world.GuildID, ChannelID: h.general(), UserID: bob, MessageID: res.MessageID, CustomID: "sel", Values: []string{"a", "b"}})
	in, comp := nextDisgoInteraction[discord.ComponentInteraction](h)
	if vals := comp.StringSelectMenuInteractionData().Values; len(vals) != 2 || comp.Message.ID.String() != res.MessageID {
		t.Fatalf("select %v", vals)
	}
	h.expect(h.callback(in, map[string]any{"type": 6}), 204, -1)
	if r := p.wait(t); r.MessageID != res.MessageID {
		t.Fatalf("deferred update %+v", r)
	}
	// Out-of-range select values are refused.
	if _, err := h.srv.Interact(t.Context(), InteractionSpec{Type: "component", GuildID: h.world.GuildID, ChannelID: h.general(), UserID: bob, MessageID: res.MessageID, CustomID: "sel", Values: []string{"z"}}); err == nil {
		t.Fatal("select value not in options accepted")
	}

	// GUILD_CREATE and MESSAGE_CREATE.
	h.srv.mu.Lock()
	gc := h.srv.guildCreateJSON(h.srv.st.guilds[h.world.GuildID], 50)
	h.srv.mu.Unlock()
	var guild gateway.EventGuildCreate
	if err := guild.UnmarshalJSON(mustJSON(t, gc)); err != nil {
		t.Fatalf("disgo guild create: %v", err)
	}
	if len(guild.Channels) != 4 || len(guild.Members) != 5 || len(guild.Roles) != 3 {
		t.Fatalf("guild create parsed %d channels %d members %d roles", len(guild.Channels), len(guild.Members), len(guild.Roles))
	}
	h.post(h.general(), "parse me")
	e := h.waitEvent("MESSAGE_CREATE")
	var mc gateway.EventMessageCreate
	if err := mc.UnmarshalJSON(e.data); err != nil {
		t.Fatalf("disgo message create: %v", err)
	}
	if mc.Content != "parse me" || mc.GuildID == nil || !mc.Author.Bot {
		t.Fatalf("message create %+v", mc.Message)
	}
	h.srv.RequireNoViolations(t)
}

// nextDisgoInteraction takes the next INTERACTION_CREATE and decodes it as
// disgo does, failing the test unless disgo makes a T of it.
func nextDisgoInteraction[T discord.Interaction](h *harness) (gotInteraction, T) {
	h.t.Helper()
	in := h.nextInteraction()
	var ev gateway.EventInteractionCreate
	if err := ev.UnmarshalJSON(mustJSON(h.t, in.raw)); err != nil {
		h.t.Fatalf("disgo: %v", err)
	}
	got, ok := ev.Interaction.(T)
	if !ok {
		h.t.Fatalf("disgo decoded a %T", ev.Interaction)
	}
	return in, got
}
