package publicpost

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/disgo/rest"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/discord/resterr"
	"github.com/together-bot/together/core/discord/restlimit"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/discordsim"
)

// quiet discards logs unless PUBLICPOST_TEST_LOG is set.
var quiet = moduletest.Logger("PUBLICPOST_TEST_LOG")

// clock is an adjustable clock for the emulator (nonce memory ages with it).
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time              { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration)     { c.offset.Add(int64(d)) }
func (c *clock) options() discordsim.Options { return discordsim.Options{Logger: quiet, Now: c.Now} }

// env is one emulated Discord with a guild and a channel, plus a database.
type env struct {
	t       testing.TB
	sim     *discordsim.Server
	clock   *clock
	db      *db.DB
	world   *moduletest.Guild
	guild   uint64
	channel uint64
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := newSimEnv(t)
	e.db = moduletest.DB(t, Name, Migrations)
	return e
}

func newSimEnv(t testing.TB) *env {
	t.Helper()
	c := &clock{}
	g := moduletest.NewGuild(t, c.options(), "posts")
	e := &env{t: t, sim: g.Sim, clock: c, world: g, guild: g.ID}
	e.channel = e.newChannel("announcements")
	return e
}

func (e *env) newChannel(name string) uint64 {
	return e.world.Channel(discordsim.ChannelSpec{Name: name})
}

func (e *env) rest(opts ...restlimit.Option) rest.Rest { return e.world.Rest(quiet, opts...) }

// testConfig keeps retries fast.
func testConfig() Config {
	return Config{
		Lease: 2 * time.Second, MaxAttempts: 3, SendTimeout: time.Second, SweepBudget: 30 * time.Second,
		Backoff: resterr.BackoffPolicy{Base: 50 * time.Millisecond, Max: 200 * time.Millisecond},
	}
}

func (e *env) publisher(cfg Config) *Publisher {
	return newPublisher(e.db, e.rest(), cfg, quiet)
}

// service builds the Service on a queue no worker runs: the tests publish
// through the Publisher (or a runner of their own).
func (e *env) service() *Service {
	e.t.Helper()
	q, err := queue.NewQueue(e.db, quiet)
	if err != nil {
		e.t.Fatal(err)
	}
	return NewService(e.db, q, quiet)
}

// post creates a post due now (or at) in the env's channel.
func (e *env) post(svc *Service, key, text string, at time.Time) Post {
	e.t.Helper()
	p, created, err := svc.CreateNow(context.Background(), NewPost{GuildID: e.guild, ChannelID: e.channel,
		Payload: Payload{Content: text}, At: at, IdempotencyKey: key})
	if err != nil || !created {
		e.t.Fatalf("create post %s: created=%v err=%v", key, created, err)
	}
	return p
}

func (e *env) get(id int64) Post {
	e.t.Helper()
	posts, err := List(context.Background(), e.db, Filter{ID: id})
	if err != nil || len(posts) != 1 {
		e.t.Fatalf("read post %d: %v (%d rows)", id, err, len(posts))
	}
	return posts[0]
}

// messages returns the channel's message contents, oldest first.
func (e *env) messages(channel uint64) []map[string]any { return e.world.Messages(channel) }

// setModule switches publicpost in the env's guild, as /config would.
func (e *env) setModule(on bool) {
	e.t.Helper()
	_, err := e.db.Bun.ExecContext(context.Background(), `INSERT INTO core_guild_modules (guild_id, module, enabled)
		VALUES (?, 'publicpost', ?) ON CONFLICT (guild_id, module) DO UPDATE SET enabled = EXCLUDED.enabled`,
		int64(e.guild), on)
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) drain(p *Publisher) DrainStats {
	e.t.Helper()
	st, err := p.Drain(context.Background(), time.Minute)
	if err != nil {
		e.t.Fatalf("drain: %v", err)
	}
	return st
}
