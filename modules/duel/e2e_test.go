package duel

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/pairhome"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi/pairhometest"
)

// e2eWorld boots the bot with pairhome and duel and seeds two pairs with
// rooms (written straight into pairhome's tables, as its room job would).
type e2eWorld struct {
	h             *apptest.Harness
	guild         uint64
	board         string
	rooms         [2]string
	pairs         [2]int64
	members       [2][2]string
	admin         string
	roundID, duel int64
}

func newE2E(t *testing.T) *e2eWorld {
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{pairhome.Descriptor, Descriptor}})
	h.SyncGuildCommands()
	w := &e2eWorld{h: h, guild: moduletest.ID(t, h.Guild.GuildID), board: h.Guild.ChannelIDs["duels"], admin: h.Guild.AdminID}
	seeded := pairhometest.SeedRooms(t, h)
	w.members, w.rooms, w.pairs = seeded.Members, seeded.Rooms, seeded.Pairs
	return w
}

func (w *e2eWorld) messages(t *testing.T, channel string) []map[string]any {
	t.Helper()
	ms, err := w.h.Sim.Messages(channel)
	must(t, err)
	return ms
}

func (w *e2eWorld) phase(t *testing.T) roundPhase {
	var ph string
	must(t, w.h.DB.Pool.QueryRow(context.Background(), `SELECT phase FROM duel_rounds WHERE id = $1`, w.roundID).Scan(&ph))
	return roundPhase(ph)
}

// skipTo ends the current phase now and makes its queued close job due.
func (w *e2eWorld) skipTo(t *testing.T) {
	t.Helper()
	_, err := w.h.DB.Pool.Exec(context.Background(), `UPDATE duel_rounds SET
		answer_deadline = CASE WHEN phase = 'answering' THEN now() ELSE answer_deadline END,
		vote_deadline = CASE WHEN phase = 'voting' THEN now() ELSE vote_deadline END WHERE id = $1`, w.roundID)
	must(t, err)
	_, err = w.h.DB.Pool.Exec(context.Background(), `UPDATE river_job SET scheduled_at = now() WHERE kind = 'duel.close' AND state = 'scheduled'`)
	must(t, err)
}

func (w *e2eWorld) answer(t *testing.T, pair, member int, answer string) string {
	t.Helper()
	room := w.rooms[pair]
	notice := w.h.WaitMessage(room, "1:duel:submit:")
	submit, _ := submitID(w.roundID, w.pairs[pair])
	user := w.members[pair][member]
	click := w.h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: user, ChannelID: room,
		MessageID: notice["id"].(string), CustomID: submit})
	if !strings.Contains(string(click.Response), `"type":9`) {
		return apptest.Seen(click) // refused before the form
	}
	form, _ := answerID(w.roundID, w.pairs[pair])
	return apptest.Seen(w.h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindModal, UserID: user, ChannelID: room,
		CustomID: form, Fields: map[string]any{answerInputID: answer}}))
}

