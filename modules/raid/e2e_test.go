package raid

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/pairhome"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi/pairhometest"
)

// e2eWorld boots the bot with pairhome and raid and seeds two pairs with
// rooms (written into pairhome's tables, as its room job would).
type e2eWorld struct {
	h       *apptest.Harness
	board   string
	general string
	rooms   [2]string
	pairs   [2]int64
	members [2][2]string
	admin   string
}

func newE2E(t *testing.T) *e2eWorld {
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{pairhome.Descriptor, Descriptor},
		Env: map[string]string{"DEFAULT_TIMEZONE": "Asia/Almaty"}})
	w := &e2eWorld{h: h, board: h.Guild.ChannelIDs["duels"], general: h.Guild.ChannelIDs["general"], admin: h.Guild.AdminID}
	seeded := pairhometest.SeedRooms(t, h)
	w.members, w.rooms, w.pairs = seeded.Members, seeded.Rooms, seeded.Pairs
	return w
}

func (w *e2eWorld) click(user, channel, message, customID string) string {
	return apptest.Seen(w.h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: user,
		ChannelID: channel, MessageID: message, CustomID: customID}))
}

// TestE2ERaidThroughDiscord plays a raid day as users do: staff start the
// raid, a member takes today's quests and claims one, the partner confirms
// from the room prompt, the dashboard follows; a pair whose room is gone
// still confirms from /raid quests; staff end the raid and the dashboard
// shows the final state.
func TestE2ERaidThroughDiscord(t *testing.T) {
	t.Parallel()
	w := newE2E(t)
	h, ctx := w.h, context.Background()

	apptest.RequireContains(t, apptest.Seen(h.Command(w.members[0][0], "raid start", nil)), "Only administrators")
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "raid quests", nil)), "no raid running")
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "raid start", map[string]any{"channel": w.board, "goal": 30})), "The raid is on", "**30**")
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "raid start", nil)), "already running")
	w.h.WaitMessage(w.board, "Cooperative raid")

	var raidID int64
	var keys []string
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT r.id, o.quest_keys FROM raid_raids r JOIN raid_offers o ON o.raid_id = r.id`).
		Scan(&raidID, &keys))
	if len(keys) != defaultOffersPerDay {
		t.Fatalf("offers %v", keys)
	}

	// Pair 0 claims today's first quest from /raid quests.
	quests := h.Command(w.members[0][0], "raid quests", nil)
	apptest.RequireContains(t, apptest.Seen(quests), "Today's raid quests", libraryByKey[keys[0]].EN, "Did #1")
	claim, _ := claimID(raidID, keys[0])
	apptest.RequireContains(t, w.click(w.members[0][0], w.general, quests.MessageID, claim), "Nice!")
	apptest.RequireContains(t, w.click(w.members[0][0], w.general, quests.MessageID, claim), "already claimed")

	prompt := w.h.WaitMessage(w.rooms[0], "1:raid:confirm:")
	var cid int64
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT id FROM raid_claims WHERE pair_id = $1`, w.pairs[0]).Scan(&cid))
	confirm, _ := confirmID(cid)
	apptest.RequireContains(t, w.click(w.members[0][0], w.rooms[0], prompt["id"].(string), confirm), "your partner has to confirm")
	pts := libraryByKey[keys[0]].Points
	apptest.RequireContains(t, w.click(w.members[0][1], w.rooms[0], prompt["id"].(string), confirm), "Confirmed", "+"+itoa(int64(pts)))
	apptest.RequireContains(t, w.click(w.members[0][1], w.rooms[0], prompt["id"].(string), confirm), "already confirmed")
	board := w.h.WaitMessage(w.board, "Contributing pairs: **1**")

	// Pair 1's room is gone: the prompt cannot be delivered, but the
	// partner confirms from /raid quests.
	must(t, h.Sim.DeleteChannel(w.rooms[1]))
	q1 := h.Command(w.members[1][0], "raid quests", nil)
	claim2, _ := claimID(raidID, keys[1])
	apptest.RequireContains(t, w.click(w.members[1][0], w.general, q1.MessageID, claim2), "Nice!")
	var cid2 int64
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT id FROM raid_claims WHERE pair_id = $1`, w.pairs[1]).Scan(&cid2))
	// Depending on whether pairhome has seen the deletion yet, the post is
	// refused (failed) or there is no room (pending, retried): not sent.
	h.WaitUntil(30*time.Second, "prompt attempted", func() bool {
		var st string
		var tries int
		must(t, h.DB.Pool.QueryRow(ctx, `SELECT prompt_status, prompt_tries FROM raid_claims WHERE id = $1`, cid2).Scan(&st, &tries))
		if st == "sent" {
			t.Fatal("prompt sent to a deleted room")
		}
		return tries > 0
	})
	partnerView := h.Command(w.members[1][1], "raid quests", nil)
	apptest.RequireContains(t, apptest.Seen(partnerView), "confirm if you did it together", "Confirm #2")
	confirm2, _ := confirmID(cid2)
	apptest.RequireContains(t, w.click(w.members[1][1], w.general, partnerView.MessageID, confirm2), "Confirmed")

	total := pts + libraryByKey[keys[1]].Points
	w.h.WaitMessage(w.board, "Contributing pairs: **2**")
	mine, _ := boardButtonID(actMine, raidID)
	apptest.RequireContains(t, w.click(w.members[1][0], w.board, board["id"].(string), mine), "this week")
	rules, _ := boardButtonID(actRules, raidID)
	apptest.RequireContains(t, w.click(w.members[1][0], w.board, board["id"].(string), rules), "Raid rules")

	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "raid end", nil)), "has ended", itoa(int64(total))+"/30")
	w.h.WaitMessage(w.board, "Phase: **Over")
	if boards := len(h.MessagesWith(w.board, "Cooperative raid")); boards != 1 {
		t.Fatalf("%d dashboard messages, want 1 edited in place", boards)
	}
	if st := h.Sim.Stats(); st.RateLimited != 0 {
		t.Fatalf("%d requests got 429", st.RateLimited)
	}
}

// TestE2ERaidSettingsThroughConfig: staff set the cap, offers and goal with
// /config; the next raid starts with them, and out-of-range values change nothing.
func TestE2ERaidSettingsThroughConfig(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{pairhome.Descriptor, Descriptor}})
	admin := h.Guild.AdminID
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "config setting", map[string]any{"name": "raid.daily_cap", "value": "0"})),
		"use a whole number from 1 to 10000")
	for setting, value := range map[string]string{"raid.daily_cap": "90", "raid.offers_per_day": "5", "raid.goal": "1200"} {
		apptest.RequireContains(t, apptest.Seen(h.Command(admin, "config setting", map[string]any{"name": setting, "value": value})), value)
	}
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "config show", nil)), "(`raid.daily_cap`): 90", "(`raid.goal`): 1200")
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "raid start", map[string]any{"channel": h.Guild.ChannelIDs["lobby"]})), "**1200**")
	var dailyCap, offers int
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT daily_cap, offers_per_day FROM raid_raids WHERE status = 'active'`).
		Scan(&dailyCap, &offers); err != nil || dailyCap != 90 || offers != 5 {
		t.Fatalf("raid started with cap %d and %d offers (%v)", dailyCap, offers, err)
	}
}

