package corecmd_test

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/fx"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/discordsim"
)

// Two stand-in feature modules: duel requires pairhome; each declares a
// channel purpose, duel's with a test post.
var testModules = []module.Descriptor{
	{Name: "pairhome", Options: fx.Options(
		module.Add(guild.Purposes, guild.ChannelPurpose{Module: "pairhome", Key: "rooms", NameKey: "pairhome.purpose.rooms", Kind: guild.Category, Required: true}),
		module.Add(i18n.Catalogs, i18n.Catalog{Module: "pairhome", Messages: map[string]map[string]string{
			"en": {"pairhome.purpose.rooms": "Pair rooms"}, "ru": {"pairhome.purpose.rooms": "Комнаты пар"}}}),
	)},
	{Name: "duel", Requires: []string{"pairhome"}, Options: fx.Options(
		module.Add(guild.Purposes, guild.ChannelPurpose{Module: "duel", Key: "board", NameKey: "duel.purpose.board", Required: true, TestPost: true}),
		module.Add(i18n.Catalogs, i18n.Catalog{Module: "duel", Messages: map[string]map[string]string{
			"en": {"duel.purpose.board": "Scoreboard"}, "ru": {"duel.purpose.board": "Табло"}}}),
	)},
}

func content(m map[string]any) string {
	s, _ := m["content"].(string)
	return s
}

func answer(res discordsim.InteractionResult) string {
	var parts []string
	if c := content(res.Message); c != "" {
		parts = append(parts, c)
	}
	for _, f := range res.Followups {
		parts = append(parts, content(f))
	}
	return strings.Join(parts, "\n")
}

func mustContain(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("answer %q does not contain %q", got, w)
		}
	}
}

func TestE2EConfigSetupAdmin(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Modules: testModules})
	admin, member := h.Guild.AdminID, h.Guild.MemberIDs[0]

	// Discord hides staff commands from members (default_member_permissions).
	ctx := context.Background()
	if _, err := h.Sim.Interact(ctx, discordsim.InteractionSpec{Type: discordsim.InteractKindCommand, GuildID: h.Guild.GuildID,
		ChannelID: h.Guild.ChannelIDs["general"], UserID: member, Command: "config show"}); err == nil {
		t.Fatal("a member could invoke /config")
	}

	mustContain(t, answer(h.Command(admin, "config show", nil)), "Server settings", "duel", "pairhome")
	mustContain(t, answer(h.Command(admin, "config module", map[string]any{"name": "pairhome", "enabled": false})),
		"cannot be turned off", "duel")
	mustContain(t, answer(h.Command(admin, "config module", map[string]any{"name": "duel", "enabled": false})), "**duel** is now off")
	mustContain(t, answer(h.Command(admin, "config module", map[string]any{"name": "pairhome", "enabled": false})), "**pairhome** is now off")
	mustContain(t, answer(h.Command(admin, "config module", map[string]any{"name": "duel", "enabled": true})),
		"**duel** is now on", "Also turned on", "pairhome")

	general := h.Guild.ChannelIDs["general"]
	mustContain(t, answer(h.Command(admin, "config channel", map[string]any{"purpose": "duel.board", "channel": general})),
		"Scoreboard", "<#"+general+">")
	mustContain(t, answer(h.Command(admin, "config channel", map[string]any{"purpose": "pairhome.rooms", "channel": general})),
		"needs a category")
	mustContain(t, answer(h.Command(admin, "config timezone", map[string]any{"zone": "Mars/Base"})), "is not a time zone")
	mustContain(t, answer(h.Command(admin, "config locale", map[string]any{"value": "ru"})), "Язык: Русский")

	// /setup answers in the new language and its test post really posts.
	res := h.Command(admin, "setup", nil)
	mustContain(t, answer(res), "Настройка", "Табло", "<#"+general+">")
	click := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: admin,
		MessageID: res.MessageID, CustomID: customid.MustNew("core", "setup_test")})
	mustContain(t, answer(click), "✅", "<#"+general+">")

	doc := answer(h.Command(admin, "admin doctor", nil))
	mustContain(t, doc, "[FAIL]", "Комнаты пар", "[OK]", "Табло")
	mustContain(t, answer(h.Command(admin, "admin status", nil)), "Состояние бота", "core.sweep")

	// Picking the category in the checklist saves it and re-renders.
	pick := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: admin, MessageID: res.MessageID,
		CustomID: customid.MustNew("core", "setup_ch", "pairhome.rooms", "0"), Values: []string{h.Guild.CategoryID}})
	mustContain(t, content(pick.Message), "✅ pairhome · Комнаты пар: <#"+h.Guild.CategoryID+">")

	// Take the bot's right to post away: the test post reports Discord's
	// real error and the doctor names the missing permission.
	if err := h.Sim.SetOverwrite(general, discordsim.Overwrite{ID: h.Guild.GuildID, Type: discordsim.OverwriteRole,
		Deny: discordsim.PermSendMessages}); err != nil {
		t.Fatal(err)
	}
	click = h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: admin,
		MessageID: res.MessageID, CustomID: customid.MustNew("core", "setup_test")})
	mustContain(t, answer(click), "❌", "50013")
	doc = answer(h.Command(admin, "admin doctor", nil))
	mustContain(t, doc, "[FAIL] duel · Табло", "Send Messages")
	if strings.Contains(doc, "Комнаты пар: канал не выбран") {
		t.Fatalf("category saved through /setup not seen by the doctor:\n%s", doc)
	}
}
