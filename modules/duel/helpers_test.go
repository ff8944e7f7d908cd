package duel

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/disgoorg/disgo/rest"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/core/refusal"
	duelmig "github.com/together-bot/together/modules/duel/migrations"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi/pairhometest"
)

var quiet = moduletest.Logger("DUEL_TEST_LOG")

const testGuild uint64 = 111

// env is the duel service on the core services of a fresh schema.
type env struct {
	*moduletest.Core
	t     testing.TB
	svc   *Service
	pairs *pairhometest.Pairs
}

func newEnv(t testing.TB, discord rest.Rest) *env {
	t.Helper()
	c := moduletest.NewCore(t, moduletest.CoreOptions{Module: Name, Migrations: duelmig.FS, Catalogs: []i18n.Catalog{catalog}, Logger: quiet})
	e := &env{Core: c, t: t, pairs: &pairhometest.Pairs{}}
	proj := c.Projection(t, discord)
	var err error
	e.svc, err = newService(config{Core: modcore.Core{DB: c.DB, Queue: c.Queue, Guilds: c.Guilds, Bundle: c.Bundle, Logger: quiet,
		Projections: proj, Rest: discord}, Pairs: e.pairs})
	must(t, err)
	must(t, proj.Register(e.svc.boardRenderer()))
	return e
}

func (e *env) pair(n int64, channel uint64) pairhomeapi.Pair {
	return e.pairs.AddNumbered(testGuild, n, channel)
}

// setDuel switches duel on or off in the test guild, as /config does.
func (e *env) setDuel(on bool) {
	e.t.Helper()
	must(e.t, e.Guilds.SetModule(context.Background(), testGuild, 1, Name, on))
}

// newRoundEnv is a duel with pairs 1..n and a round open for answers.
func newRoundEnv(t testing.TB, n int, answer time.Duration, voteMinutes int) (*env, round, []pairhomeapi.Pair) {
	t.Helper()
	e := newEnv(t, nil)
	ps := make([]pairhomeapi.Pair, n)
	for i := range ps {
		ps[i] = e.pair(int64(i+1), 0)
	}
	e.startDuel()
	return e, e.startRound(answer, voteMinutes), ps
}

// newAnsweredRound is newRoundEnv with pairs a and b, both answered, the
// round open an hour with ten minutes of voting.
func newAnsweredRound(t testing.TB) (e *env, r round, a, b pairhomeapi.Pair) {
	t.Helper()
	e, r, ps := newRoundEnv(t, 2, time.Hour, 10)
	e.submit(r, ps[0], 0, "answer A")
	e.submit(r, ps[1], 0, "answer B")
	return e, r, ps[0], ps[1]
}

// voteFor has the voter pair's first member vote for the answer of pair forPair.
func (e *env) voteFor(r round, voter pairhomeapi.Pair, forPair int64) {
	e.t.Helper()
	_, err := e.svc.vote(context.Background(), testGuild, r.ID, voter.Members[0], e.labelOf(r, forPair))
	must(e.t, err)
}

func (e *env) startDuel() duel {
	e.t.Helper()
	d, err := e.svc.startDuel(context.Background(), testGuild, 500, 1, "Test duel")
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) startRound(answer time.Duration, voteMinutes int) round {
	e.t.Helper()
	res, err := e.svc.startRound(context.Background(), testGuild, 1, roundSpec{Prompt: "Describe your ideal weekend",
		AnswerDuration: answer, VoteMinutes: voteMinutes})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Round
}

func (e *env) submit(r round, p pairhomeapi.Pair, member int, text string) submitResult {
	e.t.Helper()
	res, err := e.svc.submit(context.Background(), testGuild, r.ID, p.ID, p.Members[member], text)
	if err != nil {
		e.t.Fatalf("submit for pair %d: %v", p.ID, err)
	}
	return res
}

// expire moves the current phase's deadline into the past, as if time had
// passed (tests do not sleep through minutes).
func (e *env) expire(r round) {
	e.t.Helper()
	if _, err := e.DB.Pool.Exec(context.Background(), `UPDATE duel_rounds SET
		answer_deadline = CASE WHEN phase = 'answering' THEN now() - interval '1 second' ELSE answer_deadline END,
		vote_deadline = CASE WHEN phase = 'voting' THEN now() - interval '1 second' ELSE vote_deadline END
		WHERE id = $1`, r.ID); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) round(id int64) round {
	e.t.Helper()
	r, err := loadRound(context.Background(), e.DB.Bun, id, noLock)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) advance(r round) outcome {
	e.t.Helper()
	out, _, err := e.svc.advance(context.Background(), r.ID, e.round(r.ID).Phase)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// labelOf returns a pair's ballot number.
func (e *env) labelOf(r round, pairID int64) int {
	e.t.Helper()
	var l int
	if err := e.DB.Pool.QueryRow(context.Background(), `SELECT label FROM duel_answers WHERE round_id = $1 AND pair_id = $2`,
		r.ID, pairID).Scan(&l); err != nil {
		e.t.Fatal(err)
	}
	return l
}

type score struct{ points, votes, place int }

// requirePoints fails unless round r scored exactly these points by pair id.
func (e *env) requirePoints(r round, want map[int64]int) {
	e.t.Helper()
	s := e.scores(r)
	ok := len(s) == len(want)
	for id, p := range want {
		ok = ok && s[id].points == p
	}
	if !ok {
		e.t.Fatalf("scores = %+v, want points %v", s, want)
	}
}

func (e *env) scores(r round) map[int64]score {
	e.t.Helper()
	rows, err := e.DB.Pool.Query(context.Background(), `SELECT pair_id, points, vote_points, place FROM duel_scores WHERE round_id = $1`, r.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]score{}
	for rows.Next() {
		var id int64
		var s score
		if err := rows.Scan(&id, &s.points, &s.votes, &s.place); err != nil {
			e.t.Fatal(err)
		}
		out[id] = s
	}
	return out
}

// newQueue runs the module's jobs against the env's database.
func (e *env) newQueue(g queue.Gate) *queue.Runner {
	e.t.Helper()
	return moduletest.Runner(e.t, queue.Options{DB: e.DB, Jobs: e.svc.jobs(), Gate: g, Logger: quiet, Test: true,
		SoftStopTimeout: 2 * time.Second})
}

func waitUntil(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	dbtest.WaitUntil(t, d, what, cond)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// refusalArg is the named argument of the refusal err carries.
func refusalArg(err error, name string) (any, bool) {
	var r *refusal.Error
	if !errors.As(err, &r) {
		return nil, false
	}
	for i := 0; i+1 < len(r.Args); i += 2 {
		if r.Args[i] == name {
			return r.Args[i+1], true
		}
	}
	return nil, false
}

// lateDeadline reports whether err is ErrLate, and the deadline it shows.
func lateDeadline(err error) (string, bool) {
	if !errors.Is(err, ErrLate) {
		return "", false
	}
	at, _ := refusalArg(err, "deadline")
	s, _ := at.(string)
	return s, true
}
