package hall

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/queue"
)

// TestMonthEndsInTheGuildsZone: in Tokyo (UTC+9) November ends at 15:00
// UTC on Nov 30. Points scored just before count for November's frozen
// card, points just after for December's, and the card is final only from
// that instant on.
func TestMonthEndsInTheGuildsZone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "Asia/Tokyo", utc("2026-11-30T14:00:00Z"), "quest")
	e.consentingPairs(1)
	e.sync()
	nov := e.card("2026-11")
	if !nov.Start.Equal(utc("2026-10-31T15:00:00Z")) || !nov.End.Equal(utc("2026-11-30T15:00:00Z")) || nov.Timezone != "Asia/Tokyo" {
		t.Fatalf("november = %+v", nov)
	}
	e.quest.add(1, utc("2026-11-30T14:30:00Z"), 3) // 23:30 Nov 30 in Tokyo
	e.quest.add(1, utc("2026-11-30T15:30:00Z"), 4) // 00:30 Dec 1 in Tokyo (still November in UTC)

	e.clock.Set(utc("2026-11-30T14:59:59Z"))
	e.sync()
	if c := e.card("2026-11"); c.Status != StatusLive {
		t.Fatalf("finalized a second early: %+v", c)
	}
	e.clock.Set(utc("2026-11-30T15:00:00Z"))
	e.sync()
	if c := e.card("2026-11"); c.Status != StatusFinal || c.ChannelID != hallChannel || c.ActivePairs != 1 {
		t.Fatalf("november after its end = %+v", c)
	}
	dec := e.card("2026-12")
	if dec.Status != StatusLive || !dec.Start.Equal(nov.End) || !dec.End.Equal(utc("2026-12-31T15:00:00Z")) {
		t.Fatalf("december = %+v", dec)
	}
	if card := e.render("2026-11"); !strings.Contains(card, "November 2026") || !strings.Contains(card, "final standings") ||
		!strings.Contains(card, "<@11> & <@12> — **3**") {
		t.Fatalf("frozen november: %s", card)
	}
	if card := e.render("2026-12"); !strings.Contains(card, "December 2026") || !strings.Contains(card, "this month so far") ||
		!strings.Contains(card, "— **4**") {
		t.Fatalf("live december: %s", card)
	}
	if e.proj.Count(CardKind, nov.Key()) < 2 || e.proj.Count(CardKind, dec.Key()) != 1 {
		t.Fatalf("requests: november %d, december %d", e.proj.Count(CardKind, nov.Key()), e.proj.Count(CardKind, dec.Key()))
	}

	// Frozen means frozen: later points leave it alone (withdrawn consent
	// does not: TestWithdrawnConsentReachesFrozenCards).
	e.quest.add(1, utc("2026-11-30T14:45:00Z"), 100)
	e.sync()
	if card := e.render("2026-11"); !strings.Contains(card, "<@11> & <@12> — **3**") {
		t.Fatalf("frozen card changed: %s", card)
	}
}

// TestTimezoneChangeKeepsPeriodsContiguous: the next card starts where the
// last ended even when the guild moved to another zone mid-month.
func TestTimezoneChangeKeepsPeriodsContiguous(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "UTC", utc("2026-11-20T00:00:00Z"), "quest")
	e.sync()
	e.guilds.mu.Lock()
	e.guilds.tz = "America/Los_Angeles"
	e.guilds.mu.Unlock()
	e.clock.Set(utc("2026-12-01T00:00:00Z"))
	e.sync()
	dec := e.card("2026-12")
	if !dec.Start.Equal(utc("2026-12-01T00:00:00Z")) || !dec.End.Equal(utc("2027-01-01T08:00:00Z")) || dec.Timezone != "America/Los_Angeles" {
		t.Fatalf("december = %+v", dec)
	}
}

