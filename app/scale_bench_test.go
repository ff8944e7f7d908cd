//go:build scalebench

// The scale benchmark (`make bench-scale`, docs/benchmarks.md): the real
// binary as a child process against a generated world in the emulator, at
// several guild counts. It is behind the scalebench build tag because one
// run takes half an hour; `make test` and `make bench` never build it.
//
//	SCALE_APP      the bot binary (make bench-scale builds bin/app)
//	SCALE_SIZES    guild counts, default 100,1000,10000
//	SCALE_MEMBERS  members per guild, default 50
//	SCALE_IDLE     idle window, default 5m (shorter only for trial runs)
//	SCALE_IDLE_SMALL  idle window of every size but the largest, default SCALE_IDLE
//	SCALE_REPORT   file the markdown tables are appended to
//	SCALE_PASSES   the passes to run, default all (e.g. oracle.publish_due for the ACK alone)
//	SCALE_STATEMENTS  set: log each pass's statements by calls (where its queries go)
//
// Postgres needs pg_stat_statements loaded (make bench-scale sees to it):
// queries are the bot's statements counted there, the harness's own ones
// (as role scale_observer) left out.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/discordsim"
)

// scaleSchedules are every schedule the binary registers. The harness turns
// them off before the bot starts so that each pass runs when it says, and
// fails when the bot registers one it does not know (the list must stay true).
var scaleSchedules = []string{"core.sweep", "duel.sweep", "hall.tick", "oracle.publish_due", "pairhome.reconcile",
	"pairhome.sections", "projection.recheck", "publicpost.sweep", "raid.step"}

// scalePasses is the order passes run in: the ones that create dashboards
// first, so the later ones see a settled world.
var scalePasses = []string{"hall.tick", "oracle.publish_due", "raid.step", "pairhome.sections", "pairhome.reconcile",
	"duel.sweep", "publicpost.sweep", "projection.recheck", "core.sweep"}

// batchedPasses cap the guilds one run looks at (hall's tickBatch,
// pairhome's sectionsBatch): their pass "with work" is every run until one
// finds nothing due, so the idle window that follows measures an idle world.
var batchedPasses = map[string]bool{"hall.tick": true, "pairhome.sections": true}

// nothingDueQueries is the most a run with nothing due costs: River's own
// polling during the pass's 1.3 s window (~15 queries at every size).
const nothingDueQueries = 100

const observerRole = "scale_observer"

type passCost struct {
	name    string
	runs    int
	wall    time.Duration
	queries int64
	rest    int
}

// add folds a further run of the same pass into c.
func (c *passCost) add(o passCost) {
	c.runs += o.runs
	c.wall += o.wall
	c.queries += o.queries
	c.rest += o.rest
}

type sizeResult struct {
	guilds, shards        int
	ready, processed      time.Duration
	emulatorCPU           time.Duration
	rssReady, heapReady   float64 // MB
	rssIdle, heapIdle     float64
	idleCPU               float64 // % of one core
	idleQueriesPerMin     float64
	idleRESTPerMin        float64
	idleMinutes           float64
	first, second         []passCost
	ackP50, ackP99, ackMx time.Duration
	acks                  int
	// probeQueries is what one probe costs in queries, measured in a
	// settled world before the oracle pass and left out of the pass's cost.
	probeQueries float64
	// botAcks is the bot's own ACK histogram over the oracle pass: how
	// long it took from receiving each probe to answering it, without the
	// emulator's share (its dispatch queue and its lock, on the same cores).
	botAcks ackHistogram
}

// passIndex is where the pass called name stands in r.first and r.second,
// or -1 when the run left it out (SCALE_PASSES).
func (r sizeResult) passIndex(name string) int {
	return slices.IndexFunc(r.first, func(c passCost) bool { return c.name == name })
}

