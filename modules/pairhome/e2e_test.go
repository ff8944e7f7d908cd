package pairhome_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/pairhome"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// categoryPurposeID is the pair category's purpose as /config names it.
const categoryPurposeID = pairhomeapi.Name + ".category"

// firstButton returns the custom id of the first button of a message (JSON form).
func firstButton(m map[string]any) string {
	raw, _ := json.Marshal(m)
	s := string(raw)
	i := strings.Index(s, `"custom_id":"`)
	if i < 0 {
		return ""
	}
	s = s[i+len(`"custom_id":"`):]
	return s[:strings.Index(s, `"`)]
}

// startPairhome boots the bot with pairhome alone, its commands also synced
// in the demo guild, whose category is the pair category.
func startPairhome(t *testing.T) (*apptest.Harness, pairhomeapi.Pairs) {
	var (
		guilds *guild.Service
		pairs  pairhomeapi.Pairs
	)
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{pairhome.Descriptor},
		Extra: []fx.Option{fx.Populate(&guilds, &pairs)}})
	h.SyncGuildCommands()
	gid, category := snowflake.MustParse(h.Guild.GuildID), snowflake.MustParse(h.Guild.CategoryID)
	if err := guilds.SetChannel(context.Background(), uint64(gid), 0, categoryPurposeID, uint64(category)); err != nil {
		t.Fatal(err)
	}
	return h, pairs
}

// TestE2EPairLifecycle drives pairhome through the real runtime and the
// emulator's gateway: commands, room creation, panel, both-member dissolve,
// a member leaving and a room deleted by hand (events), and a restart.
func TestE2EPairLifecycle(t *testing.T) {
	t.Parallel()
	h, pairs := startPairhome(t)
	ctx, gid := context.Background(), uint64(snowflake.MustParse(h.Guild.GuildID))
	bob, carol := h.Guild.MemberIDs[0], h.Guild.MemberIDs[1]
	res := h.Command(h.Guild.AdminID, "pair create", map[string]any{"member_a": bob, "member_b": carol})
	if !strings.Contains(apptest.Seen(res), "Paired") {
		t.Fatalf("/pair create: %s", apptest.Seen(res))
	}
	pair, err := pairs.PairOf(ctx, nil, gid, uint64(snowflake.MustParse(bob)))
	if err != nil {
		t.Fatal(err)
	}
	var room string
	h.WaitUntil(20*time.Second, "room and pinned panel", func() bool {
		p, err := pairs.Pair(ctx, nil, pair.ID)
		if err != nil || p.ChannelID == 0 {
			return false
		}
		room = snowflake.ID(p.ChannelID).String()
		ms, _ := h.Sim.Messages(room)
		for _, m := range ms {
			if pinned, _ := m["pinned"].(bool); pinned {
				return true
			}
		}
		return false
	})
	if res := h.Command(bob, "pair room", nil); !strings.Contains(apptest.Seen(res), "<#"+room+">") {
		t.Fatalf("/pair room: %s", apptest.Seen(res))
	}

	// Bob asks to dissolve; the request lands in the room with a button.
	res = h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindCommand, UserID: bob, ChannelID: room, Command: "pair dissolve"})
	btn := firstButton(res.Message)
	if btn == "" {
		t.Fatalf("no confirm button: %s", apptest.Seen(res))
	}
	res = h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: room,
		MessageID: res.MessageID, CustomID: btn})
	if !strings.Contains(apptest.Seen(res), "once") {
		t.Fatalf("bob's consent: %s", apptest.Seen(res))
	}
	var request map[string]any
	h.WaitUntil(10*time.Second, "dissolve request in the room", func() bool {
		ms, _ := h.Sim.Messages(room)
		for _, m := range ms {
			if raw, _ := json.Marshal(m); strings.Contains(string(raw), "wants to dissolve") {
				request = m
				return true
			}
		}
		return false
	})

	// The buttons keep working across a restart.
	h.Stop()
	h.Boot()
	res = h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: carol, ChannelID: room,
		MessageID: request["id"].(string), CustomID: firstButton(request)})
	if !strings.Contains(apptest.Seen(res), "dissolved") {
		t.Fatalf("carol's consent after restart: %s", apptest.Seen(res))
	}
	h.WaitUntil(20*time.Second, "room archived", func() bool {
		status, room := pairState(t, h, pair.ID)
		return status == "archived" && room == "archived"
	})
}

// TestE2EGatewayEventsRepairAndArchive: a room deleted by hand comes back,
// and a member leaving archives the pair, both from gateway events alone.
func TestE2EGatewayEventsRepairAndArchive(t *testing.T) {
	t.Parallel()
	h, pairs := startPairhome(t)
	ctx, gid := context.Background(), uint64(snowflake.MustParse(h.Guild.GuildID))
	bob, carol := h.Guild.MemberIDs[0], h.Guild.MemberIDs[1]
	if res := h.Command(h.Guild.AdminID, "pair create", map[string]any{"member_a": bob, "member_b": carol}); !strings.Contains(apptest.Seen(res), "Paired") {
		t.Fatalf("/pair create: %s", apptest.Seen(res))
	}
	p, err := pairs.PairOf(ctx, nil, gid, uint64(snowflake.MustParse(bob)))
	if err != nil {
		t.Fatal(err)
	}
	roomOf := func() uint64 {
		got, _ := pairs.Pair(ctx, nil, p.ID)
		return got.ChannelID
	}
	h.WaitUntil(20*time.Second, "room", func() bool { return roomOf() != 0 })
	first := roomOf()
	if err := h.Sim.DeleteChannel(snowflake.ID(first).String()); err != nil {
		t.Fatal(err)
	}
	h.WaitUntil(20*time.Second, "room recreated from CHANNEL_DELETE", func() bool { r := roomOf(); return r != 0 && r != first })
	second := roomOf()
	h.WaitUntil(20*time.Second, "panel in the new room", func() bool {
		ms, _ := h.Sim.Messages(snowflake.ID(second).String())
		return len(ms) > 0
	})
	if err := h.Sim.RemoveMember(h.Guild.GuildID, carol); err != nil {
		t.Fatal(err)
	}
	h.WaitUntil(20*time.Second, "pair archived from GUILD_MEMBER_REMOVE", func() bool {
		status, room := pairState(t, h, p.ID)
		return status == "archived" && room == "archived"
	})
	if refs, _ := pairs.ActivePairs(ctx, nil, gid); len(refs) != 0 {
		t.Fatalf("ActivePairs after the member left: %+v", refs)
	}
}

// pairState reads a pair's status and room state as stored.
func pairState(t *testing.T, h *apptest.Harness, pairID int64) (status, room string) {
	t.Helper()
	_ = h.DB.Pool.QueryRow(context.Background(), `SELECT status, room_state FROM pairhome_pairs WHERE id = $1`, pairID).Scan(&status, &room)
	return status, room
}