// TestFinalizeExactlyOnce runs many finalizations of one due card at once,
// directly and as duplicate River jobs: one wins, the rest are no-ops, and
// the frozen rows exist once.
func TestFinalizeExactlyOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "Europe/Moscow", utc("2026-11-10T10:00:00Z"), "quest", "chess")
	ctx := context.Background()
	for i := int64(1); i <= 7; i++ {
		e.pairs.add(i, uint64(10*i+1), uint64(10*i+2))
		e.optin(uint64(10*i+1), "all")
		e.optin(uint64(10*i+2), "all")
		e.quest.add(i, utc("2026-11-10T10:00:00Z"), int(i))
		e.chess.add(i, utc("2026-11-10T10:00:00Z"), 10-int(i))
	}
	e.sync()
	e.clock.Set(utc("2026-11-30T21:00:00Z")) // midnight in Moscow
	var wins int
	var mu sync.Mutex
	var wg sync.WaitGroup
	nov, _ := ParseMonth("2026-11")
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := e.svc.Finalize(ctx, testGuild, nov)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d finalizations won, want 1", wins)
	}
	frozen := func() (cats, entries int) {
		must(t, e.db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM hall_card_categories), (SELECT count(*) FROM hall_card_entries)`).Scan(&cats, &entries))
		return
	}
	if c, n := frozen(); c != 2 || n != 2*topN {
		t.Fatalf("frozen %d categories, %d entries", c, n)
	}
	if card := e.render("2026-11"); !strings.Contains(card, "1. <@71> & <@72> — **7**") || !strings.Contains(card, "1. <@11> & <@12> — **9**") ||
		strings.Contains(card, "<@21> & <@22> — **2**") {
		t.Fatalf("frozen card: %s", card)
	}

	// December ends too; five copies of the sync job race for it.
	e.clock.Set(utc("2026-12-31T21:00:00Z"))
	runner := moduletest.Runner(t, queue.Options{DB: e.db, Jobs: e.svc.jobs(), Logger: quiet, Test: true, SoftStopTimeout: 2 * time.Second})
	for range 5 {
		// No unique options: real duplicates, as `app jobs send` could make.
		_, err := e.svc.Queue.Insert(ctx, SyncArgs{GuildID: testGuild}, nil)
		must(t, err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	must(t, runner.Start(runCtx))
	t.Cleanup(func() { cancel(); _ = runner.Stop(context.Background()) })
	dbtest.WaitUntil(t, 30*time.Second, "sync jobs completed", func() bool {
		var n int
		_ = e.db.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'hall.sync' AND state = $1`,
			string(rivertype.JobStateCompleted)).Scan(&n)
		return n == 5
	})
	if c := e.card("2026-12"); c.Status != StatusFinal {
		t.Fatalf("december = %+v", c)
	}
	if c, n := frozen(); c != 4 || n != 2*topN {
		t.Fatalf("after duplicate jobs: %d categories, %d entries", c, n)
	}
	var months []string
	rows, err := e.db.Pool.Query(ctx, `SELECT month_key || ':' || status FROM hall_cards ORDER BY month_key`)
	must(t, err)
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s))
		months = append(months, s)
	}
	if got := strings.Join(months, ","); got != "2026-11:final,2026-12:final,2027-01:live" {
		t.Fatalf("cards: %s", got)
	}
}

