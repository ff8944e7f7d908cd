package main

// Crash drills (issue 19): the real `app run` process is killed with
// SIGKILL in the middle of a fan-out of Discord messages and started again;
// every expected message must then be in the emulator exactly once, each
// within 60 s of the restart. The kill point is drawn from a logged seed
// (CRASHDRILL_SEED replays it), and the emulator's REST latency fault keeps
// requests in flight when the process dies. Recovery rests on core/queue's
// orphan rescue (a dead process's running jobs are handed back about 25 s
// after its last heartbeat) and on the nonces the senders attach, which the
// emulator, like Discord, answers with the first message instead of a second.

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/publicpost"
)

// restLatency is the emulator's per-request delay during the fan-out, as in
// the incident of issue 19.
const restLatency = 1500

// TestE2ECrashDrillDuelFanOut: staff start a duel and a round for 13 pairs;
// the process dies while the prompts go out; after the restart every pair's
// room has the prompt exactly once.
func TestE2ECrashDrillDuelFanOut(t *testing.T) {
	t.Parallel()
	d := newCrashDrill(t, "pairhome,duel")
	rng := crashdrillSeed(t)
	ctx := context.Background()
	g := d.Guild
	const pairs = 13
	var want []drillMessage
	for i := range pairs {
		a, err := d.Sim.AddMember(g.GuildID, discordsim.MemberSpec{Username: fmt.Sprintf("a%d", i)})
		requireNoErr(t, err)
		b, err := d.Sim.AddMember(g.GuildID, discordsim.MemberSpec{Username: fmt.Sprintf("b%d", i)})
		requireNoErr(t, err)
		room, err := d.Sim.CreateChannel(g.GuildID, discordsim.ChannelSpec{Name: "pair-room", ParentID: g.CategoryID})
		requireNoErr(t, err)
		// Pairs with ready rooms, written as pairhome's room job leaves them
		// (as the duel module's own end-to-end test does).
		lo, hi := min(snowflake.MustParse(a), snowflake.MustParse(b)), max(snowflake.MustParse(a), snowflake.MustParse(b))
		var pairID int64
		requireNoErr(t, d.DB.Pool.QueryRow(ctx, `INSERT INTO pairhome_pairs (guild_id, user_low, user_high, room_state, channel_id, room_name)
			VALUES ($1, $2, $3, 'ready', $4, 'pair-room') RETURNING id`, int64(mustID(t, g.GuildID)), int64(lo), int64(hi),
			int64(mustID(t, room))).Scan(&pairID))
		_, err = d.DB.Pool.Exec(ctx, `INSERT INTO pairhome_members (guild_id, user_id, pair_id) VALUES ($1, $2, $4), ($1, $3, $4)`,
			int64(mustID(t, g.GuildID)), int64(lo), int64(hi), pairID)
		requireNoErr(t, err)
		// The prompt's own text: the room's Pair Home panel shows the
		// round's answer button too.
		want = append(want, drillMessage{name: fmt.Sprintf("pair %d (room %s)", pairID, room), channel: room,
			marker: `"content":"**Duel — round #1**`})
	}
	d.start()
	board := g.ChannelIDs["duels"]
	res, err := d.Sim.Interact(ctx, discordsim.InteractionSpec{Type: discordsim.InteractKindCommand, UserID: g.AdminID,
		GuildID: g.GuildID, ChannelID: g.ChannelIDs["general"], Command: "duel start",
		Options: map[string]any{"channel": board, "title": "Crash drill"}})
	requireNoErr(t, err)
	if res.Failed {
		t.Fatal("/duel start was not answered")
	}

	killAfter := rng.IntN(pairs / 2) // prompts delivered before the kill: 0..5, so most are in flight
	d.slowREST(restLatency, 12*time.Second)
	go func() {
		// The process may die before it answers; the drill reads the outcome
		// from the rooms, not from this answer.
		_, _ = d.Sim.Interact(ctx, discordsim.InteractionSpec{Type: discordsim.InteractKindCommand, UserID: g.AdminID,
			GuildID: g.GuildID, ChannelID: g.ChannelIDs["general"], Command: "duel round start",
			Options: map[string]any{"prompt": "Name a fruit", "duration_minutes": 30, "vote_minutes": 5}})
	}()
	d.killMidFanOut(want, killAfter, "duel.notify")
	d.restart(want, "duel.notify")
	d.requireCount(`SELECT count(*) FROM duel_deliveries WHERE status = 'sent'`, pairs)
}

