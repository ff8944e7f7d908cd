package oracle

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/disgoorg/disgo/rest"

	"github.com/together-bot/together/core/clocktest"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/oracle/migrations"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi/pairhometest"
)

// quiet discards logs unless ORACLE_TEST_LOG is set.
var quiet = moduletest.Logger("ORACLE_TEST_LOG")

// env is one emulated guild with an oracle channel and two members, a fresh
// schema, the core services oracle plugs into, and (unless noQueue) a
// running queue with the projection worker: a bot process without gateway.
type env struct {
	t       testing.TB
	ctx     context.Context
	sim     *discordsim.Server
	world   *moduletest.Guild
	db      *db.DB
	guilds  *guild.Service
	proj    *projection.Service
	svc     *Service
	clock   *clocktest.Manual
	rest    rest.Rest
	pairs   *fakePairs
	guild   uint64
	channel uint64
	users   map[string]uint64
}

type envOptions struct {
	noQueue  bool
	timezone string
	pairs    bool // pretend pairhome is deployed
}

// monday1030MSK is Monday 23 Nov 2026 10:30 in Moscow (07:30 UTC), ISO week 2026-W48.
var monday1030MSK = time.Date(2026, time.November, 23, 7, 30, 0, 0, time.UTC)

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	g := moduletest.NewGuild(t, discordsim.Options{Logger: quiet}, "oracle")
	e := &env{t: t, ctx: ctx, sim: g.Sim, world: g, users: map[string]uint64{}, clock: clocktest.New(monday1030MSK), guild: g.ID}
	e.channel = g.Channel(discordsim.ChannelSpec{Name: "oracle", Type: discordsim.ChannelGuildText})
	for _, name := range []string{"anna", "boris", "carol"} {
		e.users[name] = g.Member(discordsim.MemberSpec{Username: name})
	}
	c := moduletest.NewCore(t, moduletest.CoreOptions{Module: Name, Migrations: migrations.FS, Catalogs: []i18n.Catalog{Catalog},
		Purposes: []guild.ChannelPurpose{ChannelPurpose}, Logger: quiet})
	e.db, e.guilds = c.DB, c.Guilds
	if err := e.guilds.SetChannel(ctx, e.guild, 0, ChannelPurpose.ID(), e.channel); err != nil {
		t.Fatal(err)
	}
	tz := o.timezone
	if tz == "" {
		tz = "Europe/Moscow"
	}
	if err := e.guilds.SetTimezone(ctx, e.guild, 0, tz); err != nil {
		t.Fatal(err)
	}
	e.rest = g.Rest(quiet)
	lib, err := DefaultLibrary()
	if err != nil {
		t.Fatal(err)
	}
	e.proj = c.Projection(t, e.rest, newRenderer(e.guilds, lib, c.Bundle, o.pairs))
	cfg := serviceConfig{Core: modcore.Core{DB: e.db, Guilds: e.guilds, Projections: e.proj, Rest: e.rest, Logger: quiet},
		Library: lib, Now: e.clock.Now}
	if o.pairs {
		e.pairs = &fakePairs{}
		cfg.Pairs = e.pairs
	}
	if e.svc, err = newService(cfg); err != nil {
		t.Fatal(err)
	}
	if !o.noQueue {
		e.startQueue()
	}
	return e
}

// startQueue runs oracle's and the projection's workers.
func (e *env) startQueue() {
	e.t.Helper()
	moduletest.StartRunner(e.t, queue.Options{DB: e.db, Jobs: append([]queue.Job{publishDueJob(e.svc)}, projection.Jobs(e.proj)...),
		Gate: e.guilds, Logger: quiet, Test: true})
}

// dashboardShown waits until Discord shows the latest requested version of the
// guild's dashboard and returns its projection state.
func (e *env) dashboardShown() projection.State {
	e.t.Helper()
	var st projection.State
	dbtest.WaitUntil(e.t, 20*time.Second, "dashboard shown", func() bool {
		list, err := projection.List(e.ctx, e.db, projection.Filter{Kind: DashboardKind, Key: DashboardKey(e.guild)})
		if err != nil || len(list) != 1 {
			return false
		}
		st = list[0]
		return !st.Behind && st.Status == projection.StatusOK && st.MessageID != 0
	})
	return st
}

// messages lists the oracle channel's messages.
func (e *env) messages() []map[string]any { return e.world.Messages(e.channel) }

// dms lists the messages in a user's DM channel with the bot.
func (e *env) dms(user string) []map[string]any { return e.world.DMs(e.users[user]) }

func (e *env) publish() Published {
	e.t.Helper()
	p, err := e.svc.PublishNow(e.ctx, e.guild, e.users["carol"])
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func str(v uint64) string { return strconv.FormatUint(v, 10) }

// fakePairs is pairhome's shared fake with the shorthands these tests use.
type fakePairs struct{ pairhometest.Pairs }

func (f *fakePairs) add(p pairhomeapi.Pair) { f.Add(p) }

// requests lists the pairs whose panel was asked for, in order.
func (f *fakePairs) requests() []int64 { return f.Requested() }

// oracleTexts is oracle's catalog alone, for the renderers that need no
// database.
func oracleTexts(t testing.TB) *i18n.Bundle {
	t.Helper()
	texts, err := i18n.NewBundle(quiet, Catalog)
	if err != nil {
		t.Fatal(err)
	}
	return texts
}
