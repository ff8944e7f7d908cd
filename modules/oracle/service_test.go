package oracle

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

func asJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (e *env) title(key string) string {
	a, ok := e.svc.lib.Archetype(i18n.EN, key)
	if !ok {
		e.t.Fatalf("no archetype %q", key)
	}
	return a.Title
}

func TestPublishNowTwiceGivesOneMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	p1 := e.publish()
	first := e.dashboardShown()
	p2 := e.publish()
	second := e.dashboardShown()
	if !p1.Moved || p2.Moved || p1.Week != p2.Week || p1.Week.String() != "2026-W48" {
		t.Fatalf("publishes: %+v then %+v", p1, p2)
	}
	if first.MessageID != second.MessageID {
		t.Fatalf("second publish moved the dashboard from message %d to %d", first.MessageID, second.MessageID)
	}
	msgs := e.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages in the oracle channel, want 1", len(msgs))
	}
	body := asJSON(t, msgs[0])
	key := PickArchetype(e.svc.lib.Keys(), e.guild, p1.Week)
	for _, want := range []string{"Oracle of the week", e.title(key), "2026-W48", "Get guidance", "What is this?"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q: %s", want, body)
		}
	}
	if strings.Contains(body, "Pair ritual") {
		t.Error("ritual button shown without pairhome")
	}
}

func TestDeletedDashboardIsRecreated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.publish()
	first := e.dashboardShown()
	if err := e.sim.DeleteMessage(str(e.channel), first.MessageID.String()); err != nil {
		t.Fatal(err)
	}
	e.publish()
	var st projection.State
	dbtest.WaitUntil(t, 20*time.Second, "dashboard recreated", func() bool {
		st = e.dashboardShown()
		return st.MessageID != first.MessageID
	})
	if msgs := e.messages(); len(msgs) != 1 || msgs[0]["id"] != st.MessageID.String() {
		t.Fatalf("after recreation the channel holds %d messages: %v", len(msgs), msgs)
	}
}

// TestScheduledPublishFollowsLocalTime runs the schedule's step at chosen
// instants for a Moscow guild and a New York guild.
func TestScheduledPublishFollowsLocalTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	const nyGuild, nyChannel = 4242, 4343
	if err := e.guilds.SetChannel(e.ctx, nyGuild, 0, ChannelPurpose.ID(), nyChannel); err != nil {
		t.Fatal(err)
	}
	if err := e.guilds.SetTimezone(e.ctx, nyGuild, 0, "America/New_York"); err != nil {
		t.Fatal(err)
	}
	// A guild without an oracle channel is never published.
	if err := e.guilds.SetTimezone(e.ctx, 5555, 0, "Asia/Tokyo"); err != nil {
		t.Fatal(err)
	}
	step := func(at time.Time, want int) {
		t.Helper()
		e.clock.Set(at)
		n, err := e.svc.PublishDue(e.ctx)
		if err != nil || n != want {
			t.Fatalf("at %s: published %d (%v), want %d", at.Format(time.RFC3339), n, err, want)
		}
	}
	shown := func(g uint64) string {
		d, ok, err := e.svc.st.dashboard(e.ctx, e.db.Bun, g)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return ""
		}
		return d.Week.String()
	}
	step(time.Date(2026, 11, 23, 6, 55, 0, 0, time.UTC), 0) // 09:55 Moscow
	step(time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC), 1)  // 10:00 Moscow
	step(time.Date(2026, 11, 23, 7, 5, 0, 0, time.UTC), 0)  // again: nothing
	if shown(e.guild) != "2026-W48" || shown(nyGuild) != "" {
		t.Fatalf("after Moscow's 10:00: %q / %q", shown(e.guild), shown(nyGuild))
	}
	step(time.Date(2026, 11, 23, 14, 55, 0, 0, time.UTC), 0) // 09:55 New York
	step(time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC), 1)  // 10:00 New York
	// Sunday 21:30 UTC is already Monday 00:30 in Moscow: a new local week,
	// but not yet its publish hour, so the card still shows last week.
	step(time.Date(2026, 11, 29, 21, 30, 0, 0, time.UTC), 0)
	if shown(e.guild) != "2026-W48" {
		t.Fatalf("published before 10:00 local: %s", shown(e.guild))
	}
	step(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC), 1)
	if shown(e.guild) != "2026-W49" || shown(nyGuild) != "2026-W48" {
		t.Fatalf("after Moscow's second Monday: %q / %q", shown(e.guild), shown(nyGuild))
	}
	// Each publish asked the core for exactly one refresh.
	var version int64
	if err := e.db.Pool.QueryRow(e.ctx, `SELECT version FROM core_projections WHERE kind = $1 AND key = $2`,
		DashboardKind, DashboardKey(e.guild)).Scan(&version); err != nil || version != 2 {
		t.Fatalf("dashboard requested %d times (%v), want 2", version, err)
	}
}