// TestE2EDuelRoundThroughDiscord plays a round as users do: staff start the
// duel and a round, members answer through the room button and the form,
// vote on the public scoreboard; the bot restarts during voting and the
// round still closes and scores once.
func TestE2EDuelRoundThroughDiscord(t *testing.T) {
	t.Parallel()
	w := newE2E(t)
	h, ctx := w.h, context.Background()

	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "duel start", map[string]any{"channel": w.board, "title": "E2E duel"})), "E2E duel")
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "duel start", map[string]any{"channel": w.board})), "already running")
	w.h.WaitMessage(w.board, "No round yet")

	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "duel round start", map[string]any{"prompt": "Name a fruit", "duration_minutes": 5,
		"vote_minutes": 1})), "Round #1 started", "2 pair room")
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT id, duel_id FROM duel_rounds`).Scan(&w.roundID, &w.duel))

	apptest.RequireContains(t, w.answer(t, 0, 0, "  Mango  "), "Answer saved")
	apptest.RequireContains(t, w.answer(t, 0, 1, "Papaya"), "Answer replaced")
	apptest.RequireContains(t, w.answer(t, 1, 1, "Durian"), "Answer saved")
	w.h.WaitMessage(w.board, "Answers: **2**")

	// A member of another pair cannot use pair A's button.
	notice := w.h.WaitMessage(w.rooms[0], "1:duel:submit:")
	submit, _ := submitID(w.roundID, w.pairs[0])
	apptest.RequireContains(t, apptest.Seen(h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: w.members[1][0],
		ChannelID: w.rooms[0], MessageID: notice["id"].(string), CustomID: submit})), "Only the two members of this pair")

	// Staff close answers before the deadline (/duel is hidden from members
	// by default_member_permissions and re-checked by the router); a second
	// close changes nothing.
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "duel round close-answers", nil)), "Answers of round #1 are closed", "Voting is open until")
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "duel round close-answers", nil)), "already closed")
	if ph := w.phase(t); ph != phaseVoting {
		t.Fatalf("phase after close-answers = %s", ph)
	}
	board := w.h.WaitMessage(w.board, "1:duel:vote:")
	vote, _ := voteID(w.roundID, 0)
	var labelA, labelB int
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT max(label) FILTER (WHERE pair_id = $2), max(label) FILTER (WHERE pair_id = $3)
		FROM duel_answers WHERE round_id = $1`, w.roundID, w.pairs[0], w.pairs[1]).Scan(&labelA, &labelB))
	castVote := func(user string, label int) string {
		return apptest.Seen(h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: user, ChannelID: w.board,
			MessageID: board["id"].(string), CustomID: vote, Values: []string{itoa(int64(label))}}))
	}
	apptest.RequireContains(t, castVote(w.members[0][0], labelA), "cannot vote for your own")
	apptest.RequireContains(t, castVote(w.members[0][0], labelB), "Vote recorded")
	apptest.RequireContains(t, castVote(w.members[1][0], labelA), "Vote recorded")
	apptest.RequireContains(t, castVote(w.members[1][0], labelA), "already voted for answer", "unchanged")
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "duel status", nil)), "2 sent", "Papaya", "Durian")

	// Restart while voting: the close is durable and happens once.
	h.Stop()
	w.skipTo(t)
	h.Boot()
	h.WaitUntil(30*time.Second, "closed after restart", func() bool { return w.phase(t) == phaseClosed })
	var rows, total int
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT count(*), sum(points) FROM duel_scores WHERE round_id = $1`, w.roundID).Scan(&rows, &total))
	if rows != 2 || total != 4 {
		t.Fatalf("scores: %d rows, %d points", rows, total)
	}
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "duel end", nil)), "is over")
	final := w.h.WaitMessage(w.board, "The duel is over")
	apptest.RequireContains(t, func() string { raw, _ := json.Marshal(final); return string(raw) }(), "**2** pts")
	boards := 0
	for _, m := range w.messages(t, w.board) {
		if raw, _ := json.Marshal(m); strings.Contains(string(raw), `"title":"E2E duel"`) {
			boards++
		}
	}
	if n := boards; n != 1 {
		t.Fatalf("%d scoreboard messages, want 1 edited in place", n)
	}
	// The board's buttons answer privately.
	click := func(action, user string) string {
		id, _ := boardButtonID(action, w.duel)
		return apptest.Seen(h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: user,
			ChannelID: w.board, MessageID: final["id"].(string), CustomID: id}))
	}
	apptest.RequireContains(t, click(actRules, w.members[0][0]), "Duel rules")
	apptest.RequireContains(t, click(actHow, w.members[0][0]), "How to take part")
	apptest.RequireContains(t, click(actRoom, w.members[0][1]), "<#"+w.rooms[0]+">")
	apptest.RequireContains(t, click(actMine, w.members[1][1]), "**2** point(s) from 1 answer(s) and 1 vote(s)")
	apptest.RequireContains(t, click(actMine, w.admin), "not in a pair")
	if st := h.Sim.Stats(); st.RateLimited != 0 {
		t.Fatalf("%d requests got 429", st.RateLimited)
	}
}

// TestE2EForgedComponentsRefused sends, during voting, what a modified
// client could: the vote select's id with bad arguments, the select's id on
// a button (which used to panic the vote handler), a board button's id as a
// select, and a value no option offers. Each gets the localized
// damaged-button refusal and records nothing; a real vote then still works.
func TestE2EForgedComponentsRefused(t *testing.T) {
	t.Parallel()
	w := newE2E(t)
	h, ctx := w.h, context.Background()
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "duel start", map[string]any{"channel": w.board, "title": "Forged"})), "Forged")
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "duel round start", map[string]any{"prompt": "Name a fruit", "duration_minutes": 5,
		"vote_minutes": 5})), "Round #1 started")
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT id, duel_id FROM duel_rounds`).Scan(&w.roundID, &w.duel))
	apptest.RequireContains(t, w.answer(t, 0, 0, "Mango"), "Answer saved")
	apptest.RequireContains(t, w.answer(t, 1, 0, "Durian"), "Answer saved")
	w.skipTo(t)
	h.WaitUntil(30*time.Second, "voting", func() bool { return w.phase(t) == phaseVoting })
	board := w.h.WaitMessage(w.board, "1:duel:vote:")
	var labelB int
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT label FROM duel_answers WHERE round_id = $1 AND pair_id = $2`,
		w.roundID, w.pairs[1]).Scan(&labelB))

	round, voter := itoa(w.roundID), w.members[0][0]
	vote, _ := voteID(w.roundID, 0)
	rules, _ := boardButtonID(actRules, w.duel)
	const stringSelect, button = 3, 2
	label := []string{itoa(int64(labelB))}
	forged := []struct {
		name     string
		customID string
		typ      int
		values   []string
	}{
		{"letters for the round", customid.MustNew(Name, actVote, "abc", "0"), stringSelect, label},
		{"a float for the round", customid.MustNew(Name, actVote, "3.0", "0"), stringSelect, label},
		{"a 20-digit round", customid.MustNew(Name, actVote, "12345678901234567890", "0"), stringSelect, label},
		{"missing page", customid.MustNew(Name, actVote, round), stringSelect, label},
		{"extra argument", customid.MustNew(Name, actVote, round, "0", "1"), stringSelect, label},
		{"the select's id on a button", vote, button, nil},
		{"a button's id on a select", rules, stringSelect, label},
		{"a value no option offers", vote, stringSelect, []string{"abc"}},
		{"two values for one vote", vote, stringSelect, []string{label[0], label[0]}},
	}
	for _, f := range forged {
		res := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: voter, ChannelID: w.board,
			MessageID: board["id"].(string), CustomID: f.customID, Forged: true, ComponentType: f.typ, Values: f.values})
		got := apptest.Seen(res)
		if res.Failed || !strings.Contains(got, "out of date or damaged") || !strings.Contains(got, `"ephemeral_to":"`+voter+`"`) {
			t.Fatalf("%s: got %s, want the private damaged-button refusal", f.name, got)
		}
	}
	var votes int
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM duel_votes`).Scan(&votes))
	if votes != 0 {
		t.Fatalf("forged interactions recorded %d vote(s)", votes)
	}
	// The real select still votes.
	apptest.RequireContains(t, apptest.Seen(h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: voter, ChannelID: w.board,
		MessageID: board["id"].(string), CustomID: vote, Values: label})), "Vote recorded")
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM duel_votes`).Scan(&votes))
	if votes != 1 {
		t.Fatalf("%d vote(s) after one real vote", votes)
	}
}

// TestE2EInvisibleAnswerEarnsNothing: an answer made only of zero-width and
// format characters passes Discord's own length check on the form but is
// refused by the bot like an empty one, is not stored, and scores nothing.
func TestE2EInvisibleAnswerEarnsNothing(t *testing.T) {
	t.Parallel()
	w := newE2E(t)
	h, ctx := w.h, context.Background()
	h.Command(w.admin, "duel start", map[string]any{"channel": w.board})
	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "duel round start", map[string]any{"prompt": "Name a fruit", "duration_minutes": 5})),
		"Round #1 started")
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT id, duel_id FROM duel_rounds`).Scan(&w.roundID, &w.duel))

	apptest.RequireContains(t, apptest.Seen(h.Command(w.admin, "duel round start", map[string]any{"prompt": "\u200b\u2060\ufeff", "duration_minutes": 5})),
		"**prompt** has no visible text")
	apptest.RequireContains(t, w.answer(t, 0, 0, "\u200b\u200c\u200d\u2060\ufeff"), "**answer** has no visible text")
	apptest.RequireContains(t, w.answer(t, 0, 1, " \u200b \u200b "), "**answer** has no visible text")
	apptest.RequireContains(t, w.answer(t, 1, 0, "Durian"), "Answer saved")
	var stored int
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM duel_answers WHERE round_id = $1 AND pair_id = $2`,
		w.roundID, w.pairs[0]).Scan(&stored))
	if stored != 0 {
		t.Fatalf("the invisible answer was stored (%d rows)", stored)
	}

	// One real answer: the round closes without voting and scores it alone.
	w.skipTo(t)
	h.WaitUntil(30*time.Second, "closed", func() bool { return w.phase(t) == phaseClosed })
	var invisiblePts, realPts int
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT coalesce(sum(points) FILTER (WHERE pair_id = $2), 0),
		coalesce(sum(points) FILTER (WHERE pair_id = $3), 0) FROM duel_scores WHERE round_id = $1`,
		w.roundID, w.pairs[0], w.pairs[1]).Scan(&invisiblePts, &realPts))
	if invisiblePts != 0 || realPts != 1 {
		t.Fatalf("points: invisible pair %d, real pair %d; want 0 and 1", invisiblePts, realPts)
	}
}