// TestCategoriesFollowDeploymentAndToggles: a category shows only when its
// module contributed it and is on in the guild; switching one re-renders
// the live card at the next sync, and nothing else does within the hour.
func TestCategoriesFollowDeploymentAndToggles(t *testing.T) {
	t.Parallel()
	now := utc("2026-11-15T12:00:00Z")
	only := newEnv(t, "", now, "quest") // chess not deployed
	only.sync()
	if card := only.render("2026-11"); !strings.Contains(card, "Quest points") || strings.Contains(card, "Chess") {
		t.Fatalf("undeployed category shown: %s", card)
	}
	none := newEnv(t, "", now)
	none.sync()
	if card := none.render("2026-11"); !strings.Contains(card, "No rankings run on this server") {
		t.Fatalf("no categories: %s", none.render("2026-11"))
	}

	e := newEnv(t, "", now, "chess", "quest")
	e.sync()
	key := e.card("2026-11").Key()
	card := e.render("2026-11")
	if q, c := strings.Index(card, "Quest points"), strings.Index(card, "Chess wins"); q < 0 || c < q {
		t.Fatalf("want quest (order 10) above chess (order 20): %s", card)
	}
	e.sync() // first sync recorded the shown set
	n := e.proj.Count(CardKind, key)
	e.sync()
	if e.proj.Count(CardKind, key) != n {
		t.Fatal("sync re-rendered an unchanged card within the hour")
	}
	e.guilds.set("chess", false)
	e.sync()
	if e.proj.Count(CardKind, key) != n+1 {
		t.Fatal("switching chess off did not re-render the card")
	}
	if card := e.render("2026-11"); strings.Contains(card, "Chess") || !strings.Contains(card, "Quest") {
		t.Fatalf("chess is off: %s", card)
	}
	e.guilds.set("chess", true)
	e.sync()
	if e.proj.Count(CardKind, key) != n+2 || !strings.Contains(e.render("2026-11"), "Chess wins") {
		t.Fatal("switching chess back on did not bring it back")
	}
	// At least hourly.
	e.clock.Set(now.Add(2 * time.Hour))
	_, err := e.db.Pool.Exec(context.Background(), `UPDATE hall_cards SET refreshed_at = now() - interval '61 minutes'`)
	must(t, err)
	e.sync()
	if e.proj.Count(CardKind, key) != n+3 {
		t.Fatal("no hourly refresh")
	}
}

// TestCardWithoutChannelIsGone: no hall channel, nothing to show; a bad
// key is gone too (never an error the worker would retry forever).
func TestCardWithoutChannelIsGone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", utc("2026-11-15T12:00:00Z"), "quest")
	for _, key := range []string{"nonsense", cardKey(testGuild, Month{2026, time.March})} {
		r, err := e.svc.renderCard(context.Background(), e.db.Bun, key)
		if err != nil || !r.Gone {
			t.Fatalf("%s: %+v %v", key, r, err)
		}
	}
}

func TestRefresherRequestsLiveCardsOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", utc("2026-11-15T12:00:00Z"), "quest")
	e.sync()
	e.clock.Set(utc("2026-12-01T00:00:00Z"))
	e.sync()
	nov, dec := e.proj.Count(CardKind, cardKey(testGuild, Month{2026, time.November})), e.proj.Count(CardKind, cardKey(testGuild, Month{2026, time.December}))
	must(t, e.db.InTx(context.Background(), func(ctx context.Context, tx bun.Tx) error {
		return e.svc.refresher.RequestRefresh(ctx, tx, testGuild)
	}))
	if e.proj.Count(CardKind, cardKey(testGuild, Month{2026, time.November})) != nov || e.proj.Count(CardKind, cardKey(testGuild, Month{2026, time.December})) != dec+1 {
		t.Fatal("RequestRefresh must request the live card only")
	}
	var nilRefresher *Refresher
	must(t, nilRefresher.RequestRefresh(context.Background(), bun.Tx{}, testGuild))
}

// TestSyncCatchesUpMissedMonths: after months without a sync (bot or hall
// off), one sync finalizes each missed month in turn.
func TestSyncCatchesUpMissedMonths(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "Europe/Berlin", utc("2026-11-15T12:00:00Z"), "quest")
	e.consentingPairs(1)
	e.sync()
	e.quest.add(1, utc("2026-12-24T12:00:00Z"), 2)
	e.clock.Set(utc("2027-02-10T12:00:00Z"))
	e.sync()
	for m, want := range map[string]string{"2026-11": StatusFinal, "2026-12": StatusFinal, "2027-01": StatusFinal, "2027-02": StatusLive} {
		if c := e.card(m); c.Status != want {
			t.Fatalf("%s = %+v, want %s", m, c, want)
		}
	}
	if card := e.render("2026-12"); !strings.Contains(card, "<@11> & <@12> — **2**") || !strings.Contains(card, "final standings") {
		t.Fatalf("december: %s", card)
	}
	if card := e.render("2027-01"); !strings.Contains(card, "No points yet") {
		t.Fatalf("january: %s", card)
	}
}

