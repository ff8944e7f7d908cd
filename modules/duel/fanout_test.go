package duel

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/discord/restlimit"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// sim is an emulated Discord with one guild.
type sim struct {
	*discordsim.Server
	guild string
}

func newSim(t testing.TB) *sim {
	t.Helper()
	s, err := discordsim.New(discordsim.Options{Logger: quiet, RequestLogSize: 5000})
	must(t, err)
	must(t, s.Start(""))
	t.Cleanup(func() {
		_ = s.Close()
		s.RequireNoViolations(t)
	})
	g, err := s.CreateGuild("duel")
	must(t, err)
	return &sim{Server: s, guild: g}
}

func (s *sim) channel(t testing.TB, name string) uint64 {
	t.Helper()
	id, err := s.CreateChannel(s.guild, discordsim.ChannelSpec{Name: name})
	must(t, err)
	return uint64(snowflake.MustParse(id))
}

// rest is the bot's client as the runtime builds it: disgo with restlimit.
func (s *sim) rest() rest.Rest {
	return rest.New(rest.NewClient(s.Token(), rest.WithURL(s.APIURL()),
		rest.WithRateLimiter(restlimit.New(restlimit.WithLogger(quiet))), rest.WithLogger(quiet)))
}

func (s *sim) messages(t testing.TB, channel uint64) []map[string]any {
	t.Helper()
	ms, err := s.Messages(snowflake.ID(channel).String())
	must(t, err)
	return ms
}

// TestFanOutReachesEveryRoomAndReportsFailures: a deleted room fails
// permanently and is reported, a room-less pair is counted, a Discord
// outage is retried, and none of them holds up the other rooms.
func TestFanOutReachesEveryRoomAndReportsFailures(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	e := newEnv(t, s.rest())
	var rooms []uint64
	for i := range 6 {
		ch := s.channel(t, "room")
		rooms = append(rooms, ch)
		e.pair(int64(i+1), ch)
	}
	gone := s.channel(t, "gone")
	must(t, s.DeleteChannel(snowflake.ID(gone).String()))
	e.pair(7, gone)
	e.pair(8, 0) // room not created yet
	e.startDuel()
	// A short outage: the first attempts get 502s and are retried.
	must(t, s.InjectFault(discordsim.Fault{Kind: "rest_5xx", Status: 502, DurationMS: 300}))
	res, err := e.svc.startRound(context.Background(), testGuild, 1, roundSpec{Prompt: "Say @everyone hi", AnswerDuration: time.Minute})
	must(t, err)
	if res.Rooms != 7 || res.NoRoom != 1 {
		t.Fatalf("start = %+v", res)
	}
	q := e.newQueue(nil)
	must(t, q.Start(context.Background()))
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	waitUntil(t, 30*time.Second, "every room handled", func() bool {
		st, err := e.svc.status(context.Background(), testGuild)
		return err == nil && st.Delivery.Pending == 0
	})
	st, err := e.svc.status(context.Background(), testGuild)
	must(t, err)
	d := st.Delivery
	if d.Sent != 6 || d.Failed != 1 || d.NoRoom != 1 || len(d.FailedRooms) != 1 || d.FailedRooms[0].PairID != 7 {
		t.Fatalf("delivery = %+v", d)
	}
	for i, ch := range rooms {
		ms := s.messages(t, ch)
		if len(ms) != 1 {
			t.Fatalf("room %d has %d messages", i, len(ms))
		}
		raw, _ := json.Marshal(ms[0])
		want, _ := submitID(res.Round.ID, int64(i+1))
		if !strings.Contains(string(raw), want) || !strings.Contains(string(raw), "Say @everyone hi") {
			t.Fatalf("room %d message = %s", i, raw)
		}
	}
	// Redelivered notify jobs do not post twice.
	_, err = e.Queue.Insert(context.Background(), NotifyArgs{GuildID: testGuild, RoundID: res.Round.ID, PairID: 1}, nil)
	must(t, err)
	time.Sleep(500 * time.Millisecond)
	if n := len(s.messages(t, rooms[0])); n != 1 {
		t.Fatalf("duplicate notice: %d messages", n)
	}
}

