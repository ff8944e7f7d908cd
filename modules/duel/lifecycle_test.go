package duel

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/projection/projectiontest"
	"github.com/together-bot/together/core/usertext"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

func TestOneActiveDuelPerGuildUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	errs := moduletest.Concurrently(8, func(int) error {
		_, err := e.svc.startDuel(context.Background(), testGuild, 500, 1, "")
		return err
	})
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrDuelActive):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d duels started, want exactly 1", ok)
	}
	d, err := activeDuel(context.Background(), e.DB.Bun, testGuild, noLock)
	must(t, err)
	if d.Title != "Pair duel" {
		t.Fatalf("default title = %q", d.Title)
	}
	if projectiontest.Requested(t, e.DB.Bun, boardKind, projection.IDKey(d.ID)) != 1 {
		t.Fatal("scoreboard projection not requested on start")
	}
	// Another guild is independent.
	if _, err := e.svc.startDuel(context.Background(), testGuild+1, 500, 1, "x"); err != nil {
		t.Fatal(err)
	}
}

func TestOneOpenRoundAtATime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	if _, err := e.svc.startRound(context.Background(), testGuild, 1, roundSpec{Prompt: "p", AnswerDuration: time.Minute}); !errors.Is(err, ErrNoDuel) {
		t.Fatalf("round without duel: %v", err)
	}
	e.startDuel()
	errs := moduletest.Concurrently(6, func(int) error {
		_, err := e.svc.startRound(context.Background(), testGuild, 1, roundSpec{Prompt: "p", AnswerDuration: time.Minute})
		return err
	})
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, ErrRoundOpen) {
			t.Fatal(err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d rounds opened, want 1", ok)
	}
	for _, blank := range []string{" ", "\u200b\u2060\ufeff"} {
		_, err := e.svc.startRound(context.Background(), testGuild, 1, roundSpec{Prompt: blank, AnswerDuration: time.Minute})
		if field, _ := refusalArg(err, "field"); !errors.Is(err, usertext.ErrBlank) || field != "prompt" {
			t.Fatalf("prompt %q: %v", blank, err)
		}
	}
}

