package duel

import (
	"context"
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
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/migrations"
	duelmig "github.com/together-bot/together/modules/duel/migrations"
)

var quiet = func() *slog.Logger {
	if os.Getenv("DUEL_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}()

const testGuild uint64 = 111

// fakePairs is an in-memory pairhome: the service tests do not depend on
// pairhome's tables or jobs.
type fakePairs struct {
	mu     sync.Mutex
	pairs  []Pair
	panels map[int64]int
}

func (f *fakePairs) add(p Pair) Pair {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.GuildID == 0 {
		p.GuildID = testGuild
	}
	f.pairs = append(f.pairs, p)
	return p
}

func (f *fakePairs) ActivePairs(_ context.Context, _ bun.IDB, guildID uint64) ([]Pair, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Pair
	for _, p := range f.pairs {
		if p.GuildID == guildID {
			out = append(out, p)
		}
	}
	return out, nil
}

func (f *fakePairs) PairOf(_ context.Context, _ bun.IDB, guildID, userID uint64) (Pair, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.pairs {
		if p.GuildID == guildID && p.Has(userID) {
			return p, nil
		}
	}
	return Pair{}, ErrNotInPair
}

func (f *fakePairs) Pair(_ context.Context, _ bun.IDB, id int64) (Pair, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.pairs {
		if p.ID == id {
			return p, nil
		}
	}
	return Pair{}, ErrNotInPair
}

func (f *fakePairs) RequestPanel(_ context.Context, _ bun.Tx, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panels == nil {
		f.panels = map[int64]int{}
	}
	f.panels[id]++
	return nil
}

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

// gate switches the module per guild, like guild.Service.
type gate struct {
	mu  sync.Mutex
	off map[uint64]bool
}

func (g *gate) set(guildID uint64, on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.off == nil {
		g.off = map[uint64]bool{}
	}
	g.off[guildID] = !on
}

func (g *gate) ModuleEnabled(_ context.Context, _ string, guildID uint64) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.off[guildID], nil
}

type env struct {
	t     testing.TB
	db    *db.DB
	svc   *Service
	pairs *fakePairs
	board *fakeBoard
	gate  *gate
}

func newEnv(t testing.TB, discord Discord) *env {
	t.Helper()
	d := dbtest.New(t, migrate.Source{Module: "core", FS: migrations.FS}, migrate.Source{Module: Name, FS: duelmig.FS})
	b, err := i18n.NewBundle(quiet, Catalog)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: d, pairs: &fakePairs{}, board: &fakeBoard{}, gate: &gate{}}
	e.svc, err = NewService(Config{DB: d, Pairs: e.pairs, Projections: e.board, Discord: discord, Bundle: b,
		Gate: e.gate, DefaultLocale: i18n.EN, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// pair adds pair n with members 1000n+1 and 1000n+2.
func (e *env) pair(n int64, channel uint64) Pair {
	return e.pairs.add(Pair{ID: n, Members: [2]uint64{uint64(1000*n + 1), uint64(1000*n + 2)}, ChannelID: channel})
}

func (e *env) startDuel() Duel {
	e.t.Helper()
	d, err := e.svc.StartDuel(context.Background(), testGuild, 500, 1, "Test duel")
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) startRound(answer time.Duration, voteMinutes int) Round {
	e.t.Helper()
	res, err := e.svc.StartRound(context.Background(), testGuild, 1, RoundSpec{Prompt: "Describe your ideal weekend",
		AnswerDuration: answer, VoteMinutes: voteMinutes})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Round
}

func (e *env) submit(r Round, p Pair, member int, text string) SubmitResult {
	e.t.Helper()
	res, err := e.svc.Submit(context.Background(), testGuild, r.ID, p.ID, p.Members[member], text)
	if err != nil {
		e.t.Fatalf("submit for pair %d: %v", p.ID, err)
	}
	return res
}

// expire moves the current phase's deadline into the past, as if time had
// passed (tests do not sleep through minutes).
func (e *env) expire(r Round) {
	e.t.Helper()
	if _, err := e.db.Pool.Exec(context.Background(), `UPDATE duel_rounds SET
		answer_deadline = CASE WHEN phase = 'answering' THEN now() - interval '1 second' ELSE answer_deadline END,
		vote_deadline = CASE WHEN phase = 'voting' THEN now() - interval '1 second' ELSE vote_deadline END
		WHERE id = $1`, r.ID); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) round(id int64) Round {
	e.t.Helper()
	r, err := loadRound(context.Background(), e.db.Bun, id, noLock)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) advance(r Round) Outcome {
	e.t.Helper()
	out, _, err := e.svc.Advance(context.Background(), r.ID, e.round(r.ID).Phase)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// labelOf returns a pair's ballot number.
func (e *env) labelOf(r Round, pairID int64) int {
	e.t.Helper()
	var l int
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT label FROM duel_answers WHERE round_id = $1 AND pair_id = $2`,
		r.ID, pairID).Scan(&l); err != nil {
		e.t.Fatal(err)
	}
	return l
}

type score struct{ points, votes, place int }

func (e *env) scores(r Round) map[int64]score {
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
	reg, err := queue.NewRegistry(e.svc.Jobs())
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
