package oracle_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/fx"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/oracle"
	"github.com/together-bot/together/modules/pairhome"
)

// TestE2EOracle drives the module through the real runtime and the
// emulator as members and staff would: configure, publish twice, claim
// through the picker (with a double click), re-claim, send a DM copy twice,
// turn the module off, and have a deleted dashboard recreated.
func TestE2EOracle(t *testing.T) {
	var svc *oracle.Service
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{oracle.Descriptor},
		// The runtime does not wire core/projection yet; pairhome and
		// oracle both need it.
		Extra: []fx.Option{fx.Populate(&svc)}})
	ctx := context.Background()
	admin, bob := h.Guild.AdminID, h.Guild.MemberIDs[0]
	lobby := h.Guild.ChannelIDs["lobby"]
	guildID, _ := strconv.ParseUint(h.Guild.GuildID, 10, 64)

	apptest.RequireContains(t, apptest.Seen(h.Command(bob, "oracle status", nil)), "not set")
	apptest.RequireContains(t, apptest.Seen(h.Command(bob, "oracle publish-now", nil)), "Only administrators")
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "oracle publish-now", nil)), "No **oracle** channel")
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "config channel", map[string]any{"purpose": "oracle.channel", "channel": lobby})), "<#"+lobby+">")
	// Setting the channel is enough: the dashboard shows with no publish-now
	// and no scheduled publish.
	first := waitDashboard(t, h, lobby, "")
	// now() is the transaction's start: equal times mean the week was
	// published in the transaction that set the channel, not by the schedule.
	var sameTx bool
	if err := h.DB.Pool.QueryRow(ctx, `SELECT d.published_at = g.updated_at FROM oracle_dashboards d
		JOIN core_guild_channels g ON g.guild_id = d.guild_id AND g.module = 'oracle' AND g.purpose = 'channel'`).Scan(&sameTx); err != nil {
		t.Fatal(err)
	}
	if !sameTx {
		t.Fatal("the first dashboard was not published in the transaction that set the oracle channel")
	}

	// Publish twice: still the one message.
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "oracle publish-now", nil)), "being published", "<#"+lobby+">")
	dash := waitDashboard(t, h, lobby, "")
	if dash != first {
		t.Fatal("publish-now posted a second dashboard instead of editing the first")
	}
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "oracle publish-now", nil)), "being published")
	waitShown(t, h, guildID)
	if msgs := channelMessages(t, h, lobby); len(msgs) != 1 {
		t.Fatalf("%d dashboard messages after two publishes", len(msgs))
	}
	week, err := svc.CurrentWeek(ctx, guildID)
	if err != nil {
		t.Fatal(err)
	}
	w := week.String()
	apptest.RequireContains(t, apptest.Seen(h.Command(bob, "oracle status", nil)), w, "<#"+lobby+">", "Next publish")

	// Get guidance → picker → tone → context → claim.
	picker := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: lobby,
		MessageID: dash, CustomID: customid.MustNew("oracle", "open", w)})
	apptest.RequireContains(t, apptest.Seen(picker), "How should it sound")
	toned := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: lobby,
		MessageID: picker.MessageID, CustomID: customid.MustNew("oracle", "tone", w, "all_good"), Values: []string{"direct"}})
	apptest.RequireContains(t, apptest.Seen(toned), customid.MustNew("oracle", "ctx", w, "direct"))
	h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: lobby,
		MessageID: picker.MessageID, CustomID: customid.MustNew("oracle", "ctx", w, "direct"), Values: []string{"fatigue"}})

	// Double click on "Get guidance": both clicks that Discord delivers see
	// the same guidance; one claim is stored.
	claimID := customid.MustNew("oracle", "claim", w, "direct", "fatigue")
	clicks := 2
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		answers []string
	)
	for range clicks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			res, err := h.Sim.Interact(c, discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, GuildID: h.Guild.GuildID,
				UserID: bob, ChannelID: lobby, MessageID: picker.MessageID, CustomID: claimID})
			if err != nil || res.Failed {
				return // the first answer already replaced the button: Discord would not deliver the click
			}
			mu.Lock()
			answers = append(answers, content(res.Message))
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(answers) == 0 {
		t.Fatal("no claim was answered")
	}
	guidance := answers[0]
	apptest.RequireContains(t, guidance, "Tone: Direct", "Situation: Fatigue", "Risk:", "Mini challenge:")
	for _, a := range answers[1:] {
		if body(a) != body(guidance) {
			t.Fatalf("double click gave different guidance:\n%s\n---\n%s", a, guidance)
		}
	}
	var claims int
	if err := h.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM oracle_claims`).Scan(&claims); err != nil || claims != 1 {
		t.Fatalf("%d claims (%v)", claims, err)
	}

	// Claiming again from the card shows the same text and sends nothing.
	again := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: lobby,
		MessageID: dash, CustomID: customid.MustNew("oracle", "open", w)})
	apptest.RequireContains(t, content(again.Message), "already drew")
	if body(content(again.Message)) != body(guidance) {
		t.Fatalf("re-claim changed the guidance:\n%s\n---\n%s", content(again.Message), guidance)
	}
	if dms, _ := h.Sim.DMs(bob); len(dms) != 0 {
		t.Fatalf("claiming sent %d DMs", len(dms))
	}

	// The DM copy goes out once; the second click is refused.
	dm := customid.MustNew("oracle", "dm", w)
	sent := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: lobby,
		MessageID: again.MessageID, CustomID: dm})
	apptest.RequireContains(t, apptest.Seen(sent), "Sent to your DMs")
	refused := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: lobby,
		MessageID: picker.MessageID, CustomID: dm})
	apptest.RequireContains(t, apptest.Seen(refused), "already sent")
	if dms, _ := h.Sim.DMs(bob); len(dms) != 1 {
		t.Fatalf("%d DMs after two clicks, want 1", len(dms))
	}

	// The card counts the claim.
	h.WaitUntil(20*time.Second, "claim counted on the card", func() bool {
		msgs := channelMessages(t, h, lobby)
		return len(msgs) == 1 && strings.Contains(apptest.JSON(msgs), `"value":"1"`)
	})

	// Deleted by hand: publish-now posts it again, still one message.
	if err := h.Sim.DeleteMessage(lobby, dash); err != nil {
		t.Fatal(err)
	}
	h.Command(admin, "oracle publish-now", nil)
	waitDashboard(t, h, lobby, dash)

	// Moved to another channel: posted there at once, gone from the old one.
	duels := h.Guild.ChannelIDs["duels"]
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "config channel", map[string]any{"purpose": "oracle.channel", "channel": duels})), "<#"+duels+">")
	waitDashboard(t, h, duels, "")
	h.WaitUntil(20*time.Second, "old dashboard removed", func() bool { return len(channelMessages(t, h, lobby)) == 0 })

	// Turned off: the card's buttons and the command refuse.
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "config module", map[string]any{"name": "oracle", "enabled": false})), "off")
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "oracle publish-now", nil)), "turned off")
}

// waitDashboard waits for exactly one message in the channel other than
// old and returns its id.
func waitDashboard(t *testing.T, h *apptest.Harness, channel, old string) string {
	t.Helper()
	var id string
	h.WaitUntil(20*time.Second, "dashboard posted", func() bool {
		msgs := channelMessages(t, h, channel)
		if len(msgs) != 1 || msgs[0]["id"] == old {
			return false
		}
		id, _ = msgs[0]["id"].(string)
		return true
	})
	return id
}

// channelMessages lists the channel's messages everyone sees (the emulator
// also keeps ephemeral answers there).
func channelMessages(t *testing.T, h *apptest.Harness, channel string) []map[string]any {
	t.Helper()
	msgs, err := h.Sim.Messages(channel)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, m := range msgs {
		if _, eph := m["ephemeral_to"]; !eph {
			out = append(out, m)
		}
	}
	return out
}

func waitShown(t *testing.T, h *apptest.Harness, guildID uint64) {
	t.Helper()
	h.WaitUntil(20*time.Second, "dashboard up to date", func() bool {
		list, err := projection.List(context.Background(), h.DB, projection.Filter{Kind: oracle.DashboardKind, Key: oracle.DashboardKey(guildID)})
		return err == nil && len(list) == 1 && !list[0].Behind && list[0].Status == projection.StatusOK
	})
}

func content(m map[string]any) string {
	s, _ := m["content"].(string)
	return s
}

// body drops the first paragraph ("Here is…" / "You already drew…").
func body(s string) string {
	_, rest, _ := strings.Cut(s, "\n\n")
	return rest
}

// TestE2EOracleWithPairhome runs oracle next to pairhome: the fx graph has
// no cycle, the card offers the ritual, the pair panel shows oracle's
// section, and the guidance can be sent to the pair room once.
func TestE2EOracleWithPairhome(t *testing.T) {
	var svc *oracle.Service
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{pairhome.Descriptor, oracle.Descriptor},
		Extra: []fx.Option{fx.Populate(&svc)}})
	ctx := context.Background()
	admin, bob, carol := h.Guild.AdminID, h.Guild.MemberIDs[0], h.Guild.MemberIDs[1]
	lobby := h.Guild.ChannelIDs["lobby"]
	guildID, _ := strconv.ParseUint(h.Guild.GuildID, 10, 64)
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "config channel", map[string]any{"purpose": "oracle.channel", "channel": lobby})), "<#"+lobby+">")
	apptest.RequireContains(t, apptest.Seen(h.Command(admin, "config channel", map[string]any{"purpose": "pairhome.category", "channel": h.Guild.CategoryID})), "<#"+h.Guild.CategoryID+">")
	h.Command(admin, "pair create", map[string]any{"member_a": bob, "member_b": carol})

	h.Command(admin, "oracle publish-now", nil)
	dash := waitDashboard(t, h, lobby, "")
	week, err := svc.CurrentWeek(ctx, guildID)
	if err != nil {
		t.Fatal(err)
	}
	w := week.String()
	h.WaitUntil(20*time.Second, "ritual button on the card", func() bool {
		return strings.Contains(apptest.JSON(channelMessages(t, h, lobby)), "Pair ritual")
	})

	// The pair's room exists once pairhome has created it.
	var room string
	h.WaitUntil(30*time.Second, "pair room", func() bool {
		return h.DB.Pool.QueryRow(ctx, `SELECT coalesce(channel_id, 0)::text FROM pairhome_pairs WHERE guild_id = $1`, int64(guildID)).Scan(&room) == nil && room != "0"
	})
	ritual := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: lobby,
		MessageID: dash, CustomID: customid.MustNew("oracle", "ritual", w)})
	apptest.RequireContains(t, apptest.Seen(ritual), "<#"+room+">")

	picker := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: lobby,
		MessageID: dash, CustomID: customid.MustNew("oracle", "open", w)})
	claimed := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: lobby,
		MessageID: picker.MessageID, CustomID: customid.MustNew("oracle", "claim", w, "soft", "all_good")})
	apptest.RequireContains(t, apptest.Seen(claimed), "Send to our pair room")

	// The pair panel shows who claimed.
	h.WaitUntil(30*time.Second, "oracle section on the pair panel", func() bool {
		b := apptest.JSON(channelMessages(t, h, room))
		return strings.Contains(b, "<@"+bob+">: has claimed guidance") && strings.Contains(b, "<@"+carol+">: not yet")
	})

	pairCopy := customid.MustNew("oracle", "pair", w)
	sent := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: lobby,
		MessageID: claimed.MessageID, CustomID: pairCopy})
	apptest.RequireContains(t, apptest.Seen(sent), "Sent to your pair room")
	// Opening the guidance again shows the copy as sent (a disabled button:
	// Discord delivers no second click; the service test covers racing ones).
	reopened := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: bob, ChannelID: lobby,
		MessageID: dash, CustomID: customid.MustNew("oracle", "open", w)})
	apptest.RequireContains(t, apptest.Seen(reopened), "already drew", `"disabled":true,"id":3,"label":"Sent to your pair room"`)
	copies := 0
	for _, m := range channelMessages(t, h, room) {
		if strings.Contains(content(m), "shares this week's oracle guidance") {
			copies++
		}
	}
	if copies != 1 {
		t.Fatalf("%d copies in the pair room", copies)
	}
}
