package playgroundtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/duel"
	"github.com/together-bot/together/modules/pairhome"
)

// docsScreenshot is where UPDATE_SCREENSHOTS=1 writes the playground
// mid-duel for docs/emulator.md.
func docsScreenshot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "docs", "playground-duel.png")
}

// TestE2EPlaygroundDuel plays a duel round in the browser as staff and the
// members of two pairs would, with the real bot behind the emulator: only the
// page is used, never the bot's internals. Both pairs answer, staff close
// answers early (the answer window is at least 5 minutes on the bot's
// clock), bob votes for the other pair's answer on the public scoreboard and
// sees the count change.
func TestE2EPlaygroundDuel(t *testing.T) {
	apptest.SkipUnderRace(t)
	b := newBrowser(t) // skips before booting the bot when chromium is missing outside CI
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{pairhome.Descriptor, duel.Descriptor}})
	g := h.Guild
	bob, carol := g.MemberIDs[0], g.MemberIDs[1]
	dave, err := h.Sim.AddMember(g.GuildID, discordsim.MemberSpec{Username: "dave"})
	if err != nil {
		t.Fatal(err)
	}
	erin, err := h.Sim.AddMember(g.GuildID, discordsim.MemberSpec{Username: "erin"})
	if err != nil {
		t.Fatal(err)
	}
	staff := b.tab(t, "staff", playgroundAt(h.Sim, g.GuildID, g.ChannelIDs["general"], g.AdminID))
	staff.waitText("#member-select option:checked", "alice-admin")
	// Staff configure where pair rooms go, pair bob and carol, open a duel
	// and a round. Each answer is ephemeral, shown only to staff.
	staff.command("config channel", map[string]string{"purpose": "pairhome.category", "channel": g.CategoryID})
	staff.waitText("#messages .message.ephemeral", "Pair rooms")
	staff.command("pair create", map[string]string{"member_a": bob, "member_b": carol})
	staff.waitText("#messages .message.ephemeral", "bob")
	staff.command("pair create", map[string]string{"member_a": dave, "member_b": erin})
	staff.waitText("#messages .message.ephemeral", "dave")
	staff.command("duel start", map[string]string{"channel": g.ChannelIDs["duels"], "title": "Autumn duel"})
	staff.waitText("#messages .message.ephemeral", "Autumn duel")

	// Bob sees the private room appear, with its pinned Pair Home panel.
	member := b.tab(t, "bob", playgroundAt(h.Sim, g.GuildID, g.ChannelIDs["general"], bob))
	member.openChannel("bob-carol")
	member.waitText("#messages .message", "Pair Home")
	staff.command("duel round start", map[string]string{"prompt": "Describe your perfect Sunday", "duration_minutes": "5"})
	member.waitText("#messages .message", "Describe your perfect Sunday")

	// Bob answers through the modal; the confirmation is his alone.
	member.submitAnswer("Pancakes, a long walk and no phones")

	partner := b.tab(t, "carol", playgroundAt(h.Sim, g.GuildID, g.ChannelIDs["general"], carol))
	partner.openChannel("bob-carol")
	partner.waitText("#messages .message", "Describe your perfect Sunday")
	if partner.has("#messages .message", "Answer saved") {
		t.Fatal("carol sees bob's ephemeral confirmation")
	}

	if os.Getenv("UPDATE_SCREENSHOTS") != "" {
		member.screenshot(docsScreenshot())
		t.Logf("wrote %s", docsScreenshot())
	}

	// The public scoreboard counts the answer, live.
	member.openChannel("duels")
	member.waitText("#messages .message", "Answers: 1")

	// Dave answers for the second pair from his room.
	other := b.tab(t, "dave", playgroundAt(h.Sim, g.GuildID, g.ChannelIDs["general"], dave))
	other.openChannel("dave-erin")
	other.waitText("#messages .message", "Describe your perfect Sunday")
	other.submitAnswer("A bonfire and bad jokes")
	member.waitText("#messages .message", "Answers: 2")

	// Staff close answers now: voting opens on the scoreboard.
	staff.command("duel round close-answers", nil)
	staff.waitText("#messages .message.ephemeral", "Voting is open until")
	member.waitText("#messages .message", "votes: 0")
	member.waitText(`#messages select[data-custom-id^="1:duel:vote:"] option`, "A bonfire and bad jokes")

	// Bob votes for dave's answer through the select; the board counts it.
	vote := `(() => {
		const s = document.querySelector('#messages select[data-custom-id^="1:duel:vote:"]');
		const o = [...s.options].find((o) => o.text.includes("A bonfire and bad jokes"));
		s.value = o.value;
		s.dispatchEvent(new Event("change"));
		return true;
	})()`
	eval[bool](member, vote)
	member.waitText("#messages .message.ephemeral", "Vote recorded")
	member.waitText("#messages .message", "votes: 1")
}

// submitAnswer answers the duel round shown in the open room the way a
// member does: Submit answer, the modal filled with text, Submit; the
// private confirmation must follow.
//
// The button is clicked from inside the page: the room's messages re-render
// whenever an update arrives (the Pair Home panel does right after a
// prompt), and a node looked up over the DevTools protocol first can be
// gone by the time its click is sent ("Could not find node with given id").
func (tb *tab) submitAnswer(text string) {
	tb.t.Helper()
	const submit = `#messages button.c-button[data-custom-id^="1:duel:submit:"]`
	tb.run(chromedp.WaitVisible(chromedp.CSS(submit)))
	eval[bool](tb, `(() => { document.querySelector('`+submit+`').click(); return true; })()`)
	tb.run(chromedp.WaitVisible(chromedp.CSS("dialog#modal[open]")))
	tb.run(chromedp.SendKeys(chromedp.CSS("#modal-body textarea, #modal-body input"), text))
	tb.run(chromedp.Click(chromedp.CSS("#modal-submit")))
	tb.waitText("#messages .message.ephemeral", "Answer saved")
}

// TestE2EPlaygroundEphemeralIsPrivate checks that a reply only its member
// may see never shows on another member's page, which does show the
// channel's public messages live.
func TestE2EPlaygroundEphemeralIsPrivate(t *testing.T) {
	apptest.SkipUnderRace(t)
	b := newBrowser(t)
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{pairhome.Descriptor}})
	g := h.Guild
	staff := b.tab(t, "staff", playgroundAt(h.Sim, g.GuildID, g.ChannelIDs["general"], g.AdminID))
	member := b.tab(t, "bob", playgroundAt(h.Sim, g.GuildID, g.ChannelIDs["general"], g.MemberIDs[0]))

	staff.command("config channel", map[string]string{"purpose": "pairhome.category", "channel": g.CategoryID})
	staff.waitText("#messages .message.ephemeral", "Pair rooms")
	msgs, err := h.Sim.Messages(g.ChannelIDs["general"])
	if err != nil || len(msgs) != 1 || msgs[0]["ephemeral_to"] != g.AdminID {
		t.Fatalf("want one reply ephemeral to staff in #general, got %v (%v)", msgs, err)
	}

	// A public message after it reaches bob's page live; the reply never does.
	asBot(t, h.Sim, "POST", "/channels/"+g.ChannelIDs["general"]+"/messages", map[string]any{"content": "Welcome, everyone"})
	member.waitText("#messages .message", "Welcome, everyone")
	staff.waitText("#messages .message", "Welcome, everyone")
	if member.has("#messages .message", "Pair rooms") || member.has("#messages .message.ephemeral", "") {
		t.Fatal("bob's page shows staff's ephemeral reply")
	}
}
