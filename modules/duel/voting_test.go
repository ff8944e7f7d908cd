package duel

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// votingRound: three pairs answer (pair 1 first), answers close, voting opens.
func votingRound(t *testing.T) (*env, round, []pairhomeapi.Pair) {
	t.Helper()
	e, r, ps := newRoundEnv(t, 3, time.Minute, 10)
	for i, p := range ps {
		e.submit(r, p, 0, "answer of pair "+string(rune('A'+i)))
	}
	e.expire(r)
	if out := e.advance(r); out != outcomeVoting {
		t.Fatalf("advance = %s, want voting", out)
	}
	return e, e.round(r.ID), ps
}

func TestVotingRulesAndScoring(t *testing.T) {
	t.Parallel()
	e, r, ps := votingRound(t)
	if r.Phase != phaseVoting || r.VoteDeadline == nil {
		t.Fatalf("round = %+v", r)
	}
	seen := map[int]bool{}
	for _, p := range ps {
		seen[e.labelOf(r, p.ID)] = true
	}
	if len(seen) != 3 || !seen[1] || !seen[2] || !seen[3] {
		t.Fatalf("labels = %v, want 1..3", seen)
	}
	ctx := context.Background()
	l1, l2, l3 := e.labelOf(r, 1), e.labelOf(r, 2), e.labelOf(r, 3)

	// Own pair refused.
	if _, err := e.svc.vote(ctx, testGuild, r.ID, ps[0].Members[0], l1); !errors.Is(err, ErrOwnPair) {
		t.Fatalf("vote for own pair: %v", err)
	}
	// Not in a pair refused; unknown answer refused.
	if _, err := e.svc.vote(ctx, testGuild, r.ID, 424242, l1); !errors.Is(err, pairhomeapi.ErrNoPair) {
		t.Fatalf("stranger vote: %v", err)
	}
	if _, err := e.svc.vote(ctx, testGuild, r.ID, ps[0].Members[0], 99); !errors.Is(err, ErrNoSuchAnswer) {
		t.Fatalf("unknown label: %v", err)
	}
	// Answers are closed now.
	if _, err := e.svc.submit(ctx, testGuild, r.ID, ps[0].ID, ps[0].Members[0], "late edit"); err == nil {
		t.Fatal("answer accepted during voting")
	}

	// Pair 1's first member votes for 2, then changes to 3; one vote counts.
	if res, err := e.svc.vote(ctx, testGuild, r.ID, ps[0].Members[0], l2); err != nil || res.Outcome != voteRecorded {
		t.Fatalf("first vote: %+v %v", res, err)
	}
	if res, err := e.svc.vote(ctx, testGuild, r.ID, ps[0].Members[0], l3); err != nil || res.Outcome != voteChanged {
		t.Fatalf("changed vote: %+v %v", res, err)
	}
	if res, err := e.svc.vote(ctx, testGuild, r.ID, ps[0].Members[0], l3); err != nil || res.Outcome != voteUnchanged {
		t.Fatalf("same vote again: %+v %v", res, err)
	}
	if mine, _ := e.svc.myVote(ctx, r.ID, ps[0].Members[0]); mine != l3 {
		t.Fatalf("my vote = %d, want %d", mine, l3)
	}
	// Votes: pair 3 gets 2 (1a, 2a), pair 2 gets 1 (3a), pair 1 gets 1 (2b).
	for _, v := range []struct {
		voter uint64
		label int
	}{{ps[1].Members[0], l3}, {ps[2].Members[0], l2}, {ps[1].Members[1], l1}} {
		if _, err := e.svc.vote(ctx, testGuild, r.ID, v.voter, v.label); err != nil {
			t.Fatal(err)
		}
	}
	e.expire(r)
	if out := e.advance(r); out != outcomeClosed {
		t.Fatalf("advance = %s, want closed", out)
	}
	got := e.scores(r)
	want := map[int64]score{3: {3, 2, 1}, 1: {2, 1, 2}, 2: {2, 1, 3}} // 1 and 2 tie: pair 1 answered earlier
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("scores = %+v, want %+v", got, want)
		}
	}
	// Voting is over.
	_, err := e.svc.vote(ctx, testGuild, r.ID, ps[0].Members[1], l2)
	if _, late := lateDeadline(err); !late {
		t.Fatalf("vote after close: %v", err)
	}
	top, err := standings(ctx, e.DB.Bun, r.DuelID, 10)
	must(t, err)
	if len(top) != 3 || top[0].PairID != 3 || top[1].PairID != 1 {
		t.Fatalf("standings = %+v", top)
	}
}