func TestScale(t *testing.T) {
	app := os.Getenv("SCALE_APP")
	base := os.Getenv("DATABASE_URL")
	if app == "" || base == "" {
		t.Fatal("SCALE_APP and DATABASE_URL are required (run make bench-scale)")
	}
	sizes := []int{100, 1000, 10000}
	if v := os.Getenv("SCALE_SIZES"); v != "" {
		sizes = nil
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 {
				t.Fatalf("SCALE_SIZES: bad size %q", s)
			}
			sizes = append(sizes, n)
		}
	}
	members := envInt(t, "SCALE_MEMBERS", 50)
	idle := 5 * time.Minute
	if v := os.Getenv("SCALE_IDLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SCALE_IDLE: %v", err)
		}
		idle = d
	}
	idleSmall := idle
	if v := os.Getenv("SCALE_IDLE_SMALL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SCALE_IDLE_SMALL: %v", err)
		}
		idleSmall = d
	}
	passes := scalePasses
	if v := os.Getenv("SCALE_PASSES"); v != "" {
		passes = strings.Split(v, ",")
		for _, p := range passes {
			if !slices.Contains(scalePasses, p) {
				t.Fatalf("SCALE_PASSES: unknown pass %q (known: %s)", p, strings.Join(scalePasses, ","))
			}
		}
	}
	var results []sizeResult
	for i, n := range sizes {
		window := idle
		if i < len(sizes)-1 {
			window = idleSmall
		}
		r := runScale(t, app, base, n, members, window, passes)
		results = append(results, r)
		out := report(results)
		t.Log("\n" + out)
		// Rewritten after each size, so a long run's first sizes survive a later failure.
		if f := os.Getenv("SCALE_REPORT"); f != "" {
			if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 2 {
		t.Fatalf("%s: bad value %q", name, v)
	}
	return n
}

type scaleRun struct {
	t        *testing.T
	ctx      context.Context
	obsDB    *db.DB        // as observerRole: not counted
	obs      *pgxpool.Pool // obsDB.Pool
	dbName   string
	sim      *discordsim.Server
	guilds   []discordsim.SeededGuild
	pid      int
	httpBase string
}

func runScale(t *testing.T, app, base string, guilds, members int, idle time.Duration, passes []string) sizeResult {
	ctx := context.Background()
	res := sizeResult{guilds: guilds, shards: RecommendedShards(guilds)}
	r := &scaleRun{t: t, ctx: ctx, dbName: fmt.Sprintf("together_scale_%d", guilds)}
	botURL := r.freshDatabase(base)
	defer r.obsDB.Close()
	migrate := exec.Command(app, "migrate")
	migrate.Env = append(os.Environ(), "DATABASE_URL="+botURL, "LOG_LEVEL=warn")
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}

	// The world: guilds, their configured channels, a tenth of the members paired.
	sim, err := discordsim.New(discordsim.Options{ShardCount: res.shards, Logger: slog.New(slog.DiscardHandler), RequestLogSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(""); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	r.sim = sim
	if r.guilds, err = sim.SeedWorld(discordsim.WorldSpec{Guilds: guilds, MembersPerGuild: members, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	r.seedDatabase(members / 10 / 2)
	r.disableSchedules()

	// The bot.
	port := freePort(t)
	r.httpBase = "http://127.0.0.1:" + strconv.Itoa(port)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "bot.log"))
	if err != nil {
		t.Fatal(err)
	}
	cpuBefore := selfCPU(t)
	start := time.Now()
	bot := exec.Command(app, "run")
	bot.Env = append(os.Environ(), "DATABASE_URL="+botURL, "DISCORD_TOKEN="+sim.Token(), "DISCORD_API_URL="+sim.APIURL(),
		"SHARD_COUNT="+strconv.Itoa(res.shards), "HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port), "LOG_LEVEL=warn", "LOG_FORMAT=json",
		"DEFAULT_TIMEZONE="+publishedZone(time.Now()))
	bot.Stdout, bot.Stderr = io.Discard, logFile
	if err := bot.Start(); err != nil {
		t.Fatal(err)
	}
	r.pid = bot.Process.Pid
	defer func() {
		_ = bot.Process.Signal(syscall.SIGTERM)
		_ = bot.Wait()
		_ = logFile.Close()
		if t.Failed() {
			tail, _ := os.ReadFile(logFile.Name())
			t.Logf("bot log (last 4 KiB):\n%s", tail[max(0, len(tail)-4096):])
		}
	}()
	r.waitFor(5*time.Minute, "all shards ready", func() bool { return r.healthReady() })
	res.ready = time.Since(start)
	r.waitProcessed()
	res.processed = time.Since(start)
	res.emulatorCPU = selfCPU(t) - cpuBefore
	r.checkSchedules()
	res.rssReady, res.heapReady = r.memory()
	t.Logf("%d guilds: ready %s, all guilds processed %s, RSS %.0f MB, heap %.0f MB", guilds, res.ready, res.processed, res.rssReady, res.heapReady)

	// One pass of each periodic job with work due, then again with none.
	for _, name := range passes {
		var stop func() []time.Duration
		var botBefore ackHistogram
		if name == "oracle.publish_due" {
			res.probeQueries = r.probeCost()
			botBefore = r.botAcks()
			stop = r.probeAcks()
		}
		var stmts map[string]int64
		if os.Getenv("SCALE_STATEMENTS") != "" {
			stmts = r.statements()
		}
		cost := r.pass(name)
		for batchedPasses[name] && cost.runs < 20 {
			next := r.pass(name)
			if next.queries < nothingDueQueries && next.rest == 0 {
				break
			}
			cost.add(next)
		}
		if stop != nil {
			acks := stop()
			res.acks = len(acks)
			res.ackP50, res.ackP99, res.ackMx = percentile(acks, 0.50), percentile(acks, 0.99), percentile(acks, 1)
			res.botAcks = r.botAcks().since(botBefore)
			// The pass's own cost: the probe's answers and their queries
			// out, or the pass would grow with its wall time (10/s of them).
			cost.rest -= len(acks)
			cost.queries -= int64(res.probeQueries * float64(len(acks)))
		}
		res.first = append(res.first, cost)
		if stmts != nil {
			r.logStatements(name, stmts)
		}
		t.Logf("%d guilds: first %s: %+v", guilds, name, res.first[len(res.first)-1])
	}
	for _, name := range passes {
		res.second = append(res.second, r.pass(name))
	}

	// Idle: every schedule on, nothing due.
	r.exec(`UPDATE core_schedules SET enabled = true`)
	r.waitDrained(10 * time.Minute)
	time.Sleep(30 * time.Second)
	q0, c0, rest0 := r.queries(), r.cpu(), sim.Stats().Requests
	began := time.Now()
	time.Sleep(idle)
	elapsed := time.Since(began)
	q1, c1, rest1 := r.queries(), r.cpu(), sim.Stats().Requests
	res.idleMinutes = elapsed.Minutes()
	res.idleQueriesPerMin = float64(q1-q0) / elapsed.Minutes()
	res.idleRESTPerMin = float64(rest1-rest0) / elapsed.Minutes()
	res.idleCPU = 100 * (c1 - c0).Seconds() / elapsed.Seconds()
	res.rssIdle, res.heapIdle = r.memory()
	return res
}

// freshDatabase (re)creates the run's database with pg_stat_statements and
// the observer role, and returns the bot's URL for it.
func (r *scaleRun) freshDatabase(base string) string {
	t := r.t
	admin, err := pgx.Connect(r.ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(r.ctx)
	for _, q := range []string{
		`DROP DATABASE IF EXISTS ` + r.dbName + ` WITH (FORCE)`,
		`CREATE DATABASE ` + r.dbName,
		`DO $$ BEGIN CREATE ROLE ` + observerRole + ` LOGIN SUPERUSER; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
	} {
		if _, err := admin.Exec(r.ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + r.dbName
	botURL := u.String()
	u.User = url.User(observerRole)
	if r.obsDB, err = db.Open(r.ctx, u.String(), db.Options{MaxConns: 4}); err != nil {
		t.Fatal(err)
	}
	r.obs = r.obsDB.Pool
	if _, err := r.obs.Exec(r.ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		t.Fatalf("pg_stat_statements: %v", err)
	}
	if _, err := r.obs.Exec(r.ctx, `SELECT pg_stat_statements_reset()`); err != nil {
		t.Fatalf("pg_stat_statements is not loaded (shared_preload_libraries): %v", err)
	}
	return botURL
}

// seedDatabase configures every guild as its staff would: the hall, oracle
// and raid channels and the pair rooms' category, and pairsPerGuild pairs
// with their rooms (channels created in the emulator, as the bot would have).
func (r *scaleRun) seedDatabase(pairsPerGuild int) {
	var gids, chans []int64
	var mods, purposes []string
	add := func(g, ch, module, purpose string) {
		gids = append(gids, sqlID(r.t, g))
		chans = append(chans, sqlID(r.t, ch))
		mods = append(mods, module)
		purposes = append(purposes, purpose)
	}
	var pg, plow, phigh, pch []int64
	var pname []string
	for _, g := range r.guilds {
		add(g.GuildID, g.ChannelIDs["hall"], "hall", "channel")
		add(g.GuildID, g.ChannelIDs["oracle"], "oracle", "channel")
		add(g.GuildID, g.ChannelIDs["raid"], "raid", "channel")
		add(g.GuildID, g.CategoryID, "pairhome", "category")
		for i := range pairsPerGuild {
			a, b := sqlID(r.t, g.MemberIDs[2*i]), sqlID(r.t, g.MemberIDs[2*i+1])
			name := fmt.Sprintf("pair-%d", i+1)
			room, err := r.sim.CreateChannel(g.GuildID, discordsim.ChannelSpec{Name: name, Type: discordsim.ChannelGuildText, ParentID: g.CategoryID})
			if err != nil {
				r.t.Fatal(err)
			}
			pg, plow, phigh, pch, pname = append(pg, sqlID(r.t, g.GuildID)), append(plow, min(a, b)), append(phigh, max(a, b)),
				append(pch, sqlID(r.t, room)), append(pname, name)
		}
	}
	r.exec(`INSERT INTO core_guild_channels (guild_id, module, purpose, channel_id)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[])`, gids, mods, purposes, chans)
	r.exec(`WITH p AS (
			INSERT INTO pairhome_pairs (guild_id, user_low, user_high, room_state, channel_id, room_name)
			SELECT g, lo, hi, 'ready', ch, n FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) AS u(g, lo, hi, ch, n)
			RETURNING id, guild_id, user_low, user_high)
		INSERT INTO pairhome_members (guild_id, user_id, pair_id)
		SELECT guild_id, user_low, id FROM p UNION ALL SELECT guild_id, user_high, id FROM p`, pg, plow, phigh, pch, pname)
}

// disableSchedules records every schedule switched off before the bot
// starts; the bot's sync keeps the switch and fills in the rest.
func (r *scaleRun) disableSchedules() {
	r.exec(`INSERT INTO core_schedules (name, module, kind, spec, enabled, next_run_at)
		SELECT n, 'pending', 'pending', 'pending', false, now() FROM unnest($1::text[]) n`, scaleSchedules)
}

func (r *scaleRun) checkSchedules() {
	rows, err := r.obs.Query(r.ctx, `SELECT name FROM core_schedules WHERE enabled OR kind = 'pending' ORDER BY name`)
	if err != nil {
		r.t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		r.t.Fatal(err)
	}
	if len(names) > 0 {
		r.t.Fatalf("schedules unknown to the benchmark or not registered by the bot: %v (update scaleSchedules)", names)
	}
}

func (r *scaleRun) exec(q string, args ...any) {
	if _, err := r.obs.Exec(r.ctx, q, args...); err != nil {
		r.t.Fatalf("%s: %v", q, err)
	}
}

func (r *scaleRun) healthReady() bool {
	resp, err := http.Get(r.httpBase + "/healthz")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var h struct {
		Discord string `json:"discord"`
	}
	return json.NewDecoder(resp.Body).Decode(&h) == nil && h.Discord == "ready"
}

// waitProcessed waits until the bot has read every GUILD_CREATE: it answers
// a command in the last guild of each shard, and the gateway delivers that
// interaction after the shard's GUILD_CREATEs, which disgo handles in order.
func (r *scaleRun) waitProcessed() {
	shards := RecommendedShards(len(r.guilds))
	last := map[int]discordsim.SeededGuild{}
	for _, g := range r.guilds {
		id, _ := strconv.ParseUint(g.GuildID, 10, 64)
		last[int((id>>22)%uint64(shards))] = g
	}
	var wg sync.WaitGroup
	for _, g := range last {
		wg.Go(func() {
			r.waitFor(5*time.Minute, "guild "+g.GuildID+" answers", func() bool {
				res, err := r.interact(g)
				return err == nil && !res.Failed
			})
		})
	}
	wg.Wait()
}

func (r *scaleRun) interact(g discordsim.SeededGuild) (discordsim.InteractionResult, error) {
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	return r.sim.Interact(ctx, discordsim.InteractionSpec{Type: discordsim.InteractKindCommand, GuildID: g.GuildID,
		ChannelID: g.ChannelIDs["general"], UserID: g.StaffID, Command: "config show"})
}

// probeAcks sends a command every 100 ms in a random guild until stopped and
// returns the bot's ACK times as the emulator measured them.
func (r *scaleRun) probeAcks() func() []time.Duration {
	done := make(chan struct{})
	var mu sync.Mutex
	var acks []time.Duration
	var wg sync.WaitGroup
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(1, 2))
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			res, err := r.interact(r.guilds[rng.IntN(len(r.guilds))])
			if err != nil || res.Failed {
				r.t.Logf("probe interaction failed: %v", err)
				continue
			}
			mu.Lock()
			acks = append(acks, time.Duration(res.AckMS)*time.Millisecond)
			mu.Unlock()
		}
	})
	return func() []time.Duration {
		close(done)
		wg.Wait()
		return acks
	}
}

// probeCost measures the queries one ACK probe costs: ten seconds with
// nothing running, then ten seconds of probes, the difference per probe.
func (r *scaleRun) probeCost() float64 {
	r.waitDrained(30 * time.Minute)
	window := 10 * time.Second
	q0 := r.queries()
	time.Sleep(window)
	background := float64(r.queries() - q0)
	q1 := r.queries()
	stop := r.probeAcks()
	time.Sleep(window)
	acks := stop()
	withProbes := float64(r.queries() - q1)
	if len(acks) == 0 {
		r.t.Fatal("probe cost: no probe was answered")
	}
	return max(0, withProbes-background) / float64(len(acks))
}

// pass runs one schedule's job by hand and waits until everything it caused
// (follow-up jobs, dashboard sends) is done.
func (r *scaleRun) pass(name string) passCost {
	var module, kind string
	var args []byte
	if err := r.obs.QueryRow(r.ctx, `SELECT module, kind, args FROM core_schedules WHERE name = $1`, name).Scan(&module, &kind, &args); err != nil {
		r.t.Fatalf("schedule %s: %v", name, err)
	}
	q, err := queue.NewQueue(r.obsDB, slog.New(slog.DiscardHandler))
	if err != nil {
		r.t.Fatal(err)
	}
	r.waitDrained(30 * time.Minute)
	q0, rest0, began := r.queries(), r.sim.Stats().Requests, time.Now()
	if _, err := q.Insert(r.ctx, queue.RawArgs(kind, args), &river.InsertOpts{Queue: module}); err != nil {
		r.t.Fatalf("enqueue %s: %v", name, err)
	}
	time.Sleep(time.Second) // the job is visible before the drain check
	r.waitDrained(60 * time.Minute)
	return passCost{name: name, runs: 1, wall: time.Since(began), queries: r.queries() - q0, rest: r.sim.Stats().Requests - rest0}
}

// waitDrained waits until no job is queued or running (scheduled ones only
// when due within 30 s) and no dashboard is behind, twice in a row.
func (r *scaleRun) waitDrained(limit time.Duration) {
	zero := 0
	r.waitFor(limit, "queue and dashboards drained", func() bool {
		var n int64
		err := r.obs.QueryRow(r.ctx, `SELECT
			(SELECT count(*) FROM river_job WHERE state IN ('available', 'running', 'retryable')
			   OR (state = 'scheduled' AND scheduled_at < now() + interval '30 seconds'))
			+ (SELECT count(*) FROM core_projections WHERE version > done_version AND state <> 'broken')`).Scan(&n)
		if err != nil || n > 0 {
			zero = 0
			return false
		}
		zero++
		return zero >= 2
	})
}

func (r *scaleRun) waitFor(limit time.Duration, what string, ok func() bool) {
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// queries counts the statements the bot ran (everyone but the observer).
// statements is the bot's statement counts by text (pg_stat_statements),
// for SCALE_STATEMENTS: which statements a pass's queries are.
func (r *scaleRun) statements() map[string]int64 {
	rows, err := r.obs.Query(r.ctx, `SELECT left(regexp_replace(s.query, '\s+', ' ', 'g'), 160), sum(s.calls)::bigint FROM pg_stat_statements s
		JOIN pg_database d ON d.oid = s.dbid JOIN pg_roles u ON u.oid = s.userid
		WHERE d.datname = $1 AND u.rolname <> $2 GROUP BY 1`, r.dbName, observerRole)
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]int64{}
	for rows.Next() {
		var q string
		var n int64
		if err := rows.Scan(&q, &n); err != nil {
			r.t.Fatal(err)
		}
		out[q] += n
	}
	if err := rows.Err(); err != nil {
		r.t.Fatal(err)
	}
	return out
}

// logStatements logs the statements run since before, most calls first,
// per guild: set SCALE_STATEMENTS=1 to see where a pass's queries go.
func (r *scaleRun) logStatements(pass string, before map[string]int64) {
	type row struct {
		q string
		n int64
	}
	var rows []row
	for q, n := range r.statements() {
		if d := n - before[q]; d > 0 {
			rows = append(rows, row{q, d})
		}
	}
	slices.SortFunc(rows, func(a, b row) int { return int(b.n - a.n) })
	var b strings.Builder
	for _, x := range rows[:min(len(rows), 25)] {
		fmt.Fprintf(&b, "\n%9d %7.2f/guild  %s", x.n, float64(x.n)/float64(len(r.guilds)), x.q)
	}
	r.t.Logf("%d guilds: %s statements:%s", len(r.guilds), pass, b.String())
}

func (r *scaleRun) queries() int64 {
	var n int64
	err := r.obs.QueryRow(r.ctx, `SELECT coalesce(sum(s.calls), 0)::bigint FROM pg_stat_statements s
		JOIN pg_database d ON d.oid = s.dbid JOIN pg_roles u ON u.oid = s.userid
		WHERE d.datname = $1 AND u.rolname <> $2`, r.dbName, observerRole).Scan(&n)
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// cpu is the bot's user+system CPU time.
func (r *scaleRun) cpu() time.Duration { return procCPU(r.t, strconv.Itoa(r.pid)) }

func selfCPU(t *testing.T) time.Duration { return procCPU(t, "self") }

func procCPU(t *testing.T, pid string) time.Duration {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name (which may hold spaces): utime is 14th, stime 15th overall.
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

// memory is the bot's RSS (from /proc) and Go heap in use (from /metrics), in MB.
func (r *scaleRun) memory() (rss, heap float64) {
	f, err := os.Open("/proc/" + strconv.Itoa(r.pid) + "/status")
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			rss = kb / 1024
		}
	}
	for _, line := range r.metrics() {
		if v, ok := strings.CutPrefix(line, "go_memstats_heap_alloc_bytes "); ok {
			b, _ := strconv.ParseFloat(v, 64)
			heap = b / (1 << 20)
		}
	}
	return rss, heap
}

// metrics is the bot's /metrics page, line by line.
func (r *scaleRun) metrics() []string {
	resp, err := http.Get(r.httpBase + "/metrics")
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		r.t.Fatal(err)
	}
	return lines
}

// ackHistogram is together_interaction_ack_seconds summed over its labels:
// cumulative counts by upper bound (seconds; +Inf as math.Inf).
type ackHistogram map[float64]float64

// botAcks reads the bot's ACK histogram.
func (r *scaleRun) botAcks() ackHistogram {
	h := ackHistogram{}
	for _, line := range r.metrics() {
		rest, ok := strings.CutPrefix(line, "together_interaction_ack_seconds_bucket{")
		if !ok {
			continue
		}
		// le is the last label; "module" ends in le=" too.
		at := strings.LastIndex(rest, `,le="`)
		bound, count, ok := strings.Cut(rest[at+len(`,le="`):], `"} `)
		if at < 0 || !ok {
			r.t.Fatalf("metrics: bad bucket line %q", line)
		}
		ub, err1 := strconv.ParseFloat(bound, 64) // "+Inf" parses as +Inf
		n, err2 := strconv.ParseFloat(count, 64)
		if err1 != nil || err2 != nil {
			r.t.Fatalf("metrics: bad bucket line %q", line)
		}
		h[ub] += n
	}
	return h
}

// since is h minus an earlier reading.
func (h ackHistogram) since(before ackHistogram) ackHistogram {
	d := ackHistogram{}
	for ub, n := range h {
		d[ub] = n - before[ub]
	}
	return d
}

// String is "share answered within 50 ms, the bucket holding p99 (n)".
func (h ackHistogram) String() string {
	bounds := slices.Sorted(maps.Keys(h))
	if len(bounds) == 0 {
		return "n/a"
	}
	total := h[bounds[len(bounds)-1]]
	if total == 0 {
		return "n/a"
	}
	p99 := "> 5 s"
	for _, ub := range bounds {
		if h[ub] >= 0.99*total {
			p99 = fmt.Sprintf("≤ %g ms", ub*1000)
			break
		}
	}
	return fmt.Sprintf("%.1f%% ≤ 50 ms, p99 %s (%.0f)", 100*h[0.05]/total, p99, total)
}

func sqlID(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("id %q: %v", s, err)
	}
	return n
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// report renders the results as docs/benchmarks.md's tables.
func report(rs []sizeResult) string {
	var b strings.Builder
	fmt.Fprintln(&b, "| guilds | shards | all shards ready | all guilds processed | emulator CPU during start | RSS / heap after ready | RSS / heap after idle | idle CPU | idle queries/min | idle REST/min | ACK p50 / p99 / max during oracle pass (n) | the bot's own ACK time in that pass |")
	fmt.Fprintln(&b, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %d | %d | %.1f s | %.1f s | %.1f s | %.0f / %.0f MB | %.0f / %.0f MB | %.2f%% | %.0f | %.1f | %s / %s / %s (%d) | %s |\n",
			r.guilds, r.shards, r.ready.Seconds(), r.processed.Seconds(), r.emulatorCPU.Seconds(), r.rssReady, r.heapReady,
			r.rssIdle, r.heapIdle, r.idleCPU, r.idleQueriesPerMin, r.idleRESTPerMin,
			r.ackP50.Round(time.Millisecond), r.ackP99.Round(time.Millisecond), r.ackMx.Round(time.Millisecond), r.acks, r.botAcks)
	}
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "| pass | guilds | with work: runs / wall / queries / REST | nothing due: wall / queries / REST |")
	fmt.Fprintln(&b, "|---|---|---|---|")
	for _, name := range scalePasses {
		for _, r := range rs {
			i := r.passIndex(name)
			if i < 0 {
				continue
			}
			f, s := r.first[i], r.second[i]
			fmt.Fprintf(&b, "| %s | %d | %d / %.1f s / %d / %d | %.1f s / %d / %d |\n", f.name, r.guilds,
				f.runs, f.wall.Seconds(), f.queries, f.rest, s.wall.Seconds(), s.queries, s.rest)
		}
	}
	for _, r := range rs {
		if r.acks > 0 {
			fmt.Fprintf(&b, "\noracle.publish_due at %d guilds leaves out the ACK probe: %d answers and ~%.1f queries each (measured before the pass).\n",
				r.guilds, r.acks, r.probeQueries)
		}
	}
	if len(rs) >= 2 {
		a, z := rs[len(rs)-2], rs[len(rs)-1]
		ratio := func(x, y float64) string {
			if x == 0 {
				return "n/a"
			}
			return fmt.Sprintf("%.1f×", y/x)
		}
		fmt.Fprintf(&b, "\nGrowth %d → %d guilds (%.0f×): RSS after ready %s, heap after ready %s, idle queries/min %s, idle CPU %s",
			a.guilds, z.guilds, float64(z.guilds)/float64(a.guilds), ratio(a.rssReady, z.rssReady), ratio(a.heapReady, z.heapReady),
			ratio(a.idleQueriesPerMin, z.idleQueriesPerMin), ratio(a.idleCPU, z.idleCPU))
		for _, name := range scalePasses {
			i, j := a.passIndex(name), z.passIndex(name)
			if i >= 0 && j >= 0 {
				fmt.Fprintf(&b, "; %s queries %s (nothing due %s)", name, ratio(float64(a.first[i].queries), float64(z.first[j].queries)),
					ratio(float64(a.second[i].queries), float64(z.second[j].queries)))
			}
		}
		fmt.Fprintln(&b)
	}
	return b.String()
}