func TestModuleOffStopsDashboard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.publish()
	shown := e.dashboardShown()
	if err := e.guilds.SetModule(e.ctx, e.guild, 0, Name, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PublishNow(e.ctx, e.guild, 0); !errors.Is(err, guild.ErrModuleOff) {
		t.Fatalf("publish-now while off: %v", err)
	}
	if _, err := e.svc.ClaimGuidance(e.ctx, e.guild, e.users["anna"], Week{2026, 48}, ToneSoft, CtxRoutine, "en"); !errors.Is(err, guild.ErrModuleOff) {
		t.Fatalf("claim while off: %v", err)
	}
	e.clock.Set(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)) // next Monday, after 10:00 Moscow
	if n, err := e.svc.PublishDue(e.ctx); err != nil || n != 0 {
		t.Fatalf("schedule published %d (%v) while off", n, err)
	}
	// A forced refresh (e.g. `app projections rebuild`) is skipped by the
	// core's gate: no request reaches Discord for the message.
	before := countEdits(e, shown.MessageID.String())
	if _, err := e.proj.Rebuild(e.ctx, projection.Filter{Kind: DashboardKind}); err != nil {
		t.Fatal(err)
	}
	waitNoRefreshJobs(t, e)
	if after := countEdits(e, shown.MessageID.String()); after != before {
		t.Fatalf("dashboard edited %d times while the module was off", after-before)
	}
	// Turning it back on resumes: the next publish moves to the new week.
	if err := e.guilds.SetModule(e.ctx, e.guild, 0, Name, true); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.PublishDue(e.ctx); err != nil || n != 1 {
		t.Fatalf("schedule after re-enabling: %d (%v)", n, err)
	}
	e.dashboardShown()
	if body := asJSON(t, e.messages()); !strings.Contains(body, "2026-W49") {
		t.Fatalf("dashboard did not move to the new week: %s", body)
	}
}

func countEdits(e *env, messageID string) int {
	n := 0
	for _, r := range e.sim.Requests() {
		if r.Method == "PATCH" && strings.HasSuffix(r.Path, "/messages/"+messageID) {
			n++
		}
	}
	return n
}