// TestBoardRendersAndDiscordAcceptsIt renders the scoreboard in every
// phase, with 30 long answers during voting, and posts each version to the
// emulator, which validates it against Discord's API schema and limits.
func TestBoardRendersAndDiscordAcceptsIt(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	client := s.rest()
	e := newEnv(t, client)
	board := s.channel(t, "board")
	ctx := context.Background()
	d, err := e.svc.startDuel(ctx, testGuild, board, 1, "Spring duel")
	must(t, err)
	post := func(stage string) string {
		t.Helper()
		rd, err := e.svc.renderBoard(ctx, e.DB.Bun, d.ID)
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		if rd.ChannelID != snowflake.ID(board) {
			t.Fatalf("%s: channel %d", stage, rd.ChannelID)
		}
		if _, err := client.CreateMessage(rd.ChannelID, rd.Message); err != nil {
			t.Fatalf("%s: Discord refused the board: %v", stage, err)
		}
		raw, _ := json.Marshal(rd.Message)
		return string(raw)
	}
	if got := post("no round"); !strings.Contains(got, "No round yet") || !strings.Contains(got, "Spring duel") {
		t.Fatalf("board = %s", got)
	}
	var ps []pairhomeapi.Pair
	for i := range 30 {
		ps = append(ps, e.pair(int64(i+1), 0))
	}
	r := e.startRound(time.Minute, 10)
	for i, p := range ps {
		e.submit(r, p, i%2, strings.Repeat("long answer text ", 24)[:maxAnswerLen])
	}
	if got := post("answering"); !strings.Contains(got, "answers open") || !strings.Contains(got, "Answers: **30**") {
		t.Fatalf("board = %s", got)
	}
	e.expire(r)
	e.advance(r)
	got := post("voting")
	// The select (type 3) offers 25 answers; the other 5 are reached
	// through the full ballot.
	for _, want := range []string{`"type":3`, "1:duel:vote:", "1:duel:ballot:", "Vote for the best answer", `"value":"25"`} {
		if !strings.Contains(got, want) {
			t.Fatalf("voting board lacks %q: %s", want, got)
		}
	}
	if strings.Contains(got, `"value":"26"`) {
		t.Fatal("board select has more than 25 options")
	}
	// Every page of the private ballot is valid too, and covers all answers.
	seen := map[int]bool{}
	for page := 0; page < 4; page++ {
		msg, err := e.svc.ballotPage(ctx, "ru", testGuild, r.ID, page, ps[0].Members[0])
		must(t, err)
		if _, err := client.CreateMessage(snowflake.ID(board), msg); err != nil {
			t.Fatalf("ballot page %d refused: %v", page, err)
		}
		raw, _ := json.Marshal(msg)
		for l := 1; l <= 30; l++ {
			if strings.Contains(string(raw), `"value":"`+itoa(int64(l))+`"`) {
				seen[l] = true
			}
		}
	}
	if len(seen) != 30 {
		t.Fatalf("ballot pages offer %d answers, want 30", len(seen))
	}
	_, err = e.svc.vote(ctx, testGuild, r.ID, ps[0].Members[0], e.labelOf(r, 2))
	must(t, err)
	_, err = e.svc.endDuel(ctx, testGuild, 1)
	must(t, err)
	got = post("ended")
	if !strings.Contains(got, "The duel is over") || !strings.Contains(got, "**2** pts") || strings.Contains(got, "1:duel:vote:") {
		t.Fatalf("final board = %s", got)
	}
}

// TestLatePromptTellsThePairWhatHappened: a prompt job that runs after its
// round stopped taking answers (an outage, a crash and the re-run) posts the
// prompt marked late, with no Submit button and a pointer to the scoreboard,
// and /duel status counts it as late. A cancelled round says so.
func TestLatePromptTellsThePairWhatHappened(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	e := newEnv(t, s.rest())
	ctx := context.Background()
	roomA, roomB := s.channel(t, "room-a"), s.channel(t, "room-b")
	a, b := e.pair(1, roomA), e.pair(2, roomB)
	board := s.channel(t, "board")
	_, err := e.svc.startDuel(ctx, testGuild, board, 1, "")
	must(t, err)
	notify := func(r round, p pairhomeapi.Pair) map[string]any {
		t.Helper()
		must(t, e.svc.notify(ctx, NotifyArgs{GuildID: testGuild, RoundID: r.ID, PairID: p.ID}, false))
		ms := s.messages(t, p.ChannelID)
		if len(ms) == 0 {
			t.Fatalf("room of pair %d got nothing", p.ID)
		}
		return ms[len(ms)-1]
	}
	requireLate := func(m map[string]any, r round, want string) {
		t.Helper()
		raw, _ := json.Marshal(m)
		got, _ := m["content"].(string)
		submit, _ := submitID(r.ID, a.ID)
		for _, w := range []string{"(delivered late)", r.Prompt, want, "<#" + snowflake.ID(board).String() + ">"} {
			if !strings.Contains(got, w) {
				t.Fatalf("late notice %s lacks %q", got, w)
			}
		}
		if strings.Contains(string(raw), submit) || strings.Contains(string(raw), `"components":[{`) {
			t.Fatalf("late notice offers a Submit button: %s", raw)
		}
	}

	// Both pairs answer from Pair Home while Discord is unreachable; the
	// round moves to voting before any prompt is posted.
	r := e.startRound(time.Minute, 10)
	e.submit(r, a, 0, "answer A")
	e.submit(r, b, 0, "answer B")
	e.expire(r)
	if out := e.advance(r); out != outcomeVoting {
		t.Fatalf("advance = %s, want voting", out)
	}
	// The prompt jobs were lost (deleted by an operator, skipped by the
	// gate): the sweep re-queues them although the round has closed.
	_, err = e.DB.Pool.Exec(ctx, `DELETE FROM river_job WHERE kind = 'duel.notify'`)
	must(t, err)
	_, err = e.DB.Pool.Exec(ctx, `UPDATE duel_deliveries SET updated_at = now() - interval '2 minutes'`)
	must(t, err)
	if n, err := e.svc.sweep(ctx); err != nil || n != 2 {
		t.Fatalf("sweep queued %d (%v), want the 2 lost prompts", n, err)
	}
	requireLate(notify(r, a), r, "after answers closed")
	requireLate(notify(r, b), r, "after answers closed")
	st, err := e.svc.status(ctx, testGuild)
	must(t, err)
	if st.Delivery.Late != 2 || st.Delivery.Sent != 0 || st.Delivery.Pending != 0 {
		t.Fatalf("delivery = %+v, want 2 late", st.Delivery)
	}
	// A re-run (crash after the post) does not post again.
	notify(r, a)
	if n := len(s.messages(t, roomA)); n != 1 {
		t.Fatalf("room A has %d messages after a re-run, want 1", n)
	}
	e.expire(r)
	e.advance(r)

	// A round cancelled before its prompt went out.
	r2 := e.startRound(time.Minute, 10)
	_, err = e.svc.cancelRound(ctx, testGuild, 1)
	must(t, err)
	requireLate(notify(e.round(r2.ID), a), e.round(r2.ID), "was cancelled")
}
