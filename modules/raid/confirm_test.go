package raid

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/projection/projectiontest"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// widen lets the raid offer every quest, so one pair can hold many claims
// on one day (the default three would not stress the cap).
func (e *env) widen(r raid) {
	e.t.Helper()
	_, err := e.DB.Pool.Exec(context.Background(), `UPDATE raid_raids SET offers_per_day = 100 WHERE id = $1`, r.ID)
	must(e.t, err)
	_, err = e.DB.Pool.Exec(context.Background(), `DELETE FROM raid_offers WHERE raid_id = $1`, r.ID)
	must(e.t, err)
}

// totals checks the invariants: the raid's progress is the sum of applied
// points, which is the ledger's sum; it returns the progress.
func (e *env) totals(r raid) int {
	e.t.Helper()
	var progress, applied, ledger int
	must(e.t, e.DB.Pool.QueryRow(context.Background(), `SELECT progress,
		(SELECT coalesce(sum(applied), 0) FROM raid_claims WHERE raid_id = $1),
		(SELECT coalesce(sum(points), 0) FROM raid_pair_days WHERE raid_id = $1)
		FROM raid_raids WHERE id = $1`, r.ID).Scan(&progress, &applied, &ledger))
	if progress != applied || applied != ledger {
		e.t.Fatalf("progress %d, applied %d, ledger %d: must be equal", progress, applied, ledger)
	}
	return progress
}

// TestFiftyConcurrentConfirmsRespectTheCap: 24 claims of one pair (worth
// far more than the cap) are each confirmed twice at once by the partner,
// and twice by the requester — 50 confirms racing. The pair gets exactly
// the cap, no claim is confirmed twice, and the raid total equals the sum.
// firstNotIn is the key of the first quest of qs that others lacks ("" if none).
func firstNotIn(qs, others []quest) string {
	for _, q := range qs {
		if !slices.ContainsFunc(others, func(o quest) bool { return o.Key == q.Key }) {
			return q.Key
		}
	}
	return ""
}