// TestE2ERaidDashboardFollowsTheChannel: setting the raid channel starts the
// week's raid in that transaction and the dashboard is posted with no step
// running; moving the channel moves the dashboard (the old message is
// deleted); clearing it leaves the running raid where it is.
func TestE2ERaidDashboardFollowsTheChannel(t *testing.T) {
	t.Parallel()
	w := newE2E(t)
	h, ctx := w.h, context.Background()
	lobby := h.Guild.ChannelIDs["lobby"]
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "config channel", map[string]any{"purpose": purpose.ID(), "channel": w.board})), "<#"+w.board+">")
	first := w.h.WaitMessage(w.board, "Cooperative raid")
	// now() is the transaction's start: equal times mean the raid was started
	// in the transaction that set the channel, not by the weekly step.
	var sameTx bool
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT r.created_at = g.updated_at AND r.auto FROM raid_raids r
		JOIN core_guild_channels g ON g.guild_id = r.guild_id AND g.module = 'raid' AND g.purpose = 'channel'`).Scan(&sameTx))
	if !sameTx {
		t.Fatal("the raid was not started in the transaction that set the raid channel")
	}

	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "config channel", map[string]any{"purpose": purpose.ID(), "channel": lobby})), "<#"+lobby+">")
	w.h.WaitMessage(lobby, "Cooperative raid")
	h.WaitUntil(30*time.Second, "old dashboard deleted", func() bool {
		_, found := h.Sim.Message(first["id"].(string))
		return !found
	})
	var raids int
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM raid_raids`).Scan(&raids))
	if raids != 1 {
		t.Fatalf("%d raids after moving the channel, want the one", raids)
	}

	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "config channel", map[string]any{"purpose": purpose.ID()})), "cleared.")
	var channel int64
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT channel_id FROM raid_raids WHERE status = 'active'`).Scan(&channel))
	if strconv.FormatInt(channel, 10) != lobby {
		t.Fatalf("clearing the raid channel moved the raid to %d", channel)
	}
}