// TestConcurrentVotesTellTheTruth: 20 votes by one member at once (a
// double-clicking member, a retrying client) get exactly one "recorded";
// the others are told the vote is unchanged, and one row exists. With two
// targets racing, still exactly one is the first vote and the rest are
// changes or no-ops, whatever the order.
func TestConcurrentVotesTellTheTruth(t *testing.T) {
	t.Parallel()
	e, r, ps := votingRound(t)
	l2, l3 := e.labelOf(r, ps[1].ID), e.labelOf(r, ps[2].ID)
	race := func(voter uint64, labels ...int) map[voteOutcome]int {
		t.Helper()
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[voteOutcome]int{}
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := e.svc.vote(context.Background(), testGuild, r.ID, voter, labels[i%len(labels)])
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				counts[res.Outcome]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return counts
	}
	if got := race(ps[0].Members[0], l2); got[voteRecorded] != 1 || got[voteUnchanged] != 19 {
		t.Fatalf("same vote 20 times: %d recorded, %d unchanged, %d changed; want 1, 19, 0",
			got[voteRecorded], got[voteUnchanged], got[voteChanged])
	}
	if got := race(ps[0].Members[1], l2, l3); got[voteRecorded] != 1 || got[voteChanged]+got[voteUnchanged] != 19 {
		t.Fatalf("two targets racing: %v; want exactly one recorded", got)
	}
	var rows int
	must(t, e.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM duel_votes WHERE round_id = $1`, r.ID).Scan(&rows))
	if rows != 2 {
		t.Fatalf("%d vote rows, want 2 (one per member)", rows)
	}
}

func TestNoVotingWithFewerThanTwoAnswers(t *testing.T) {
	t.Parallel()
	e, r, ps := newRoundEnv(t, 2, time.Minute, 10)
	p := ps[0]
	e.submit(r, p, 0, "lonely answer")
	e.expire(r)
	if out := e.advance(r); out != outcomeClosed {
		t.Fatalf("advance = %s", out)
	}
	e.requirePoints(r, map[int64]int{1: 1})
}

func TestCloseAndScoringExactlyOnceUnderConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	e, r, ps := votingRound(t)
	e.voteFor(r, ps[0], 2)
	e.expire(r)
	outs := moduletest.Concurrently(12, func(int) outcome {
		out, _, err := e.svc.advance(context.Background(), r.ID, phaseVoting)
		if err != nil {
			t.Error(err)
		}
		return out
	})
	closed := 0
	for _, o := range outs {
		if o == outcomeClosed {
			closed++
		} else if o != outcomeNoop {
			t.Fatalf("outcome %s", o)
		}
	}
	if closed != 1 {
		t.Fatalf("%d runs closed the round, want 1", closed)
	}
	var rows, total int
	must(t, e.DB.Pool.QueryRow(context.Background(), `SELECT count(*), sum(points) FROM duel_scores WHERE round_id = $1`, r.ID).Scan(&rows, &total))
	if rows != 3 || total != 4 {
		t.Fatalf("score rows=%d total=%d, want 3 and 4", rows, total)
	}
	// A stale answering-phase job is a no-op too.
	if out, _, _ := e.svc.advance(context.Background(), r.ID, phaseAnswering); out != outcomeNoop {
		t.Fatalf("stale job: %s", out)
	}
}

func TestEarlyCloseJobWaits(t *testing.T) {
	t.Parallel()
	e, r, _ := newRoundEnv(t, 0, time.Minute, 0)
	out, wait, err := e.svc.advance(context.Background(), r.ID, phaseAnswering)
	must(t, err)
	if out != outcomeEarly || wait <= 50*time.Second {
		t.Fatalf("early close: %s wait %s", out, wait)
	}
}

func TestEndDuringVotingScoresWithVotesSoFar(t *testing.T) {
	t.Parallel()
	e, r, ps := votingRound(t)
	e.voteFor(r, ps[0], 2)
	res, err := e.svc.endDuel(context.Background(), testGuild, 1)
	must(t, err)
	if res.Scored == nil || res.Scored.ID != r.ID || res.Duel.Status != "ended" {
		t.Fatalf("end = %+v", res)
	}
	s := e.scores(r)
	if len(s) != 3 || s[2].points != 2 || s[2].place != 1 {
		t.Fatalf("scores = %+v", s)
	}
	// The voting close job that fires later does nothing.
	e.expire(r)
	if out, _, _ := e.svc.advance(context.Background(), r.ID, phaseVoting); out != outcomeNoop {
		t.Fatalf("close after end: %s", out)
	}
	if len(e.scores(r)) != 3 {
		t.Fatal("scored twice")
	}
	if _, err := e.svc.endDuel(context.Background(), testGuild, 1); !errors.Is(err, ErrNoDuel) {
		t.Fatalf("second end: %v", err)
	}
	// A new duel may start after the end.
	if _, err := e.svc.startDuel(context.Background(), testGuild, 500, 1, "Next"); err != nil {
		t.Fatal(err)
	}
}

func TestRemoveAnswerBeforeVotingEnds(t *testing.T) {
	t.Parallel()
	e, r, ps := votingRound(t)
	ctx := context.Background()
	l2 := e.labelOf(r, 2)
	_, err := e.svc.vote(ctx, testGuild, r.ID, ps[0].Members[0], l2)
	must(t, err)
	a, err := e.svc.removeAnswer(ctx, testGuild, 1, removeTarget{Label: l2})
	must(t, err)
	if a.PairID != 2 {
		t.Fatalf("removed %+v", a)
	}
	if _, err := e.svc.removeAnswer(ctx, testGuild, 1, removeTarget{Label: l2}); !errors.Is(err, ErrNoSuchAnswer) {
		t.Fatalf("second removal: %v", err)
	}
	if mine, _ := e.svc.myVote(ctx, r.ID, ps[0].Members[0]); mine != 0 {
		t.Fatal("vote for a removed answer kept")
	}
	if _, err := e.svc.vote(ctx, testGuild, r.ID, ps[0].Members[0], l2); !errors.Is(err, ErrAnswerRemoved) {
		t.Fatalf("vote for removed: %v", err)
	}
	// By member, too.
	if _, err := e.svc.removeAnswer(ctx, testGuild, 1, removeTarget{Member: ps[2].Members[1]}); err != nil {
		t.Fatal(err)
	}
	e.expire(r)
	e.advance(r)
	e.requirePoints(r, map[int64]int{1: 1})
	if _, err := e.svc.removeAnswer(ctx, testGuild, 1, removeTarget{Label: e.labelOf(r, 1)}); !errors.Is(err, ErrNoRound) {
		t.Fatalf("removal after close: %v", err)
	}
}

func TestRemovedAnswerCannotBeResubmitted(t *testing.T) {
	t.Parallel()
	e, r, ps := newRoundEnv(t, 1, time.Minute, 0)
	p := ps[0]
	e.submit(r, p, 0, "rude answer")
	_, err := e.svc.removeAnswer(context.Background(), testGuild, 1, removeTarget{Member: p.Members[1]})
	must(t, err)
	if _, err := e.svc.submit(context.Background(), testGuild, r.ID, p.ID, p.Members[0], "again"); !errors.Is(err, ErrAnswerRemoved) {
		t.Fatalf("resubmit after removal: %v", err)
	}
}

func TestPointsByPairForHall(t *testing.T) {
	t.Parallel()
	e, r, ps := votingRound(t)
	e.voteFor(r, ps[0], 3)
	e.expire(r)
	e.advance(r)
	now := time.Now()
	got, err := e.svc.pointsByPair(context.Background(), nil, testGuild, now.Add(-time.Hour), now.Add(time.Hour))
	must(t, err)
	if got[1] != 1 || got[2] != 1 || got[3] != 2 {
		t.Fatalf("points = %v", got)
	}
	got, err = e.svc.pointsByPair(context.Background(), e.DB.Bun, testGuild, now.Add(time.Hour), now.Add(2*time.Hour))
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("points outside the range = %v", got)
	}
}