func TestFiftyConcurrentConfirmsRespectTheCap(t *testing.T) {
	t.Parallel()
	e, r, ps := newRaidEnv(t, 2)
	ctx, p, other := context.Background(), ps[0], ps[1]
	e.widen(r)
	var claims []claim
	worth := 0
	for _, q := range e.offers(r) {
		c := e.claim(p, 0, r, q.Key)
		claims = append(claims, c)
		worth += c.Points
	}
	if len(claims) != len(library) || worth <= defaultDailyCap {
		t.Fatalf("%d claims worth %d", len(claims), worth)
	}
	oc := e.claim(other, 1, r, claims[0].QuestKey)
	type attempt struct {
		user  uint64
		claim int64
	}
	var attempts []attempt
	for _, c := range claims {
		attempts = append(attempts, attempt{p.Members[1], c.ID}, attempt{p.Members[1], c.ID})
	}
	attempts = append(attempts, attempt{p.Members[0], claims[0].ID}, attempt{p.Members[0], claims[1].ID})
	if len(attempts) != 50 {
		t.Fatalf("%d attempts", len(attempts))
	}
	var (
		wg                             sync.WaitGroup
		mu                             sync.Mutex
		applied, ok, already, selfConf int
	)
	gate := make(chan struct{})
	for _, a := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			res, err := e.svc.Confirm(ctx, testGuild, a.user, a.claim)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
				applied += res.Applied
			case errors.Is(err, errAlreadyConfirmed):
				already++
			case errors.Is(err, errSelfConfirm):
				selfConf++
			default:
				t.Errorf("confirm: %v", err)
			}
		}()
	}
	// Another pair confirms meanwhile: its points are not capped by ours.
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-gate
		if _, err := e.svc.Confirm(ctx, testGuild, other.Members[0], oc.ID); err != nil {
			t.Errorf("other pair: %v", err)
		}
	}()
	close(gate)
	wg.Wait()
	if ok != len(claims) || already != len(claims) || selfConf != 2 {
		t.Fatalf("ok %d, already %d, self %d", ok, already, selfConf)
	}
	if applied != defaultDailyCap {
		t.Fatalf("applied %d, want the cap %d", applied, defaultDailyCap)
	}
	if got := e.totals(r); got != defaultDailyCap+oc.Points {
		t.Fatalf("raid progress %d, want %d", got, defaultDailyCap+oc.Points)
	}
	var partial int
	must(t, e.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM raid_claims WHERE pair_id = $1 AND applied BETWEEN 1 AND points - 1`,
		p.ID).Scan(&partial))
	if partial > 1 {
		t.Fatalf("%d partially capped claims; at most the one crossing the cap may be", partial)
	}
	if n := projectiontest.Requested(t, e.DB.Bun, boardKind, projection.IDKey(r.ID)); n < len(claims)+1 {
		t.Fatalf("board requested %d times", n)
	}
}

func TestConfirmRules(t *testing.T) {
	t.Parallel()
	e, r, ps := newRaidEnv(t, 2)
	ctx, p, q := context.Background(), ps[0], ps[1]
	offers := e.offers(r)
	if len(offers) != defaultOffersPerDay {
		t.Fatalf("%d offers", len(offers))
	}
	c := e.claim(p, 0, r, offers[0].Key)

	if _, err := e.svc.Confirm(ctx, testGuild, p.Members[0], c.ID); !errors.Is(err, errSelfConfirm) {
		t.Fatalf("same user: %v", err)
	}
	if _, err := e.svc.Confirm(ctx, testGuild, q.Members[0], c.ID); !errors.Is(err, pairhomeapi.ErrNotPairMember) {
		t.Fatalf("other pair: %v", err)
	}
	if _, err := e.svc.Confirm(ctx, testGuild, 999999, c.ID); !errors.Is(err, pairhomeapi.ErrNotPairMember) {
		t.Fatalf("no pair: %v", err)
	}
	if _, err := e.svc.Confirm(ctx, 222, p.Members[1], c.ID); !errors.Is(err, errNoClaim) {
		t.Fatalf("other guild: %v", err)
	}
	res, err := e.svc.Confirm(ctx, testGuild, p.Members[1], c.ID)
	must(t, err)
	if res.Applied != c.Points || res.Capped() || res.UsedToday != c.Points {
		t.Fatalf("confirm = %+v", res)
	}
	if _, err := e.svc.Confirm(ctx, testGuild, p.Members[1], c.ID); !errors.Is(err, errAlreadyConfirmed) {
		t.Fatalf("double confirm: %v", err)
	}
	if _, err := e.svc.Claim(ctx, testGuild, p.Members[1], r.ID, offers[0].Key); !errors.Is(err, errAlreadyClaimed) {
		t.Fatalf("second claim of the quest: %v", err)
	}
	// A quest that is not among today's offers.
	notOffered := firstNotIn(library, offers)
	if _, err := e.svc.Claim(ctx, testGuild, p.Members[0], r.ID, notOffered); !errors.Is(err, errNotOffered) {
		t.Fatalf("not offered: %v", err)
	}
	if _, err := e.svc.Claim(ctx, testGuild, 999999, r.ID, offers[1].Key); !errors.Is(err, pairhomeapi.ErrNoPair) {
		t.Fatalf("no pair: %v", err)
	}

	// Yesterday's claim cannot be confirmed tomorrow, nor yesterday's
	// offer claimed.
	late := e.claim(p, 0, r, offers[1].Key)
	e.clock.Set(e.clock.Now().Add(24 * time.Hour))
	if _, err := e.svc.Confirm(ctx, testGuild, p.Members[1], late.ID); !errors.Is(err, errNotToday) {
		t.Fatalf("another day's claim: %v", err)
	}
	tomorrow := e.offers(r)
	yesterdayOnly := firstNotIn(offers, tomorrow)
	if yesterdayOnly != "" {
		if _, err := e.svc.Claim(ctx, testGuild, p.Members[0], r.ID, yesterdayOnly); !errors.Is(err, errNotOffered) {
			t.Fatalf("yesterday's offer: %v", err)
		}
	}
	// An ended raid refuses confirms.
	pending := e.claim(p, 0, r, tomorrow[0].Key)
	_, err = e.svc.EndRaid(ctx, testGuild, 1)
	must(t, err)
	if _, err := e.svc.Confirm(ctx, testGuild, p.Members[1], pending.ID); !errors.Is(err, errRaidEnded) {
		t.Fatalf("ended raid: %v", err)
	}
	if got := e.totals(r); got != c.Points {
		t.Fatalf("progress %d", got)
	}
}

// TestPartialCapIsReported: the confirm that crosses the cap gets what
// fits and says so; the next gets nothing; tomorrow the cap is fresh.
func TestPartialCapIsReported(t *testing.T) {
	t.Parallel()
	e, r, ps := newRaidEnv(t, 1)
	ctx, p := context.Background(), ps[0]
	e.widen(r)
	used := 0
	var results []confirmResult
	for _, q := range e.offers(r) {
		c := e.claim(p, 0, r, q.Key)
		res, err := e.svc.Confirm(ctx, testGuild, p.Members[1], c.ID)
		must(t, err)
		results = append(results, res)
		used += res.Applied
		if used >= defaultDailyCap && res.Applied == 0 {
			break
		}
	}
	n := len(results)
	if n < 2 {
		t.Fatalf("%d confirms", n)
	}
	crossing, zero := results[n-2], results[n-1]
	if !crossing.Capped() || crossing.Applied == 0 || crossing.UsedToday != defaultDailyCap {
		t.Fatalf("crossing confirm = %+v", crossing)
	}
	if zero.Applied != 0 || !zero.Capped() || zero.Claim.Status != claimConfirmed {
		t.Fatalf("capped confirm = %+v", zero)
	}
	e.clock.Set(e.clock.Now().Add(24 * time.Hour))
	e.widen(r)
	c := e.claim(p, 0, r, e.offers(r)[0].Key)
	res, err := e.svc.Confirm(ctx, testGuild, p.Members[1], c.ID)
	must(t, err)
	if res.Applied != c.Points {
		t.Fatalf("next day: %+v", res)
	}
	e.totals(r)
}

func TestGoalMarksCompletedAndPointsStillCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	p := e.pair(1, 0)
	r, err := e.svc.StartRaid(ctx, startSpec{GuildID: testGuild, ChannelID: testChannel, Goal: 10})
	must(t, err)
	offers := e.offers(r)
	var completed []bool
	for _, q := range offers[:2] {
		c := e.claim(p, 0, r, q.Key)
		res, err := e.svc.Confirm(ctx, testGuild, p.Members[1], c.ID)
		must(t, err)
		completed = append(completed, res.JustCompleted)
	}
	got := e.raid(r.ID)
	if !got.Completed() || got.Status != statusActive || got.Progress <= 10 {
		t.Fatalf("raid = %+v", got)
	}
	if completed[0] == completed[1] || !completed[0] && offers[0].Points >= 10 {
		t.Fatalf("just completed flags %v", completed)
	}
	rendered, err := e.svc.renderBoard(ctx, e.DB.Bun, r.ID)
	must(t, err)
	if d := rendered.Message.Embeds[0].Description; !contains(d, "Goal reached") || !contains(d, "100%") {
		t.Fatalf("board: %s", d)
	}
	now := e.clock.Now()
	pts, err := e.svc.pointsByPair(ctx, nil, testGuild, now.Add(-time.Hour), now.Add(time.Hour))
	must(t, err)
	if pts[p.ID] != got.Progress {
		t.Fatalf("points by pair %v, progress %d", pts, got.Progress)
	}
}

// TestManyPairsConcurrently: ten pairs confirm their three quests at once
// against a goal they pass together. The total is the exact sum, and
// exactly one confirm reports reaching the goal.
func TestManyPairsConcurrently(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	r, err := e.svc.StartRaid(ctx, startSpec{GuildID: testGuild, ChannelID: testChannel, Goal: 100})
	must(t, err)
	offers := e.offers(r)
	type job struct {
		p pairhomeapi.Pair
		c claim
	}
	var jobs []job
	want := 0
	for n := int64(1); n <= 10; n++ {
		p := e.pair(n, 0)
		for _, q := range offers {
			jobs = append(jobs, job{p, e.claim(p, int(n%2), r, q.Key)})
			want += q.Points
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	completed, sum := 0, 0
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			partner := j.p.Members[0]
			if partner == j.c.RequestedBy {
				partner = j.p.Members[1]
			}
			res, err := e.svc.Confirm(ctx, testGuild, partner, j.c.ID)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			sum += res.Applied
			if res.JustCompleted {
				completed++
			}
		}()
	}
	wg.Wait()
	// Three offers never exceed the cap of 60 (max 28 points each, but
	// only when all three are hard ones); the sum is what was applied.
	if got := e.totals(r); got != sum || sum > want {
		t.Fatalf("progress %d, applied %d, worth %d", got, sum, want)
	}
	if completed != 1 || !e.raid(r.ID).Completed() {
		t.Fatalf("%d confirms reported reaching the goal", completed)
	}
}

// TestEndRacesConfirms: staff end the raid while confirms are running.
// Each confirm either commits before the end (and counts) or is refused
// as ended; the total stays the exact sum either way.
func TestEndRacesConfirms(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	r := e.start()
	offers := e.offers(r)
	var claims []claim
	var pairs []pairhomeapi.Pair
	for n := int64(1); n <= 8; n++ {
		p := e.pair(n, 0)
		for _, q := range offers {
			claims = append(claims, e.claim(p, 0, r, q.Key))
			pairs = append(pairs, p)
		}
	}
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i, c := range claims {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			if _, err := e.svc.Confirm(ctx, testGuild, pairs[i].Members[1], c.ID); err != nil && !errors.Is(err, errRaidEnded) {
				t.Error(err)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-gate
		if _, err := e.svc.EndRaid(ctx, testGuild, 1); err != nil {
			t.Error(err)
		}
	}()
	close(gate)
	wg.Wait()
	e.totals(r)
	var late int
	must(t, e.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM raid_claims c JOIN raid_raids r ON r.id = c.raid_id
		WHERE c.confirmed_at > r.ended_at`).Scan(&late))
	if late != 0 {
		t.Fatalf("%d claims confirmed after the raid ended", late)
	}
}