func waitNoRefreshJobs(t *testing.T, e *env) {
	t.Helper()
	dbtest.WaitUntil(t, 20*time.Second, "refresh jobs finished", func() bool {
		var n int
		err := e.db.Pool.QueryRow(e.ctx, `SELECT count(*) FROM river_job WHERE kind = 'projection.refresh'
			AND state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&n)
		return err == nil && n == 0
	})
}

func TestRepeatedClaimReturnsSameGuidanceAndSendsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	p := e.publish()
	anna := e.users["anna"]
	first, err := e.svc.ClaimGuidance(e.ctx, e.guild, anna, p.Week, ToneSoft, CtxDistance, "en")
	if err != nil || !first.New {
		t.Fatalf("first claim: %+v, %v", first, err)
	}
	g, _ := e.svc.lib.Guidance(i18n.EN, first.Archetype, ToneSoft, CtxDistance)
	for _, want := range []string{e.title(first.Archetype), g.Risk, g.Step, g.Say, g.Avoid, g.Challenge, "Tone: Soft", "Situation: Distance"} {
		if !strings.Contains(first.Body, want) {
			t.Errorf("guidance lacks %q:\n%s", want, first.Body)
		}
	}
	// Different choices, another locale: the stored guidance comes back.
	again, err := e.svc.ClaimGuidance(e.ctx, e.guild, anna, p.Week, ToneDirect, CtxJealousy, "ru")
	if err != nil || again.New || again.Body != first.Body || again.Tone != ToneSoft || again.Context != CtxDistance {
		t.Fatalf("re-claim: %+v, %v", again, err)
	}
	shown, err := e.svc.Existing(e.ctx, e.guild, anna, p.Week)
	if err != nil || shown.Body != first.Body {
		t.Fatalf("existing: %+v, %v", shown, err)
	}
	// Nothing was sent anywhere by claiming.
	if dms := e.dms("anna"); len(dms) != 0 {
		t.Fatalf("claiming sent %d DMs", len(dms))
	}
	e.dashboardShown()
	if msgs := e.messages(); len(msgs) != 1 {
		t.Fatalf("%d messages in the oracle channel", len(msgs))
	}
	// The dashboard counts the claim.
	if body := asJSON(t, e.messages()[0]); !strings.Contains(body, `"Guidance claimed","value":"1"`) {
		t.Fatalf("dashboard count: %s", body)
	}
}

// TestDoubleClickClaim: many simultaneous submits of one member store one
// claim, all see the same text, and the dashboard is asked to refresh once.
func TestDoubleClickClaim(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	p := e.publish()
	boris := e.users["boris"]
	const clicks = 8
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results []Claim
	)
	for i := range clicks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := e.svc.ClaimGuidance(e.ctx, e.guild, boris, p.Week, Tones[i%3], Contexts[i%6], "en")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			results = append(results, c)
			mu.Unlock()
		}()
	}
	wg.Wait()
	created := 0
	for _, r := range results {
		if r.New {
			created++
		}
		if r.Body != results[0].Body {
			t.Errorf("clicks saw different guidance:\n%s\n---\n%s", r.Body, results[0].Body)
		}
	}
	if len(results) != clicks || created != 1 {
		t.Fatalf("%d results, %d created", len(results), created)
	}
	var claims int
	var version int64
	if err := e.db.Pool.QueryRow(e.ctx, `SELECT count(*) FROM oracle_claims`).Scan(&claims); err != nil || claims != 1 {
		t.Fatalf("%d claims stored (%v)", claims, err)
	}
	if err := e.db.Pool.QueryRow(e.ctx, `SELECT version FROM core_projections WHERE kind = $1`, DashboardKind).Scan(&version); err != nil || version != 2 {
		t.Fatalf("dashboard version %d (%v), want 2: one publish, one claim", version, err)
	}
}

func TestCopiesAreSentAtMostOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true, pairs: true})
	room, err := e.sim.CreateChannel(str(e.guild), discordsim.ChannelSpec{Name: "anna-boris", Type: discordsim.ChannelGuildText})
	if err != nil {
		t.Fatal(err)
	}
	e.pairs.add(pairhomeapi.Pair{ID: 7, GuildID: e.guild, ChannelID: moduletest.ID(t, room), Members: [2]uint64{e.users["anna"], e.users["boris"]}})
	p := e.publish()
	anna := e.users["anna"]
	if err := e.svc.SendToDM(e.ctx, e.guild, anna, p.Week); !errors.Is(err, ErrNoClaim) {
		t.Fatalf("DM before claiming: %v", err)
	}
	c, err := e.svc.ClaimGuidance(e.ctx, e.guild, anna, p.Week, ToneNeutral, CtxFatigue, "en")
	if err != nil || !c.PairRoom {
		t.Fatalf("claim: %+v, %v", c, err)
	}
	if got := e.pairs.requests(); len(got) != 1 || got[0] != 7 {
		t.Fatalf("pair panel refresh requests: %v", got)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 5 {
		wg.Add(2)
		go func() { defer wg.Done(); errs <- e.svc.SendToDM(e.ctx, e.guild, anna, p.Week) }()
		go func() { defer wg.Done(); errs <- e.svc.SendToPair(e.ctx, e.guild, anna, p.Week) }()
	}
	wg.Wait()
	close(errs)
	ok, already := 0, 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ErrAlreadySent):
			already++
		default:
			t.Errorf("send: %v", err)
		}
	}
	if ok != 2 || already != 8 {
		t.Fatalf("%d sent, %d refused as already sent; want 2 and 8", ok, already)
	}
	dms := e.dms("anna")
	roomMsgs, _ := e.sim.Messages(room)
	if len(dms) != 1 || len(roomMsgs) != 1 {
		t.Fatalf("%d DMs and %d pair-room messages, want 1 each", len(dms), len(roomMsgs))
	}
	if !strings.Contains(asJSON(t, dms[0]), jsonFragment(t, c.Body)) {
		t.Errorf("DM does not carry the guidance: %v", dms[0]["content"])
	}
	if !strings.Contains(roomMsgs[0]["content"].(string), "<@"+str(anna)+">") {
		t.Errorf("pair-room copy does not say who shares it: %v", roomMsgs[0]["content"])
	}
	view, err := e.svc.Existing(e.ctx, e.guild, anna, p.Week)
	if err != nil || !view.DMSent || !view.PairSent {
		t.Fatalf("claim after sending: %+v, %v", view, err)
	}
	// Carol has no pair.
	if _, err := e.svc.ClaimGuidance(e.ctx, e.guild, e.users["carol"], p.Week, ToneSoft, CtxAllGood, "en"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SendToPair(e.ctx, e.guild, e.users["carol"], p.Week); !errors.Is(err, pairhomeapi.ErrNoPair) {
		t.Fatalf("pair copy without a pair: %v", err)
	}
	// pairhome turned off in the guild: no pair room copies.
	if err := e.guilds.SetModule(e.ctx, e.guild, 0, pairhomeapi.Name, false); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SendToPair(e.ctx, e.guild, anna, p.Week); !errors.Is(err, ErrNoPairhome) {
		t.Fatalf("pair copy with pairhome off: %v", err)
	}
}

func jsonFragment(t testing.TB, s string) string {
	b := asJSON(t, s)
	return b[1 : len(b)-1]
}

// A DM that Discord refuses gives the copy back, so the member can retry.
func TestRefusedDMCanBeRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	p := e.publish()
	carol := e.users["carol"]
	if _, err := e.svc.ClaimGuidance(e.ctx, e.guild, carol, p.Week, ToneDirect, CtxConflict, "en"); err != nil {
		t.Fatal(err)
	}
	// Opening the DM channel fails for a while (Discord outage).
	if err := e.sim.InjectFault(discordsim.Fault{Kind: discordsim.FaultREST5xx, Route: "/users/@me/channels",
		Status: 503, DurationMS: 60_000}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SendToDM(e.ctx, e.guild, carol, p.Week); !errors.Is(err, ErrSendFailed) {
		t.Fatalf("refused DM: %v", err)
	}
	e.sim.ClearFaults()
	if err := e.svc.SendToDM(e.ctx, e.guild, carol, p.Week); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if dms := e.dms("carol"); len(dms) != 1 {
		t.Fatalf("%d DMs after the retry", len(dms))
	}
}

// TestClaimWeekIsTheCardsWeek: between local Monday 00:00 and the publish
// hour the card still shows last week and claims count there; after the
// publish, last week's card is refused as stale.
func TestClaimWeekIsTheCardsWeek(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	w48, w49 := Week{2026, 48}, Week{2026, 49}
	if _, err := e.svc.ClaimGuidance(e.ctx, e.guild, e.users["anna"], w48, ToneSoft, CtxRoutine, "en"); !errors.Is(err, ErrNotPublished) {
		t.Fatalf("claim before any publish: %v", err)
	}
	e.publish()
	e.clock.Set(time.Date(2026, 11, 29, 21, 30, 0, 0, time.UTC)) // Monday 00:30 Moscow, 2026-W49 locally
	c, err := e.svc.ClaimGuidance(e.ctx, e.guild, e.users["anna"], w48, ToneSoft, CtxRoutine, "en")
	if err != nil || c.Week != w48 {
		t.Fatalf("claim from the shown card before publish: %+v, %v", c, err)
	}
	if _, err := e.svc.ClaimGuidance(e.ctx, e.guild, e.users["boris"], w49, ToneSoft, CtxRoutine, "en"); !errors.Is(err, ErrStaleCard) {
		t.Fatalf("claim for a week not shown yet: %v", err)
	}
	e.clock.Set(time.Date(2026, 11, 30, 7, 1, 0, 0, time.UTC))
	if n, err := e.svc.PublishDue(e.ctx); err != nil || n != 1 {
		t.Fatalf("publish: %d, %v", n, err)
	}
	if _, err := e.svc.ClaimGuidance(e.ctx, e.guild, e.users["anna"], w48, ToneSoft, CtxRoutine, "en"); !errors.Is(err, ErrStaleCard) {
		t.Fatalf("claim from last week's card: %v", err)
	}
	c, err = e.svc.ClaimGuidance(e.ctx, e.guild, e.users["anna"], w49, ToneSoft, CtxRoutine, "en")
	if err != nil || !c.New || c.Week != w49 {
		t.Fatalf("new week's claim: %+v, %v", c, err)
	}
}

// TestSameArchetypeAcrossReplicas: two services on separate connection
// pools (two processes' view) racing to record the same week agree, and
// agree with the documented formula.
func TestSameArchetypeAcrossReplicas(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	var schema string
	if err := e.db.Pool.QueryRow(e.ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	other := dbtest.Open(t, schema)
	svc2, err := newService(serviceConfig{Core: modcore.Core{DB: other, Guilds: e.guilds, Projections: e.proj, Logger: quiet}, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for n := 40; n <= 52; n++ {
		w := Week{2026, n}
		keys := make([]string, 2)
		var wg sync.WaitGroup
		for i, s := range []*Service{e.svc, svc2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k, err := s.weekArchetype(e.ctx, s.DB.Bun, e.guild, w)
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			}()
		}
		wg.Wait()
		if want := PickArchetype(e.svc.lib.Keys(), e.guild, w); keys[0] != want || keys[1] != want {
			t.Fatalf("week %s: replicas picked %v, formula says %s", w, keys, want)
		}
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	st, err := e.svc.Status(e.ctx, e.guild)
	if err != nil {
		t.Fatal(err)
	}
	if st.Week.String() != "2026-W48" || st.Shown != nil || st.ChannelID != e.channel || st.Location.String() != "Europe/Moscow" {
		t.Fatalf("status before publish: %+v", st)
	}
	// Monday 10:30 Moscow: the next publish is next Monday 10:00 Moscow.
	if want := time.Date(2026, 11, 30, 10, 0, 0, 0, st.Location); !st.NextPublish.Equal(want) || st.NextPublish.Location().String() != "Europe/Moscow" {
		t.Fatalf("next publish %s, want %s", st.NextPublish, want)
	}
	e.publish()
	if st, err = e.svc.Status(e.ctx, e.guild); err != nil || st.Shown == nil || *st.Shown != st.Week {
		t.Fatalf("status after publish: %+v, %v", st, err)
	}
	if st.Archetype != PickArchetype(e.svc.lib.Keys(), e.guild, st.Week) {
		t.Fatalf("status archetype %s", st.Archetype)
	}
	// Without a channel, publish-now is refused.
	if err := e.guilds.SetChannel(e.ctx, e.guild, 0, ChannelPurpose.ID(), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PublishNow(e.ctx, e.guild, 0); !errors.Is(err, guild.ErrNoChannel) {
		t.Fatalf("publish without channel: %v", err)
	}
}

// Replicas running the schedule at the same moment publish a guild once.
func TestScheduledPublishRacesOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	e.clock.Set(time.Date(2026, 11, 23, 7, 5, 0, 0, time.UTC))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := e.svc.PublishDue(e.ctx)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	var version int64
	if err := e.db.Pool.QueryRow(e.ctx, `SELECT version FROM core_projections WHERE kind = $1`, DashboardKind).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if total != 1 || version != 1 {
		t.Fatalf("%d publishes, dashboard requested %d times; want 1 and 1", total, version)
	}
}

// TestPublishDueStopsBeforeItsDeadline: a run whose job is close to its
// deadline (10,000 guilds on a loaded machine) publishes nothing more,
// returns queue.ErrPassUnfinished, and its worker snoozes the job; the next
// run publishes the guild once.
func TestPublishDueStopsBeforeItsDeadline(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	e.publish()
	e.clock.Set(time.Date(2026, 11, 30, 7, 1, 0, 0, time.UTC)) // next Monday, after 10:00 Moscow
	late, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	if n, err := e.svc.PublishDue(late); !errors.Is(err, queue.ErrPassUnfinished) || n != 0 {
		t.Fatalf("publish near the deadline: %d, %v; want 0 and queue.ErrPassUnfinished", n, err)
	}
	var snooze *river.JobSnoozeError
	w := &publishDueWorker{svc: e.svc}
	if err := w.Work(late, &river.Job[PublishDueArgs]{JobRow: &rivertype.JobRow{ID: 1}}); !errors.As(err, &snooze) {
		t.Fatalf("worker near its deadline returned %v, want a snooze", err)
	}
	if n, err := e.svc.PublishDue(e.ctx); err != nil || n != 1 {
		t.Fatalf("next run: %d, %v", n, err)
	}
	if n, err := e.svc.PublishDue(e.ctx); err != nil || n != 0 {
		t.Fatalf("run after that: %d, %v", n, err)
	}
}
