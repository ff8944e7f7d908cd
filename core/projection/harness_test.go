package projection_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/discord/restlimit"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/discordsim"
)

// quiet discards logs unless PROJECTION_TEST_LOG is set.
var quiet = moduletest.Logger("PROJECTION_TEST_LOG")

const testKind = "test.board"

// world is one emulated Discord with a guild.
type world struct {
	sim   *discordsim.Server
	guild *moduletest.Guild
}

func newWorld(t testing.TB, opts discordsim.Options) *world {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	g := moduletest.NewGuild(t, opts, "projections")
	return &world{sim: g.Sim, guild: g}
}

func (w *world) channel(t testing.TB, name string) snowflake.ID {
	t.Helper()
	return snowflake.ID(w.guild.Channel(discordsim.ChannelSpec{Name: name}))
}

func (w *world) guildID() snowflake.ID { return snowflake.ID(w.guild.ID) }

// messages returns the contents of a channel's messages by message id.
func (w *world) messages(t testing.TB, ch snowflake.ID) map[string]map[string]any {
	t.Helper()
	ms, err := w.sim.Messages(ch.String())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, m := range ms {
		out[m["id"].(string)] = m
	}
	return out
}

// rest is one process's REST client, with the project's limiter booking
// from the deployment's shared budget in d, as the runtime builds it.
func (w *world) rest(d *db.DB) rest.Rest { return w.restAt(w.sim.APIURL(), d) }

func (w *world) restAt(apiURL string, d *db.DB) rest.Rest {
	limiter := restlimit.New(restlimit.WithShared(restlimit.NewShared(d.Pool, restlimit.SharedOptions{})), restlimit.WithLogger(quiet))
	return rest.New(rest.NewClient(w.sim.Token(), rest.WithURL(apiURL),
		rest.WithRateLimiter(limiter), rest.WithLogger(quiet)))
}

// newDB returns a migrated schema with the test renderer's table.
func newDB(t testing.TB) *db.DB {
	t.Helper()
	return moduletest.DB(t, "testmod", fstest.MapFS{"001_boards.sql": {Data: []byte(`CREATE TABLE test_boards (
		key text PRIMARY KEY, guild_id bigint NOT NULL, channel_id bigint NOT NULL,
		value bigint NOT NULL DEFAULT 0, gone boolean NOT NULL DEFAULT false);`)}})
}

// renderer renders "key=value" from test_boards.
func renderer(pin bool) projection.Renderer {
	return projection.Renderer{Kind: testKind, Module: "testmod", Pin: pin,
		Render: func(ctx context.Context, idb bun.IDB, key string) (projection.Rendered, error) {
			var b struct {
				GuildID, ChannelID int64
				Value              int64
				Gone               bool
			}
			err := idb.NewRaw(`SELECT guild_id, channel_id, value, gone FROM test_boards WHERE key = ?`, key).
				Scan(ctx, &b.GuildID, &b.ChannelID, &b.Value, &b.Gone)
			if err != nil {
				return projection.Rendered{}, err
			}
			return projection.Rendered{GuildID: snowflake.ID(b.GuildID), ChannelID: snowflake.ID(b.ChannelID),
				Gone: b.Gone, Message: discord.MessageCreate{Content: render(key, b.Value)}}, nil
		}}
}

func render(key string, v int64) string { return fmt.Sprintf("%s=%d", key, v) }

// node is one bot process: a Service and its queue.
type node struct {
	svc *projection.Service
	q   *queue.Runner
}

type gateFunc func(module string, guild uint64) bool

func (g gateFunc) ModuleEnabled(_ context.Context, module string, guild uint64) (bool, error) {
	return g(module, guild), nil
}

func newNode(t testing.TB, d *db.DB, r rest.Rest, opts projection.Options, gate projection.Gate, pin bool) *node {
	t.Helper()
	return startNode(t, d, r, opts, gate, pin, true)
}

// startNode starts a Service and its queue; testMode shortens River's polling.
func startNode(t testing.TB, d *db.DB, r rest.Rest, opts projection.Options, gate projection.Gate, pin, testMode bool) *node {
	t.Helper()
	svc, err := projection.New(projection.Config{DB: d, Discord: r, Renderers: []projection.Renderer{renderer(pin)},
		Gate: gate, Logger: quiet, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	q := moduletest.StartRunner(t, queue.Options{DB: d, Jobs: projection.Jobs(svc), Logger: quiet, Test: testMode,
		MaxWorkers: benchWorkers, SoftStopTimeout: time.Second, TickEvery: time.Hour})
	return &node{svc: svc, q: q}
}

// board creates a dashboard row (without requesting it).
func board(t testing.TB, d *db.DB, key string, guild, ch snowflake.ID) {
	t.Helper()
	if _, err := d.Pool.Exec(context.Background(), `INSERT INTO test_boards (key, guild_id, channel_id) VALUES ($1, $2, $3)`,
		key, int64(guild), int64(ch)); err != nil {
		t.Fatal(err)
	}
}

// change runs one business transaction: set fields, then Request.
func change(t testing.TB, d *db.DB, svc *projection.Service, key, set string, args ...any) {
	t.Helper()
	err := d.InTx(context.Background(), func(ctx context.Context, tx bun.Tx) error {
		if set != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE test_boards SET `+set+` WHERE key = ?`, append(args, key)...); err != nil {
				return err
			}
		}
		return svc.Request(ctx, tx, testKind, key)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func bump(t testing.TB, d *db.DB, svc *projection.Service, key string) {
	change(t, d, svc, key, "value = value + 1")
}

func state(t testing.TB, d *db.DB, key string) projection.State {
	t.Helper()
	ls, err := projection.List(context.Background(), d, projection.Filter{Kind: testKind, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 {
		t.Fatalf("List(%s) returned %d rows", key, len(ls))
	}
	return ls[0]
}

// patchTimes returns when the emulator accepted edits in a channel.
func patchTimes(w *world, ch snowflake.ID) []time.Time {
	var out []time.Time
	for _, r := range w.sim.Requests() {
		if r.Method == "PATCH" && strings.Contains(r.Path, "/channels/"+ch.String()+"/messages/") && r.Status < 300 {
			out = append(out, r.Time)
		}
	}
	return out
}

// maxInWindow is the largest number of times within any window of length d.
func maxInWindow(ts []time.Time, d time.Duration) int {
	best := 0
	for i := range ts {
		n := 0
		for j := i; j < len(ts) && ts[j].Sub(ts[i]) < d; j++ {
			n++
		}
		best = max(best, n)
	}
	return best
}

func snowflakeOf(s interface{ String() string }) snowflake.ID { return snowflake.MustParse(s.String()) }

// benchWorkers is River's MaxWorkers per process (PROJECTION_BENCH_WORKERS,
// default 20). Workers sleep until their send slot, so the paced budget
// needs about GlobalPerSecond × 0.4 s of them.
var benchWorkers = func() int {
	if n, err := strconv.Atoi(os.Getenv("PROJECTION_BENCH_WORKERS")); err == nil && n > 0 {
		return n
	}
	return 20
}()
