package raid

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/disgoorg/disgo/rest"

	"github.com/together-bot/together/core/clocktest"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi/pairhometest"
	raidmig "github.com/together-bot/together/modules/raid/migrations"
)

var quiet = moduletest.Logger("RAID_TEST_LOG")

const (
	testGuild   uint64 = 111
	testChannel uint64 = 500
)

// env is the raid service on the core services of a fresh schema.
type env struct {
	*moduletest.Core
	t     testing.TB
	svc   *service
	pairs *pairhometest.Pairs
	clock *clocktest.Manual
}

// newEnv builds the service on a fresh schema, with the real guild settings
// and job queue; the clock starts on Wednesday 2026-11-25 12:00 UTC.
func newEnv(t testing.TB, discord rest.Rest) *env {
	t.Helper()
	c := moduletest.NewCore(t, moduletest.CoreOptions{Module: Name, Migrations: raidmig.FS, Catalogs: []i18n.Catalog{catalog},
		Purposes: []guild.ChannelPurpose{purpose}, Logger: quiet})
	e := &env{Core: c, t: t, pairs: &pairhometest.Pairs{}, clock: clocktest.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))}
	proj := c.Projection(t, nil)
	var err error
	e.svc, err = newService(serviceConfig{Core: modcore.Core{DB: c.DB, Queue: c.Queue, Guilds: c.Guilds, Bundle: c.Bundle, Logger: quiet,
		Projections: proj, Rest: discord}, Pairs: e.pairs, now: e.clock.Now})
	must(t, err)
	must(t, proj.Register(e.svc.renderer()))
	return e
}

func (e *env) pair(n int64, channel uint64) pairhomeapi.Pair {
	return e.pairs.AddNumbered(testGuild, n, channel)
}

// newRaidEnv is a running raid with pairs 1..n.
func newRaidEnv(t testing.TB, n int) (*env, raid, []pairhomeapi.Pair) {
	t.Helper()
	e := newEnv(t, nil)
	ps := make([]pairhomeapi.Pair, n)
	for i := range ps {
		ps[i] = e.pair(int64(i+1), 0)
	}
	return e, e.start(), ps
}

func (e *env) start() raid {
	e.t.Helper()
	r, err := e.svc.StartRaid(context.Background(), startSpec{GuildID: testGuild, ChannelID: testChannel, By: 1})
	must(e.t, err)
	return r
}

// offers returns today's offers of a raid.
func (e *env) offers(r raid) []quest {
	e.t.Helper()
	t, err := e.svc.TodayFor(context.Background(), r.GuildID, 1)
	must(e.t, err)
	return t.Offers
}

func (e *env) claim(p pairhomeapi.Pair, member int, r raid, key string) claim {
	e.t.Helper()
	res, err := e.svc.Claim(context.Background(), p.GuildID, p.Members[member], r.ID, key)
	must(e.t, err)
	return res.Claim
}

func (e *env) raid(id int64) raid {
	e.t.Helper()
	r, err := loadRaid(context.Background(), e.DB.Bun, id)
	must(e.t, err)
	return r
}

// configureChannel stores the raid channel as /config would.
func (e *env) configureChannel(guildID uint64) {
	e.t.Helper()
	must(e.t, e.Guilds.SetChannel(context.Background(), guildID, 1, purpose.ID(), testChannel))
}

// promptJobs lists the prompt jobs in the queue, oldest first, with their
// River state.
func (e *env) promptJobs() ([]promptArgs, []string) {
	e.t.Helper()
	rows, err := e.DB.Pool.Query(context.Background(), `SELECT args, state::text FROM river_job WHERE kind = $1 ORDER BY id`,
		promptArgs{}.Kind())
	must(e.t, err)
	defer rows.Close()
	var args []promptArgs
	var states []string
	for rows.Next() {
		var raw []byte
		var state string
		must(e.t, rows.Scan(&raw, &state))
		var a promptArgs
		must(e.t, json.Unmarshal(raw, &a))
		args, states = append(args, a), append(states, state)
	}
	must(e.t, rows.Err())
	return args, states
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
