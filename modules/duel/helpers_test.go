package duel

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/db/migrate"
	"github.com/together-bot/together/core/discord/restclient"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/core/refusal"
	"github.com/together-bot/together/migrations"
	duelmig "github.com/together-bot/together/modules/duel/migrations"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi/pairhometest"
)

var quiet = func() *slog.Logger {
	if os.Getenv("DUEL_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}()

const testGuild uint64 = 111

// fakeBoard records projection requests.
type fakeBoard struct {
	mu   sync.Mutex
	reqs map[string]int
}

func (f *fakeBoard) Request(_ context.Context, _ bun.Tx, kind, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reqs == nil {
		f.reqs = map[string]int{}
	}
	f.reqs[kind+"/"+key]++
	return nil
}

func (f *fakeBoard) count(kind, key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reqs[kind+"/"+key]
}

type env struct {
	t      testing.TB
	db     *db.DB
	svc    *Service
	queue  *queue.Queue
	guilds *guild.Service
	pairs  *pairhometest.Pairs
	board  *fakeBoard
}

func newEnv(t testing.TB, discord restclient.MessageCreator) *env {
	t.Helper()
	d := dbtest.New(t, migrate.Source{Module: "core", FS: migrations.FS}, migrate.Source{Module: Name, FS: duelmig.FS})
	b, err := i18n.NewBundle(quiet, catalog)
	must(t, err)
	guilds, err := guild.NewService(d, quiet, nil)
	must(t, err)
	q, err := queue.NewQueue(d, quiet)
	must(t, err)
	e := &env{t: t, db: d, queue: q, guilds: guilds, pairs: &pairhometest.Pairs{}, board: &fakeBoard{}}
	e.svc, err = newService(config{Core: modcore.Core{DB: d, Queue: q, Guilds: guilds, Bundle: b, Logger: quiet},
		Pairs: e.pairs, Projections: e.board, Discord: discord})
	must(t, err)
	return e
}

// pair adds pair n with members 1000n+1 and 1000n+2.
func (e *env) pair(n int64, channel uint64) pairhomeapi.Pair {
	return e.pairs.Add(pairhomeapi.Pair{ID: n, GuildID: testGuild, Members: [2]uint64{uint64(1000*n + 1), uint64(1000*n + 2)},
		ChannelID: channel})
}

// setDuel switches duel on or off in the test guild, as /config does.
func (e *env) setDuel(on bool) {
	e.t.Helper()
	must(e.t, e.guilds.SetModule(context.Background(), testGuild, 1, Name, on))
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
	if _, err := e.db.Pool.Exec(context.Background(), `UPDATE duel_rounds SET
		answer_deadline = CASE WHEN phase = 'answering' THEN now() - interval '1 second' ELSE answer_deadline END,
		vote_deadline = CASE WHEN phase = 'voting' THEN now() - interval '1 second' ELSE vote_deadline END
		WHERE id = $1`, r.ID); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) round(id int64) round {
	e.t.Helper()
	r, err := loadRound(context.Background(), e.db.Bun, id, noLock)
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
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT label FROM duel_answers WHERE round_id = $1 AND pair_id = $2`,
		r.ID, pairID).Scan(&l); err != nil {
		e.t.Fatal(err)
	}
	return l
}

type score struct{ points, votes, place int }

func (e *env) scores(r round) map[int64]score {
	e.t.Helper()
	rows, err := e.db.Pool.Query(context.Background(), `SELECT pair_id, points, vote_points, place FROM duel_scores WHERE round_id = $1`, r.ID)
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
	reg, err := queue.NewRegistry(e.svc.jobs())
	if err != nil {
		e.t.Fatal(err)
	}
	q, err := queue.NewRunner(queue.Options{DB: e.db, Jobs: reg.All(), Gate: g, Logger: quiet, Test: true,
		SoftStopTimeout: 2 * time.Second})
	if err != nil {
		e.t.Fatal(err)
	}
	return q
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