// TestChannelHookShowsTheCardAtOnce: setting the hall channel creates the
// guild's first card and requests it in the same transaction, with no sync;
// moving it requests the live card (not the final ones), and clearing it
// takes the live card down.
func TestChannelHookShowsTheCardAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", utc("2026-11-15T12:00:00Z"), "quest")
	e.setChannel(0)
	var n int
	must(t, e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM hall_cards`).Scan(&n))
	if n != 0 {
		t.Fatalf("clearing an unset channel created %d cards", n)
	}
	e.setChannel(901)
	nov := e.card("2026-11")
	if !nov.Live() || e.proj.Count(CardKind, nov.Key()) != 1 {
		t.Fatalf("after the channel was set: %+v, %d requests", nov, e.proj.Count(CardKind, nov.Key()))
	}
	if card := e.render("2026-11"); !strings.Contains(card, "this month so far") {
		t.Fatalf("first card: %q", card)
	}
	r, err := e.svc.renderCard(context.Background(), e.db.Bun, nov.Key())
	must(t, err)
	if r.ChannelID != 901 {
		t.Fatalf("card in channel %d, want 901", r.ChannelID)
	}

	e.clock.Set(utc("2026-12-01T00:00:00Z"))
	e.sync()
	dec := e.card("2026-12")
	novRequests, decRequests := e.proj.Count(CardKind, nov.Key()), e.proj.Count(CardKind, dec.Key())
	e.setChannel(902)
	if e.proj.Count(CardKind, nov.Key()) != novRequests || e.proj.Count(CardKind, dec.Key()) != decRequests+1 {
		t.Fatal("moving the channel must request the live card only")
	}
	r, err = e.svc.renderCard(context.Background(), e.db.Bun, dec.Key())
	must(t, err)
	final, err := e.svc.renderCard(context.Background(), e.db.Bun, nov.Key())
	must(t, err)
	if r.ChannelID != 902 || final.ChannelID != 901 {
		t.Fatalf("live card in %d (want 902), final card in %d (want 901, where it was finalized)", r.ChannelID, final.ChannelID)
	}

	e.setChannel(0)
	if e.proj.Count(CardKind, dec.Key()) != decRequests+2 || e.render("2026-12") != "" || e.render("2026-11") == "" {
		t.Fatal("clearing the channel must take the live card down and leave the final one")
	}
}

// TestTickSelectsOnlyGuildsWithWorkDue: the tick's one query picks a guild
// with a hall channel and no card, a card past its end, a card shown before
// a module switch, and (within the refresh allowance) a card not refreshed
// for an hour, and nothing else; guilds where hall is off never.
func TestTickSelectsOnlyGuildsWithWorkDue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "UTC", utc("2026-11-15T12:00:00Z"), "quest")
	ctx := context.Background()
	const other = testGuild + 1
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := e.db.Bun.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	due := func(refreshes int) []uint64 {
		t.Helper()
		g, err := dueGuilds(ctx, e.db.Bun, e.clock.Now(), refreshEvery, tickBatch, refreshes)
		must(t, err)
		return g
	}
	want := func(got []uint64, ids ...uint64) {
		t.Helper()
		if !slices.Equal(got, ids) {
			t.Fatalf("due %v, want %v", got, ids)
		}
	}
	// newEnv set testGuild's channel (without a card); other gets one too.
	exec(`INSERT INTO core_guild_channels (guild_id, module, purpose, channel_id) VALUES (?, 'hall', 'channel', ?)`, int64(other), int64(hallChannel))
	want(due(refreshPerTick), testGuild, other)

	e.sync()
	want(due(refreshPerTick), other)
	exec(`INSERT INTO core_guild_modules (guild_id, module, enabled) VALUES (?, 'hall', false)`, int64(other))
	want(due(refreshPerTick))

	e.clock.Set(utc("2026-12-01T00:00:00Z")) // November ended
	want(due(refreshPerTick), testGuild)
	e.clock.Set(utc("2026-11-15T12:00:00Z"))

	exec(`UPDATE hall_cards SET refreshed_at = now() - interval '2 hours'`)
	want(due(refreshPerTick), testGuild)
	want(due(0))

	exec(`UPDATE hall_cards SET refreshed_at = now() - interval '1 minute'`)
	exec(`INSERT INTO core_guild_modules (guild_id, module, enabled) VALUES (?, 'quest', false)`, int64(testGuild))
	want(due(0), testGuild)
}
