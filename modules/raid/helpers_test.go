package raid

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/db/migrate"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/migrations"
	raidmig "github.com/together-bot/together/modules/raid/migrations"
)

var quiet = func() *slog.Logger {
	if os.Getenv("RAID_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}()

const (
	testGuild   uint64 = 111
	testChannel uint64 = 500
)

// fakePairs is an in-memory pairhome.
type fakePairs struct {
	mu     sync.Mutex
	pairs  []Pair
	panels map[int64]int
	guilds map[uint64]int
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

func (f *fakePairs) RequestPanels(_ context.Context, _ bun.Tx, guildID uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.guilds == nil {
		f.guilds = map[uint64]int{}
	}
	f.guilds[guildID]++
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

// fakeQueue records inserted jobs (only those whose transaction committed
// matter to the tests, and those are visible as claim rows).
type fakeQueue struct {
	mu   sync.Mutex
	args []river.JobArgs
}

func (f *fakeQueue) InsertTx(_ context.Context, _ bun.Tx, args river.JobArgs, _ *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.args = append(f.args, args)
	return &rivertype.JobInsertResult{Job: &rivertype.JobRow{}}, nil
}

// settings is a guild.Service stand-in: zone and raid channel per guild.
type settings struct {
	mu         sync.Mutex
	zones      map[uint64]string
	configured []uint64 // guilds with a raid channel, in order
}

func (s *settings) GuildsWithChannel(_ context.Context, module, key string) ([]guild.GuildChannel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []guild.GuildChannel
	for _, g := range s.configured {
		if module == Name && key == PurposeKey {
			out = append(out, guild.GuildChannel{GuildID: g, ChannelID: testChannel})
		}
	}
	return out, nil
}

func (s *settings) Settings(_ context.Context, guildID uint64) (guild.Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return guild.Settings{GuildID: guildID, Timezone: s.zones[guildID],
		Channels: map[string]uint64{Purpose.ID(): testChannel}}, nil
}

// clock is the service's movable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type env struct {
	t        testing.TB
	db       *db.DB
	svc      *Service
	pairs    *fakePairs
	board    *fakeBoard
	queue    *fakeQueue
	settings *settings
	clock    *clock
}

// newEnv builds the service on a fresh schema; the clock starts on
// Wednesday 2026-11-25 12:00 UTC.
func newEnv(t testing.TB, discord Discord) *env {
	t.Helper()
	d := dbtest.New(t, migrate.Source{Module: "core", FS: migrations.FS}, migrate.Source{Module: Name, FS: raidmig.FS})
	b, err := i18n.NewBundle(quiet, Catalog)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: d, pairs: &fakePairs{}, board: &fakeBoard{}, queue: &fakeQueue{},
		settings: &settings{zones: map[uint64]string{}},
		clock:    &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}}
	e.svc, err = NewService(Config{DB: d, Pairs: e.pairs, Projections: e.board, Queue: e.queue, Discord: discord,
		Settings: e.settings, Bundle: b, DefaultLocale: i18n.EN, Logger: quiet, Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// pair adds pair n with members 1000n+1 and 1000n+2.
func (e *env) pair(n int64, channel uint64) Pair {
	return e.pairs.add(Pair{ID: n, Members: [2]uint64{uint64(1000*n + 1), uint64(1000*n + 2)}, ChannelID: channel})
}

func (e *env) start() Raid {
	e.t.Helper()
	r, err := e.svc.StartRaid(context.Background(), StartSpec{GuildID: testGuild, ChannelID: testChannel, By: 1})
	must(e.t, err)
	return r
}

// offers returns today's offers of a raid.
func (e *env) offers(r Raid) []Quest {
	e.t.Helper()
	t, err := e.svc.TodayFor(context.Background(), r.GuildID, 1)
	must(e.t, err)
	return t.Offers
}

func (e *env) claim(p Pair, member int, r Raid, key string) Claim {
	e.t.Helper()
	res, err := e.svc.Claim(context.Background(), p.GuildID, p.Members[member], r.ID, key)
	must(e.t, err)
	return res.Claim
}

func (e *env) raid(id int64) Raid {
	e.t.Helper()
	r, err := loadRaid(context.Background(), e.db.Bun, id)
	must(e.t, err)
	return r
}

// configureChannel stores the raid channel as /config would, for the step's
// guild listing.
func (e *env) configureChannel(guildID uint64) {
	e.t.Helper()
	e.settings.mu.Lock()
	defer e.settings.mu.Unlock()
	e.settings.configured = append(e.settings.configured, guildID)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
