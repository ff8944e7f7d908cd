package duel

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

func phaseOf(e *env, r round) roundPhase { return e.round(r.ID).Phase }

// TestCloseOnceAcrossDuplicateJobsAndRestart runs the real queue: the round's
// close job is due while the process is down; a restarted process closes it,
// and extra non-unique copies of the job (as when a job runs again after a
// redelivery) change nothing.
func TestCloseOnceAcrossDuplicateJobsAndRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ps := []pairhomeapi.Pair{e.pair(1, 0), e.pair(2, 0), e.pair(3, 0)}
	e.startDuel()
	q := e.newQueue(nil)
	must(t, q.Start(context.Background()))
	r := e.startRound(1500*time.Millisecond, 0)
	e.submit(r, ps[0], 0, "first")
	e.submit(r, ps[1], 1, "second")
	// "Crash" mid-round: stop the process before the deadline.
	must(t, q.Stop(context.Background()))
	time.Sleep(2 * time.Second)
	// Duplicates bypass uniqueness on purpose: raw args carry no InsertOpts.
	dup, err := json.Marshal(CloseArgs{GuildID: testGuild, RoundID: r.ID, Phase: string(phaseAnswering)})
	must(t, err)
	for range 4 {
		_, err := e.Queue.Insert(context.Background(), queue.RawArgs(CloseArgs{}.Kind(), dup), nil)
		must(t, err)
	}
	q2 := e.newQueue(nil)
	must(t, q2.Start(context.Background()))
	t.Cleanup(func() { _ = q2.Stop(context.Background()) })
	waitUntil(t, 20*time.Second, "round closed after restart", func() bool { return phaseOf(e, r) == phaseClosed })
	waitUntil(t, 20*time.Second, "all close jobs finished", func() bool {
		var n int
		_ = e.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'duel.close' AND state <> 'completed'`).Scan(&n)
		return n == 0
	})
	var n, jobs int
	must(t, e.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM duel_scores WHERE round_id = $1`, r.ID).Scan(&n))
	must(t, e.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'duel.close'`).Scan(&jobs))
	if n != 2 || jobs != 5 {
		t.Fatalf("score rows = %d (want 2), close jobs = %d (want 5)", n, jobs)
	}
}

// dueNow moves the round's deadline (answer_deadline or vote_deadline) to
// now and reschedules its queued close job, as if the time had passed: the
// tests then never race a real clock against a loaded machine.
func (e *env) dueNow(r round, deadline string) {
	e.t.Helper()
	ctx := context.Background()
	_, err := e.DB.Pool.Exec(ctx, `UPDATE duel_rounds SET `+deadline+` = now() WHERE id = $1`, r.ID)
	must(e.t, err)
	_, err = e.DB.Pool.Exec(ctx, `UPDATE river_job SET scheduled_at = now() WHERE kind = 'duel.close' AND state = 'scheduled'`)
	must(e.t, err)
}

// TestVotingPhaseThroughQueue: answer close opens voting and queues the
// voting close, which applies the votes.
func TestVotingPhaseThroughQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ps := []pairhomeapi.Pair{e.pair(1, 0), e.pair(2, 0)}
	e.startDuel()
	q := e.newQueue(nil)
	must(t, q.Start(context.Background()))
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	r := e.startRound(time.Hour, 1)
	e.submit(r, ps[0], 0, "one")
	e.submit(r, ps[1], 0, "two")
	e.dueNow(r, "answer_deadline")
	waitUntil(t, 20*time.Second, "voting", func() bool { return phaseOf(e, r) == phaseVoting })
	_, err := e.svc.vote(context.Background(), testGuild, r.ID, ps[0].Members[1], e.labelOf(r, 2))
	must(t, err)
	e.dueNow(r, "vote_deadline") // skip the minute of voting
	waitUntil(t, 20*time.Second, "closed", func() bool { return phaseOf(e, r) == phaseClosed })
	if s := e.scores(r); s[2].points != 2 || s[1].points != 1 {
		t.Fatalf("scores = %+v", s)
	}
}

// TestModuleTurnedOffMidRound: while duel is off in the guild the gate
// skips its jobs and the round waits; once it is on again the sweep
// re-queues the close, which runs once.
func TestModuleTurnedOffMidRound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	p := e.pair(1, 0)
	e.startDuel()
	q := e.newQueue(e.Guilds)
	must(t, q.Start(context.Background()))
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	r := e.startRound(time.Hour, 0)
	e.submit(r, p, 0, "answer")
	e.setDuel(false)
	e.dueNow(r, "answer_deadline")
	waitUntil(t, 20*time.Second, "close job skipped by the gate", func() bool {
		var st string
		_ = e.DB.Pool.QueryRow(context.Background(), `SELECT state FROM river_job WHERE kind = 'duel.close'`).Scan(&st)
		return st == "completed"
	})
	if phaseOf(e, r) != phaseAnswering {
		t.Fatal("round advanced while the module was off")
	}
	// Past the sweep's grace, as if the module stayed off a while.
	_, err := e.DB.Pool.Exec(context.Background(), `UPDATE duel_rounds SET answer_deadline = now() - interval '1 minute' WHERE id = $1`, r.ID)
	must(t, err)
	if n, err := e.svc.sweep(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep while off queued %d (%v)", n, err)
	}
	e.setDuel(true)
	n, err := e.svc.sweep(context.Background())
	must(t, err)
	if n != 1 {
		t.Fatalf("sweep queued %d jobs, want 1", n)
	}
	if n, _ := e.svc.sweep(context.Background()); n != 0 {
		t.Fatalf("second sweep queued %d duplicates", n)
	}
	waitUntil(t, 20*time.Second, "closed after module on", func() bool { return phaseOf(e, r) == phaseClosed })
	e.requirePoints(r, map[int64]int{1: 1})
}