func TestConcurrentDoubleSubmitKeepsOneAnswer(t *testing.T) {
	t.Parallel()
	e, r, ps := newRoundEnv(t, 1, time.Minute, 0)
	p := ps[0]
	var wg sync.WaitGroup
	texts := map[string]bool{}
	var errs []error
	var mu sync.Mutex
	for i := range 20 {
		text := strings.Repeat("ab", 1+i)
		texts[text] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.submit(context.Background(), testGuild, r.ID, p.ID, p.Members[i%2], text)
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	var n, subs int
	var got string
	must(t, e.DB.Pool.QueryRow(context.Background(), `SELECT count(*), max(submissions), max(answer) FROM duel_answers WHERE round_id = $1`,
		r.ID).Scan(&n, &subs, &got))
	if n != 1 || subs != 20 || !texts[got] {
		t.Fatalf("rows=%d submissions=%d answer=%q", n, subs, got)
	}
}

func TestResubmissionLastAnswerCountsAndOnlyMembersAnswer(t *testing.T) {
	t.Parallel()
	e, r, ps := newRoundEnv(t, 2, time.Minute, 0)
	p, other := ps[0], ps[1]
	if res := e.submit(r, p, 0, "  first answer  "); res.Replaced {
		t.Fatal("first answer reported as replaced")
	}
	if res := e.submit(r, p, 1, "second answer"); !res.Replaced {
		t.Fatal("resubmission not reported as replaced")
	}
	ans, err := answers(context.Background(), e.DB.Bun, r.ID, false)
	must(t, err)
	if len(ans) != 1 || ans[0].Text != "second answer" || ans[0].AnsweredBy != p.Members[1] {
		t.Fatalf("answers = %+v", ans)
	}
	if _, err := e.svc.submit(context.Background(), testGuild, r.ID, p.ID, other.Members[0], "hijack"); !errors.Is(err, pairhomeapi.ErrNotPairMember) {
		t.Fatalf("other pair answering: %v", err)
	}
	if _, err := e.svc.submit(context.Background(), testGuild, r.ID, p.ID, 999999, "stranger"); !errors.Is(err, pairhomeapi.ErrNoPair) {
		t.Fatalf("stranger answering: %v", err)
	}
	for bad, want := range map[string]error{
		" x ":                               usertext.ErrLength,
		strings.Repeat("я", maxAnswerLen+1): usertext.ErrLength,
		"\u200b\u200c\u200d\u2060\ufeff":    usertext.ErrBlank,
		" \u200b ":                          usertext.ErrBlank,
	} {
		_, err := e.svc.submit(context.Background(), testGuild, r.ID, p.ID, p.Members[0], bad)
		if field, _ := refusalArg(err, "field"); !errors.Is(err, want) || field != "answer" {
			t.Fatalf("answer %+q: %v, want %v", bad, err, want)
		}
	}
	if _, err := e.svc.submit(context.Background(), testGuild, r.ID, p.ID, p.Members[0], strings.Repeat("я", maxAnswerLen)); err != nil {
		t.Fatalf("400 Cyrillic characters refused: %v", err)
	}
	if e.pairs.Panels(p.ID) < 3 {
		t.Fatalf("pair panel requested %d times", e.pairs.Panels(p.ID))
	}
}

func TestLateAnswerRefusedWithDeadline(t *testing.T) {
	t.Parallel()
	e, r, ps := newRoundEnv(t, 1, time.Minute, 0)
	p := ps[0]
	e.expire(r)
	// The close job has not run yet: the deadline alone refuses the answer.
	_, err := e.svc.submit(context.Background(), testGuild, r.ID, p.ID, p.Members[0], "too late")
	at, late := lateDeadline(err)
	if !late || at != timestamp(e.round(r.ID).AnswerDeadline, "f") {
		t.Fatalf("late answer: %v", err)
	}
	if !strings.Contains(err.Error(), "duel.error.late") {
		t.Fatalf("refusal = %v", err)
	}
	if _, _, err := e.svc.answerForm(context.Background(), testGuild, r.ID, p.ID, p.Members[0]); !errors.Is(err, ErrLate) {
		t.Fatal("form opened after the deadline")
	}
}

func TestCancelVoidsRound(t *testing.T) {
	t.Parallel()
	e, r, ps := newRoundEnv(t, 1, time.Minute, 0)
	p := ps[0]
	e.submit(r, p, 0, "answer")
	c, err := e.svc.cancelRound(context.Background(), testGuild, 1)
	must(t, err)
	if c.Phase != phaseCancelled {
		t.Fatal(c.Phase)
	}
	e.expire(r)
	if out, _, _ := e.svc.advance(context.Background(), r.ID, phaseAnswering); out != outcomeNoop {
		t.Fatalf("close after cancel: %s", out)
	}
	if len(e.scores(r)) != 0 {
		t.Fatal("cancelled round scored")
	}
	if _, err := e.svc.submit(context.Background(), testGuild, r.ID, p.ID, p.Members[0], "again"); !errors.Is(err, ErrNotAnswering) {
		t.Fatalf("answer to cancelled round: %v", err)
	}
	// A new round may start.
	e.startRound(time.Minute, 0)
}

// TestCloseAnswersRacesTheCloseJob: staff closing answers and the scheduled
// close job (several redeliveries) at the same moment make exactly one
// transition; a second close-answers is refused and changes nothing.
func TestCloseAnswersRacesTheCloseJob(t *testing.T) {
	t.Parallel()
	e, r, _, _ := newAnsweredRound(t)
	e.expire(r) // the job is due too, so both really race
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	transitions, staffWon := 0, false
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 0 {
				_, out, err := e.svc.closeAnswers(ctx, testGuild, 1)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && out == outcomeVoting:
					transitions++
					staffWon = true
				case errors.Is(err, ErrAnswersClosed):
				default:
					t.Errorf("close-answers: %v %v", out, err)
				}
				return
			}
			out, _, err := e.svc.advance(ctx, r.ID, phaseAnswering)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && out == outcomeVoting:
				transitions++
			case err == nil && out == outcomeNoop:
			default:
				t.Errorf("close job: %v %v", out, err)
			}
		}()
	}
	wg.Wait()
	if transitions != 1 {
		t.Fatalf("%d transitions to voting, want 1 (staff won: %v)", transitions, staffWon)
	}
	got := e.round(r.ID)
	if got.Phase != phaseVoting {
		t.Fatalf("phase = %s", got.Phase)
	}
	if _, _, err := e.svc.closeAnswers(ctx, testGuild, 1); !errors.Is(err, ErrAnswersClosed) {
		t.Fatalf("second close-answers: %v", err)
	}
	if again := e.round(r.ID); !again.VoteDeadline.Equal(*got.VoteDeadline) || again.Phase != phaseVoting {
		t.Fatalf("second close-answers changed the round: %+v", again)
	}
}

// TestCloseAnswersEarly: before the deadline, staff close answers: voting
// opens now, late answers are refused with the new deadline, and a round
// with a single answer is scored at once.
func TestCloseAnswersEarly(t *testing.T) {
	t.Parallel()
	e, r, a, _ := newAnsweredRound(t)
	ctx := context.Background()
	closed, out, err := e.svc.closeAnswers(ctx, testGuild, 1)
	must(t, err)
	if out != outcomeVoting || closed.Phase != phaseVoting || !closed.AnswerDeadline.Before(r.AnswerDeadline) {
		t.Fatalf("close-answers: %s %+v", out, closed)
	}
	if _, err := e.svc.submit(ctx, testGuild, r.ID, a.ID, a.Members[0], "too late"); !errors.Is(err, ErrLate) {
		t.Fatalf("answer after close-answers: %v", err)
	}
	// The close job scheduled at the old deadline finds nothing to do.
	if out, _, err := e.svc.advance(ctx, r.ID, phaseAnswering); err != nil || out != outcomeNoop {
		t.Fatalf("old close job: %s %v", out, err)
	}
	e.expire(closed)
	e.advance(closed)

	r2 := e.startRound(time.Hour, 10)
	e.submit(r2, a, 0, "lonely")
	if _, out, err := e.svc.closeAnswers(ctx, testGuild, 1); err != nil || out != outcomeClosed {
		t.Fatalf("close-answers with one answer: %s %v", out, err)
	}
	e.requirePoints(r2, map[int64]int{a.ID: 1})
	if _, _, err := e.svc.closeAnswers(ctx, testGuild, 1); !errors.Is(err, ErrNoRound) {
		t.Fatalf("close-answers without an open round: %v", err)
	}
}