// TestE2ECrashDrillOutboxDrain: many scheduled posts fall due at once; the
// process dies mid-drain; after the restart each is published exactly once.
func TestE2ECrashDrillOutboxDrain(t *testing.T) {
	t.Parallel()
	d := newCrashDrill(t, "publicpost")
	rng := crashdrillSeed(t)
	ctx := context.Background()
	channel := d.Guild.ChannelIDs["duels"]
	d.start()
	const posts = 20
	var want []drillMessage
	q, err := queue.NewQueue(d.DB, nil)
	requireNoErr(t, err)
	svc := publicpost.NewService(d.DB, q, nil)
	killAfter := rng.IntN(posts / 2)
	d.slowREST(restLatency, 12*time.Second)
	for i := range posts {
		content := fmt.Sprintf("crash drill post %02d", i)
		if _, _, err := svc.CreateNow(ctx, publicpost.NewPost{GuildID: mustID(t, d.Guild.GuildID), ChannelID: mustID(t, channel),
			Payload: publicpost.Payload{Content: content}, At: time.Now(), IdempotencyKey: "crashdrill:" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, drillMessage{name: strconv.Quote(content), channel: channel, marker: `"` + content + `"`})
	}
	d.killMidFanOut(want, killAfter, "publicpost.publish")
	d.restart(want, "publicpost.publish")
	d.requireCount(`SELECT count(*) FROM publicpost_posts WHERE status = 'sent'`, posts)
}

// dashboardGuilds seeds more demo guilds (the drill's own is the first) and
// sets #lobby of each as module's channel, the way /setup stores it.
func (d *crashDrill) dashboardGuilds(n int, module string) []drillMessage {
	d.t.Helper()
	guilds := []discordsim.DemoGuild{d.Guild}
	for len(guilds) < n {
		g, err := d.Sim.SeedDemoGuild()
		requireNoErr(d.t, err)
		guilds = append(guilds, g)
	}
	var want []drillMessage
	for _, g := range guilds {
		lobby := g.ChannelIDs["lobby"]
		if _, err := d.DB.Pool.Exec(context.Background(), `INSERT INTO core_guild_channels (guild_id, module, purpose, channel_id)
			VALUES ($1, $2, 'channel', $3)`, int64(mustID(d.t, g.GuildID)), module, int64(mustID(d.t, lobby))); err != nil {
			d.t.Fatal(err)
		}
		// #lobby is this module's alone: every bot message in it is its dashboard.
		want = append(want, drillMessage{name: module + " dashboard of guild " + g.GuildID, channel: lobby, marker: `"id"`})
	}
	return want
}

// TestE2ECrashDrillOraclePublish: the weekly publish (the oracle.publish_due
// job the schedule runs every five minutes, sent with `app jobs send`
// because a real process's clock cannot be moved) creates the dashboard in
// eight guilds; the process dies while they are posted; after the restart
// each guild has exactly one.
func TestE2ECrashDrillOraclePublish(t *testing.T) {
	t.Parallel()
	dashboardDrill(t, "oracle", "oracle", "oracle.publish_due", 8)
}

// TestE2ECrashDrillRaidRollOver: the raid step (raid.step, every five
// minutes on the schedule, sent with `app jobs send`) finds a new week in
// eight guilds, starts their raids and posts each board; the process dies
// while they are posted; after the restart each guild has exactly one board.
func TestE2ECrashDrillRaidRollOver(t *testing.T) {
	t.Parallel()
	const guilds = 8
	d := dashboardDrill(t, "pairhome,raid", "raid", "raid.step", guilds)
	// One active raid per guild.
	d.requireCount(`SELECT count(*) FROM raid_raids WHERE status = 'active'`, guilds)
}

// dashboardDrill runs a per-guild dashboard fan-out started by one job kind
// (sent with `app jobs send`, as the schedule would) across guilds guilds,
// kills the process while the dashboards are posted, restarts it and checks
// each guild ends with exactly one. It returns the drill for further checks.
func dashboardDrill(t *testing.T, modules, dashboardModule, job string, guilds int) *crashDrill {
	t.Helper()
	d := newCrashDrill(t, modules)
	rng := crashdrillSeed(t)
	want := d.dashboardGuilds(guilds, dashboardModule)
	d.start()
	killAfter := rng.IntN(guilds / 2)
	d.slowREST(restLatency, 12*time.Second)
	if code, out, errOut := d.cli("jobs", "send", job); code != 0 {
		t.Fatalf("app jobs send %s: exit %d %s%s", job, code, out, errOut)
	}
	d.killMidFanOut(want, killAfter, "projection.refresh")
	d.restart(want, "projection.refresh")
	return d
}
