package main

// The scale-out drill (issue #16): three identical `app run` processes
// with SHARD_COUNT=4 divide the shards through leases in Postgres and run
// duel prompts and Pair Home panels for many pairs, scheduled posts and
// duel scoreboards together at full load through the one REST budget; then
// one is killed with SIGKILL and its shards are served again by the
// others; it is started again and the shards rebalance. The same scenario
// runs twice: interactions over the gateway, and interactions POSTed by
// the emulator, signed, to the three replicas behind a round-robin
// balancer. The emulator records a violation whenever a shard has two
// connected sessions at once, and refuses identifies that come sooner than
// max_concurrency allows: the drill ends with neither, with 0 × 429, every
// interaction answered exactly once, every prompt and post delivered once
// and every dashboard showing its final state. Speeds (time to serve the
// shards again, the budget's achieved rate) are logged, and reported by
// BenchmarkShardLeaseDrill.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/logging/logtest"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/publicpost"
)

const drillShards = 4

// drillTransport is how the emulator delivers interactions to the bot.
type drillTransport int

const (
	overGateway drillTransport = iota
	// overHTTP: every replica serves INTERACTIONS_ADDR and the emulator's
	// interactions endpoint is a round-robin balancer in front of them.
	overHTTP
)

// drillLoad sizes the full-load phase, per guild (one guild per shard).
type drillLoad struct {
	pairs           int // pair rooms: one duel prompt and one Pair Home panel each
	answering       int // of them, pairs that answer (button, then modal) while the load drains
	postChannels    int // channels receiving scheduled posts
	postsPerChannel int
}

// fullLoad is about 800 REST requests Discord counts against its global
// limit: some 17 s of backlog for a 46/s budget. Five posts per channel:
// Discord's 5 per 5 s per channel never holds one back, so only the global
// budget (and the processes' speed) paces the load.
var fullLoad = drillLoad{pairs: 30, answering: 10, postChannels: 20, postsPerChannel: 5}

// halfLoad is the HTTP variant's: it runs beside the gateway one on CI's
// two cores, and what it adds is the transport, not more load.
var halfLoad = drillLoad{pairs: 15, answering: 5, postChannels: 10, postsPerChannel: 5}

// drillFigures are the speeds the drill measures (reported, not asserted).
type drillFigures struct {
	served    time.Duration // from the third process's start until every shard is served
	load      loadFigures
	recovery  time.Duration // from the kill -9 until every shard is served again
	rebalance time.Duration // from the restart until the shards are balanced again
	asked     int           // interactions answered
	ackP50    time.Duration // answer times (the emulator's ack_ms)
	ackP99    time.Duration
	ackMax    time.Duration
}

type loadFigures struct {
	requests int           // REST requests of the load Discord accepted (interaction answers excluded)
	drained  time.Duration // from the load's start to its last accepted request
	window   time.Duration // the backlogged window the rate is measured over
	rate     float64       // accepted requests per second in that window
}

// leaseProc is one bot process of the lease drill.
type leaseProc struct {
	name         string
	addr         string // HTTP_ADDR
	interactions string // INTERACTIONS_ADDR (overHTTP)
	log          *logtest.Buffer
	cmd          *exec.Cmd
	done         chan struct{}
}

// drillGuild is the drill's guild on one shard and what the load puts in it.
type drillGuild struct {
	discordsim.DemoGuild
	shard        int
	pairs        []drillPair
	postChannels []string
}

type drillPair struct {
	id      int64
	room    string
	members [2]string
	answers bool // answers during the load
}

type leaseDrill struct {
	t         testing.TB
	transport drillTransport
	load      drillLoad
	bin       string
	sim       *discordsim.Server
	db        *db.DB // the drill's own reads and writes
	vars      map[string]string
	guilds    [drillShards]*drillGuild
	procs     []*leaseProc
	lb        *balancer // overHTTP

	mu    sync.Mutex
	asked int             // interactions sent and answered
	acks  []time.Duration // how long each took to be answered
}

func newLeaseDrill(t testing.TB, transport drillTransport, load drillLoad) *leaseDrill {
	t.Helper()
	apptest.SkipUnderRace(t)
	d := &leaseDrill{t: t, transport: transport, load: load, bin: crashdrillBinary(t)}
	// The request log keeps every request of the run: the achieved rate is
	// read from it. The emulator waits 30 s for an answer instead of
	// Discord's 3 s: the drill asserts that each interaction is answered
	// once, not how fast (a starved 2-core machine running the whole suite
	// took more than 10 s once); the answer times are logged.
	sim, err := discordsim.New(discordsim.Options{Logger: slog.New(slog.DiscardHandler), ShardCount: drillShards,
		RequestLogSize: 50_000, RequestLogBodyLimit: 64, InteractionDeadline: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(""); err != nil {
		t.Fatal(err)
	}
	d.sim = sim
	// One demo guild on each shard: Discord's shard is (guild_id >> 22) % 4,
	// and the bits from 22 up are the creation millisecond.
	found := 0
	for tries := 0; found < drillShards; tries++ {
		if tries == 400 {
			t.Fatal("no guild landed on one of the shards")
		}
		g, err := sim.SeedDemoGuild()
		if err != nil {
			t.Fatal(err)
		}
		if shard := int((mustID(t, g.GuildID) >> 22) % drillShards); d.guilds[shard] == nil {
			d.guilds[shard] = &drillGuild{DemoGuild: g, shard: shard}
			found++
		}
		time.Sleep(time.Millisecond)
	}
	schema := dbtest.Schema(t)
	d.vars = botVars(t, sim, schema)
	d.vars["SHARD_COUNT"] = fmt.Sprint(drillShards) // SHARD_IDS defaults to auto
	d.vars["MODULES"] = "pairhome,duel,publicpost"
	// Not debug: disgo then logs every request and response body, which
	// costs the starved CI machine more than the drill itself.
	d.vars["LOG_LEVEL"] = "info"
	if transport == overHTTP {
		d.vars["DISCORD_PUBLIC_KEY"] = sim.PublicKey()
		d.lb = &balancer{}
		lb := httptest.NewServer(d.lb)
		t.Cleanup(lb.Close)
		d.lb.url = lb.URL + "/interactions"
	}
	t.Cleanup(func() {
		for _, p := range d.procs {
			d.stop(p)
		}
		_ = sim.Close()
		sim.RequireNoViolations(t) // spec violations and gateway ones: no shard connected twice
		if t.Failed() {
			// The whole logs go to files: a lost interaction is usually
			// far from the end of the log.
			dir, err := os.MkdirTemp("", "together-leasedrill-")
			for _, p := range d.procs {
				if err == nil {
					path := filepath.Join(dir, p.name+".log")
					if os.WriteFile(path, []byte(p.log.String()), 0o644) == nil {
						t.Logf("%s log: %s", p.name, path)
					}
				}
				t.Logf("%s log (end):\n%s", p.name, lastBytes(p.log.String(), 6000))
			}
		}
	})
	if code, out, errOut := invoke(t, context.Background(), d.vars, "migrate"); code != 0 {
		t.Fatalf("app migrate: exit %d\n%s%s", code, out, errOut)
	}
	d.db = dbtest.Open(t, schema)
	d.seedLoad()
	return d
}

// seedLoad gives each guild its pairs with ready rooms (written as
// pairhome's room job leaves them, as the crash drills do) and its post
// channels.
func (d *leaseDrill) seedLoad() {
	t := d.t
	ctx := context.Background()
	for _, g := range d.guilds {
		for i := range d.load.pairs {
			a, err := d.sim.AddMember(g.GuildID, discordsim.MemberSpec{Username: fmt.Sprintf("a%d", i)})
			requireNoErr(t, err)
			b, err := d.sim.AddMember(g.GuildID, discordsim.MemberSpec{Username: fmt.Sprintf("b%d", i)})
			requireNoErr(t, err)
			room, err := d.sim.CreateChannel(g.GuildID, discordsim.ChannelSpec{Name: "pair-room", ParentID: g.CategoryID})
			requireNoErr(t, err)
			lo, hi := min(snowflake.MustParse(a), snowflake.MustParse(b)), max(snowflake.MustParse(a), snowflake.MustParse(b))
			p := drillPair{room: room, members: [2]string{a, b}, answers: i < d.load.answering}
			requireNoErr(t, d.db.Pool.QueryRow(ctx, `INSERT INTO pairhome_pairs (guild_id, user_low, user_high, room_state, channel_id, room_name)
				VALUES ($1, $2, $3, 'ready', $4, 'pair-room') RETURNING id`, int64(mustID(t, g.GuildID)), int64(lo), int64(hi),
				int64(mustID(t, room))).Scan(&p.id))
			_, err = d.db.Pool.Exec(ctx, `INSERT INTO pairhome_members (guild_id, user_id, pair_id) VALUES ($1, $2, $4), ($1, $3, $4)`,
				int64(mustID(t, g.GuildID)), int64(lo), int64(hi), p.id)
			requireNoErr(t, err)
			g.pairs = append(g.pairs, p)
		}
		for i := range d.load.postChannels {
			ch, err := d.sim.CreateChannel(g.GuildID, discordsim.ChannelSpec{Name: fmt.Sprintf("news-%d", i)})
			requireNoErr(t, err)
			g.postChannels = append(g.postChannels, ch)
		}
	}
}

// start runs another identical `app run`.
func (d *leaseDrill) start(name string) *leaseProc {
	d.t.Helper()
	p := &leaseProc{name: name, addr: freeAddr(d.t), log: &logtest.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(d.bin, "run")
	p.cmd.Env = os.Environ()
	for k, v := range d.vars {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Env = append(p.cmd.Env, "HTTP_ADDR="+p.addr)
	if d.transport == overHTTP {
		p.interactions = freeAddr(d.t)
		p.cmd.Env = append(p.cmd.Env, "INTERACTIONS_ADDR="+p.interactions)
	}
	var out io.Writer = p.log
	if os.Getenv("APPTEST_LOG") != "" {
		out = io.MultiWriter(p.log, linePrefixer{w: os.Stderr, prefix: "[" + name + "] "})
	}
	p.cmd.Stdout, p.cmd.Stderr = out, out
	dieWithTest(p.cmd)
	if err := p.cmd.Start(); err != nil {
		d.t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	d.procs = append(d.procs, p)
	return p
}

func (d *leaseDrill) kill(p *leaseProc) {
	d.t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		d.t.Fatalf("kill -9 %s: %v", p.name, err)
	}
	<-p.done
}

func (d *leaseDrill) stop(p *leaseProc) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		d.t.Errorf("%s did not stop within 30 s of SIGTERM", p.name)
	}
}

// held lists the shards a process reports in /healthz (nil when it does
// not answer), and whether it is ready.
func (d *leaseDrill) held(p *leaseProc) ([]int, bool) {
	code, r, _ := getHealth(d.t, p.addr)
	if code == 0 {
		return nil, false
	}
	var ids []int
	for _, s := range r.Shards {
		if !s.Leased {
			d.t.Fatalf("%s reports shard %d as not leased: %+v", p.name, s.ShardID, r.Shards)
		}
		ids = append(ids, s.ShardID)
	}
	return ids, r.Discord == "ready"
}

// connected counts, per shard, the emulator's connected sessions.
func (d *leaseDrill) connected() [drillShards]int {
	var n [drillShards]int
	for _, s := range d.sim.GatewayShards() {
		if s.Connected && s.ShardCount == drillShards {
			n[s.ShardID]++
		}
	}
	return n
}

// waitServed waits until every shard has one connected session, the live
// processes' /healthz lists each shard exactly once, all ready, and the
// shards are balanced: each live process holds at least shards/processes.
// It returns the time from since until then; limit only bounds the wait.
func (d *leaseDrill) waitServed(what string, live []*leaseProc, since time.Time, limit time.Duration) time.Duration {
	d.t.Helper()
	for {
		conn := d.connected()
		all := conn == [drillShards]int{1, 1, 1, 1}
		var holders [drillShards]int
		for _, p := range live {
			ids, ready := d.held(p)
			all = all && ready && len(ids) >= drillShards/len(live)
			for _, id := range ids {
				holders[id]++
			}
		}
		if all && holders == [drillShards]int{1, 1, 1, 1} {
			return time.Since(since)
		}
		if time.Since(since) > limit {
			d.t.Fatalf("%s: not served within %s: sessions per shard %v, holders per shard %v", what, limit, conn, holders)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// interact sends an interaction as a user and fails the drill unless it is
// answered; each answered one is counted.
func (d *leaseDrill) interact(what string, spec discordsim.InteractionSpec) discordsim.InteractionResult {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	res, err := d.sim.Interact(ctx, spec)
	if err != nil || res.Failed {
		d.t.Errorf("%s: failed=%t err=%v", what, res.Failed, err)
		return res
	}
	d.mu.Lock()
	d.asked++
	d.acks = append(d.acks, time.Duration(res.AckMS)*time.Millisecond)
	d.mu.Unlock()
	return res
}

// askEveryShard runs /config show in each shard's guild; each must be
// answered (over the gateway by whichever process holds the shard, over
// HTTP by whichever replica the balancer picks).
func (d *leaseDrill) askEveryShard(round string) {
	d.t.Helper()
	for _, g := range d.guilds {
		d.interact(fmt.Sprintf("%s: /config show on shard %d", round, g.shard), discordsim.InteractionSpec{Type: discordsim.InteractKindCommand,
			GuildID: g.GuildID, ChannelID: g.ChannelIDs["general"], UserID: g.AdminID, Command: "config show"})
	}
	if d.t.Failed() {
		d.t.FailNow()
	}
}

// handled counts the interactions the processes finished: the router
// logs one line for each, handled, refused or failed (a click whose form
// came too late to follow an automatic defer fails in its handler).
func (d *leaseDrill) handled() int {
	n := 0
	for _, p := range d.procs {
		n += len(finishedLine.FindAllStringIndex(p.log.String(), -1))
	}
	return n
}

var finishedLine = regexp.MustCompile(`msg="interaction (handled|refused|failed)`)

func (d *leaseDrill) answered() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.asked
}

func (d *leaseDrill) logHolders(when string) {
	d.t.Helper()
	var parts []string
	for _, p := range d.live() {
		ids, _ := d.held(p)
		parts = append(parts, fmt.Sprintf("%s=%v", p.name, ids))
	}
	d.t.Logf("%s: %s", when, strings.Join(parts, " "))
}

// live are the processes not killed or stopped.
func (d *leaseDrill) live() []*leaseProc {
	var out []*leaseProc
	for _, p := range d.procs {
		select {
		case <-p.done:
		default:
			out = append(out, p)
		}
	}
	return out
}

// route puts the live replicas behind the balancer, as its health checks
// would (overHTTP only).
func (d *leaseDrill) route() {
	if d.lb == nil {
		return
	}
	var targets []string
	for _, p := range d.live() {
		targets = append(targets, "http://"+p.interactions+"/interactions")
	}
	d.lb.set(d.t, targets)
}

// runShardLeaseDrill is the whole scenario; the test and the benchmark
// differ only in what they do with the figures.
func runShardLeaseDrill(t testing.TB, transport drillTransport, load drillLoad) drillFigures {
	d := newLeaseDrill(t, transport, load)
	var f drillFigures
	first := d.start("p1")
	// The first process registers the commands; the others join once it has.
	dbtest.WaitUntil(t, 60*time.Second, "p1 synced commands", func() bool {
		return strings.Contains(first.log.String(), "commands synced")
	})
	d.start("p2")
	d.start("p3")
	f.served = d.waitServed("three processes", d.procs, time.Now(), 75*time.Second)
	d.logHolders(fmt.Sprintf("served %s after the others joined", f.served.Round(100*time.Millisecond)))
	if transport == overHTTP {
		d.route()
		// Discord's endpoint check: a signed PING and a forged one, each
		// answered by whichever replica the balancer picks.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := d.sim.SetInteractionsEndpoint(ctx, d.lb.url)
		cancel()
		if err != nil {
			t.Fatalf("set the interactions endpoint to the balancer: %v", err)
		}
	}
	d.askEveryShard("three processes")
	f.load = d.runFullLoad()

	// Kill the process holding the most shards, once each answer is in the
	// logs (the line follows the answer).
	dbtest.WaitUntil(t, 10*time.Second, "answers logged", func() bool { return d.handled() >= d.answered() })
	victim, most := d.procs[0], -1
	for _, p := range d.procs {
		if ids, _ := d.held(p); len(ids) > most {
			victim, most = p, len(ids)
		}
	}
	victimShards, _ := d.held(victim)
	d.kill(victim)
	killedAt := time.Now()
	survivors := d.live()
	if transport == overHTTP {
		// Any replica answers any interaction: the guilds whose shards
		// went dark with the victim are answered at once.
		d.route()
		d.askEveryShard("right after kill -9, over HTTP")
	}
	var during string
	dbtest.WaitUntil(t, 20*time.Second, "app shards shows the dead process's leases expired", func() bool {
		code, out, _ := invoke(t, context.Background(), d.vars, "shards")
		during = out
		return code == 0 && strings.Contains(out, " expired ")
	})
	t.Logf("app shards after the kill:\n%s", during)
	f.recovery = d.waitServed("after kill -9", survivors, killedAt, 60*time.Second)
	t.Logf("kill -9 of %s (shards %v): every shard served again %s after the kill", victim.name, victimShards,
		f.recovery.Round(100*time.Millisecond))
	d.askEveryShard("after kill -9")

	// The same process starts again and gets its share back.
	back := d.start(victim.name + "-again")
	f.rebalance = d.waitServed("after restart", append(survivors, back), time.Now(), 60*time.Second)
	if ids, _ := d.held(back); len(ids) == 0 {
		t.Fatalf("the restarted process holds no shard")
	}
	d.logHolders(fmt.Sprintf("rebalanced %s after the restart", f.rebalance.Round(100*time.Millisecond)))
	d.route()
	d.askEveryShard("after restart")

	d.requireEachAnsweredOnce()
	if transport == overHTTP {
		d.requireForgeriesRefused()
	}
	code, out, errOut := invoke(t, context.Background(), d.vars, "shards")
	if code != 0 {
		t.Fatalf("app shards: exit %d %s", code, errOut)
	}
	t.Logf("app shards:\n%s", out)
	if strings.Count(out, " held ") != drillShards {
		t.Errorf("app shards lists %d held leases, want %d", strings.Count(out, " held "), drillShards)
	}
	f.asked = d.answered()
	d.mu.Lock()
	acks := slices.Sorted(slices.Values(d.acks))
	d.mu.Unlock()
	f.ackP50, f.ackP99, f.ackMax = acks[len(acks)/2], acks[len(acks)*99/100], acks[len(acks)-1]
	return f
}

// requireEachAnsweredOnce checks the whole run: no shard connected twice,
// no identify too early, no 429, and every interaction answered exactly
// once (one initial response each, one line of the router finishing it).
func (d *leaseDrill) requireEachAnsweredOnce() {
	t := d.t
	t.Helper()
	asked := d.answered()
	st := d.sim.Stats()
	if st.GatewayViolations != 0 || st.IdentifiesRefused != 0 {
		t.Errorf("%d gateway violations, %d identifies refused as too early; want none", st.GatewayViolations, st.IdentifiesRefused)
	}
	if st.RateLimited != 0 {
		t.Errorf("%d requests answered 429 (%d global); want none", st.RateLimited, st.GlobalRateLimited)
	}
	callbacks := st.ByRoute["POST /interactions/{interaction_id}/{interaction_token}/callback"]
	answers := callbacks
	if d.transport == overHTTP {
		// The initial response is the HTTP answer; a callback over REST
		// would be a second one.
		answers = st.InteractionsOverHTTP
		if callbacks != 0 {
			t.Errorf("%d REST callbacks with interactions over HTTP, want 0", callbacks)
		}
	}
	if answers != asked || st.InvalidRequests != 0 || st.InteractionsFailed != 0 {
		t.Errorf("%d initial responses, %d invalid requests, %d failed for %d interactions; want each answered once",
			answers, st.InvalidRequests, st.InteractionsFailed, asked)
	}
	dbtest.WaitUntil(t, 10*time.Second, "answers logged", func() bool { return d.handled() >= asked })
	if handled := d.handled(); handled != asked {
		t.Errorf("processes handled %d interactions, want %d", handled, asked)
	}
}

// runFullLoad is the load with all three processes: a duel round in every
// guild (a prompt in each pair room and each room's Pair Home panel), a
// third of the pairs answering as their prompts arrive (panel and
// scoreboard redraws), and scheduled posts, all due at once. It waits
// until everything is delivered, checks each was delivered once, and
// returns the budget's achieved rate while the backlog lasted.
func (d *leaseDrill) runFullLoad() loadFigures {
	t := d.t
	t.Helper()
	ctx := context.Background()
	// Outcomes are read from Postgres: under load the router may defer an
	// answer past the emulator's wait, or answer "temporarily unavailable"
	// when the guild's settings take longer than its 1.2 s to read; staff
	// then run the command again (a second start is refused, not doubled).
	for _, g := range d.guilds {
		d.staffUntil("/duel start in guild "+g.GuildID, discordsim.InteractionSpec{Type: discordsim.InteractKindCommand,
			GuildID: g.GuildID, ChannelID: g.ChannelIDs["general"], UserID: g.AdminID, Command: "duel start",
			Options: map[string]any{"channel": g.ChannelIDs["duels"], "title": "Drill duel"}},
			`SELECT count(*) FROM duel_duels WHERE guild_id = $1`, mustID(t, g.GuildID))
	}
	d.requireCount(`SELECT count(*) FROM duel_duels`, drillShards, "duels started")
	// The scoreboards are posted before the load starts.
	d.waitQuiet(30 * time.Second)

	start := time.Now()
	q, err := queue.NewQueue(d.db, nil)
	requireNoErr(t, err)
	posts := publicpost.NewService(d.db, q, nil)
	due := start.Add(2 * time.Second) // scheduled, all due together, while the round fans out
	for _, g := range d.guilds {
		for c, ch := range g.postChannels {
			for i := range d.load.postsPerChannel {
				if _, _, err := posts.CreateNow(ctx, publicpost.NewPost{GuildID: mustID(t, g.GuildID), ChannelID: mustID(t, ch),
					Payload: publicpost.Payload{Content: postContent(g.shard, c, i)}, At: due,
					IdempotencyKey: fmt.Sprintf("drill:%d:%d:%d", g.shard, c, i)}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var wg sync.WaitGroup
	answers := make(chan [2]int)
	for range 4 {
		wg.Go(func() {
			for a := range answers {
				d.answer(d.guilds[a[0]], d.guilds[a[0]].pairs[a[1]])
			}
		})
	}
	for _, g := range d.guilds {
		d.staffUntil("/duel round start in guild "+g.GuildID, discordsim.InteractionSpec{Type: discordsim.InteractKindCommand,
			GuildID: g.GuildID, ChannelID: g.ChannelIDs["general"], UserID: g.AdminID, Command: "duel round start",
			Options: map[string]any{"prompt": "Name a fruit", "duration_minutes": 30, "vote_minutes": 5}},
			`SELECT count(*) FROM duel_rounds WHERE guild_id = $1`, mustID(t, g.GuildID))
	}
	d.requireCount(`SELECT count(*) FROM duel_deliveries`, drillShards*d.load.pairs, "prompts to deliver")
	for s, g := range d.guilds {
		for i, p := range g.pairs {
			if p.answers {
				answers <- [2]int{s, i}
			}
		}
	}
	close(answers)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	d.requireCount(`SELECT count(*) FROM duel_answers`, drillShards*d.load.answering, "answers saved")
	d.waitQuiet(120 * time.Second)
	figures := d.loadRate(start)
	d.requireLoadDeliveredOnce()
	t.Logf("full load with three processes: %d requests accepted, drained %s after the start; %.1f requests/s (%.1f%% of 50/s) over the %s backlogged",
		figures.requests, figures.drained.Round(100*time.Millisecond), figures.rate, 100*figures.rate/50, figures.window.Round(100*time.Millisecond))
	return figures
}

func postContent(shard, channel, i int) string {
	return fmt.Sprintf("drill post %d-%d-%02d", shard, channel, i)
}

// answer is a pair member answering the round: once the prompt is in the
// room, a click on its Submit button, then the modal.
func (d *leaseDrill) answer(g *drillGuild, p drillPair) {
	t := d.t
	var prompt map[string]any
	deadline := time.Now().Add(90 * time.Second)
	for prompt == nil {
		if time.Now().After(deadline) {
			t.Errorf("no prompt in room %s within 90 s", p.room)
			return
		}
		if ms := d.messagesWith(p.room, roundOneMarker); len(ms) > 0 {
			prompt = ms[0]
		} else {
			time.Sleep(200 * time.Millisecond)
		}
	}
	submit := customIDWith(prompt, ":duel:submit:")
	var form struct {
		Type int `json:"type"`
		Data struct {
			CustomID string `json:"custom_id"`
		} `json:"data"`
	}
	for click := 1; ; click++ {
		res := d.interact("Submit answer in room "+p.room, discordsim.InteractionSpec{Type: discordsim.InteractKindComponent,
			GuildID: g.GuildID, ChannelID: p.room, UserID: p.members[0], MessageID: fmt.Sprint(prompt["id"]), CustomID: submit})
		if err := json.Unmarshal(res.Response, &form); err == nil && form.Type == 9 {
			break
		}
		// A form can only be the first answer: a handler slower than the
		// router's automatic defer (1.5 s, on a starved machine) leaves the
		// click without a form, and the member clicks again.
		if click == 5 {
			t.Errorf("Submit answer in room %s answered %s five times, want the form", p.room, res.Response)
			return
		}
		t.Logf("Submit answer in room %s answered %s (deferred, the handler was slow); clicking again", p.room, res.Response)
	}
	d.interact("answer form in room "+p.room, discordsim.InteractionSpec{Type: discordsim.InteractKindModal,
		GuildID: g.GuildID, ChannelID: p.room, UserID: p.members[0], CustomID: form.Data.CustomID,
		Fields: map[string]any{"answer": fmt.Sprintf("fruit of pair %d", p.id)}})
}

// staffUntil runs a staff command until query (with the guild's id) finds
// its outcome: each run is an interaction answered once; a run refused as
// temporarily unavailable under load is run again, as staff would.
func (d *leaseDrill) staffUntil(what string, spec discordsim.InteractionSpec, query string, guildID uint64) {
	d.t.Helper()
	done := func() bool {
		var n int
		requireNoErr(d.t, d.db.Pool.QueryRow(context.Background(), query, int64(guildID)).Scan(&n))
		return n > 0
	}
	for run := 1; ; run++ {
		res := d.interact(what, spec)
		// A deferred handler may still be running.
		deadline := time.Now().Add(15 * time.Second)
		for !done() && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
		}
		if done() {
			return
		}
		if run == 3 {
			d.t.Fatalf("%s: no outcome after three runs; last answer %q", what, apptest.ReplyText(res))
		}
		d.t.Logf("%s: answered %q without an outcome; running it again", what, apptest.ReplyText(res))
	}
}

// requireCount waits until query counts want (a deferred handler may
// still be running), and fails the drill if it counts more.
func (d *leaseDrill) requireCount(query string, want int, what string) {
	d.t.Helper()
	var n int
	dbtest.WaitUntil(d.t, 60*time.Second, what, func() bool {
		requireNoErr(d.t, d.db.Pool.QueryRow(context.Background(), query).Scan(&n))
		return n >= want
	})
	if n != want {
		d.t.Fatalf("%d %s, want %d", n, what, want)
	}
}

// roundOneMarker is in the JSON of round 1's prompt only.
const roundOneMarker = `"content":"**Duel — round #1**`

// customIDWith is the custom_id of the message's first component whose id
// contains part.
func customIDWith(msg map[string]any, part string) string {
	raw, _ := json.Marshal(msg)
	var m struct {
		Components []struct {
			Components []struct {
				CustomID string `json:"custom_id"`
			} `json:"components"`
		} `json:"components"`
	}
	_ = json.Unmarshal(raw, &m)
	for _, row := range m.Components {
		for _, c := range row.Components {
			if strings.Contains(c.CustomID, part) {
				return c.CustomID
			}
		}
	}
	return ""
}

// messagesWith are the channel's messages whose JSON contains marker.
func (d *leaseDrill) messagesWith(channel, marker string) []map[string]any {
	all, err := d.sim.Messages(channel)
	if err != nil {
		d.t.Errorf("messages of %s: %v", channel, err)
		return nil
	}
	var out []map[string]any
	for _, m := range all {
		if raw, _ := json.Marshal(m); strings.Contains(string(raw), marker) {
			out = append(out, m)
		}
	}
	return out
}

// waitQuiet waits until nothing of the load is left to do: every post
// sent, every prompt delivered, every dashboard showing its latest version,
// and no job of theirs waiting, running or due for a retry.
func (d *leaseDrill) waitQuiet(limit time.Duration) {
	d.t.Helper()
	ctx := context.Background()
	var left [4]int
	dbtest.WaitUntil(d.t, limit, "the load delivered", func() bool {
		err := d.db.Pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM publicpost_posts WHERE status <> 'sent'),
			(SELECT count(*) FROM duel_deliveries WHERE status <> 'sent'),
			(SELECT count(*) FROM core_projections WHERE version > done_version OR state <> 'ok'),
			(SELECT count(*) FROM river_job WHERE kind IN ('publicpost.publish', 'duel.notify', 'projection.refresh')
				AND state IN ('available', 'running', 'retryable', 'scheduled', 'pending'))`).Scan(&left[0], &left[1], &left[2], &left[3])
		if err != nil {
			d.t.Fatal(err)
		}
		return left == [4]int{}
	})
}

// loadRate reads the emulator's request log: the requests Discord counts
// against its global limit (all but interaction answers) that it accepted
// since start, and their rate while the backlog lasted: from 3 s after the
// start (the posts fall due at 2 s) to 2 s before the last one (the tail
// is the last few sends and their retries, no longer a backlog).
func (d *leaseDrill) loadRate(start time.Time) loadFigures {
	var at []time.Time
	for _, r := range d.sim.Requests() {
		if r.Time.Before(start) || r.Status >= 400 ||
			strings.HasPrefix(r.Route, "/interactions/") || strings.HasPrefix(r.Route, "/webhooks/") {
			continue
		}
		at = append(at, r.Time)
	}
	if len(at) == 0 {
		d.t.Fatal("no request accepted during the load")
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	f := loadFigures{requests: len(at), drained: at[len(at)-1].Sub(start)}
	from, to := start.Add(3*time.Second), at[len(at)-1].Add(-2*time.Second)
	n := 0
	for _, a := range at {
		if !a.Before(from) && a.Before(to) {
			n++
		}
	}
	if f.window = to.Sub(from); f.window > 0 {
		f.rate = float64(n) / f.window.Seconds()
	}
	// The shape of the backlog, second by second, for the log.
	perSecond := make([]int, int(f.drained/time.Second)+1)
	for _, a := range at {
		perSecond[int(a.Sub(start)/time.Second)]++
	}
	d.t.Logf("accepted requests per second of the load: %v", perSecond)
	return f
}

// requireLoadDeliveredOnce checks the load's outcome in the emulator:
// each post once in its channel, each prompt once in its room, one Pair
// Home panel per room showing whether the pair answered, and each
// scoreboard counting its guild's answers.
func (d *leaseDrill) requireLoadDeliveredOnce() {
	t := d.t
	t.Helper()
	ctx := context.Background()
	panels := map[int64]int64{} // pair -> panel message
	rows, err := d.db.Pool.Query(ctx, `SELECT key::bigint, message_id FROM core_projections WHERE kind = 'pairhome.panel'`)
	requireNoErr(t, err)
	for rows.Next() {
		var pair, msg int64
		requireNoErr(t, rows.Scan(&pair, &msg))
		panels[pair] = msg
	}
	requireNoErr(t, rows.Err())
	rows.Close()
	for _, g := range d.guilds {
		for c, ch := range g.postChannels {
			for i := range d.load.postsPerChannel {
				if n := len(d.messagesWith(ch, `"`+postContent(g.shard, c, i)+`"`)); n != 1 {
					t.Errorf("post %q: %d messages, want 1", postContent(g.shard, c, i), n)
				}
			}
		}
		answered := 0
		for _, p := range g.pairs {
			if n := len(d.messagesWith(p.room, roundOneMarker)); n != 1 {
				t.Errorf("room %s: %d prompts, want 1", p.room, n)
			}
			want, other := "Your pair has not answered yet", "Your pair has answered"
			if p.answers {
				want, other = other, want
				answered++
			}
			shown := d.messagesWith(p.room, "Your pair has")
			switch {
			case len(shown) != 1:
				t.Errorf("room %s: %d Pair Home panels, want 1", p.room, len(shown))
			case fmt.Sprint(shown[0]["id"]) != fmt.Sprint(panels[p.id]):
				t.Errorf("room %s: the panel shown is message %v, the projection's is %d", p.room, shown[0]["id"], panels[p.id])
			default:
				if raw, _ := json.Marshal(shown[0]); !strings.Contains(string(raw), want) || strings.Contains(string(raw), other) {
					t.Errorf("room %s: the panel does not show %q: %s", p.room, want, lastBytes(string(raw), 1500))
				}
			}
		}
		if boards := d.messagesWith(g.ChannelIDs["duels"], `Drill duel`); len(boards) != 1 {
			t.Errorf("guild %s: %d scoreboards, want 1", g.GuildID, len(boards))
		} else if raw, _ := json.Marshal(boards[0]); !strings.Contains(string(raw), fmt.Sprintf("Answers: **%d**", answered)) {
			t.Errorf("guild %s: the scoreboard does not count %d answers: %s", g.GuildID, answered, lastBytes(string(raw), 1500))
		}
	}
	var posts, sent int
	requireNoErr(t, d.db.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM publicpost_posts`).Scan(&posts, &sent))
	if want := drillShards * d.load.postChannels * d.load.postsPerChannel; posts != want || sent != want {
		t.Errorf("publicpost_posts: %d sent of %d, want %d", sent, posts, want)
	}
	if t.Failed() {
		t.FailNow()
	}
}

// requireForgeriesRefused replays the last interaction the balancer
// forwarded, unchanged and with its body altered, to every live replica:
// each refuses both with 401 and handles nothing.
func (d *leaseDrill) requireForgeriesRefused() {
	t := d.t
	t.Helper()
	captured, ok := d.lb.last()
	if !ok {
		t.Fatal("the balancer forwarded no interaction")
	}
	before := d.handled()
	forged := bytes.Replace(captured.body, []byte(`"config"`), []byte(`"duel"`), 1)
	if bytes.Equal(forged, captured.body) {
		t.Fatalf("the captured interaction is not /config: %s", captured.body)
	}
	for _, p := range d.live() {
		for name, body := range map[string][]byte{"replayed": captured.body, "forged": forged} {
			req, _ := http.NewRequest(http.MethodPost, "http://"+p.interactions+"/interactions", bytes.NewReader(body))
			req.Header = captured.header.Clone()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s interaction to %s: %d, want 401", name, p.name, resp.StatusCode)
			}
		}
	}
	time.Sleep(500 * time.Millisecond) // a handler that ran would have logged by now
	if after := d.handled(); after != before {
		t.Errorf("%d interactions handled after the replays, want none", after-before)
	}
	t.Logf("interactions per replica through the balancer: %v", d.lb.counts())
}

// delivery is one POST as the balancer forwarded it.
type delivery struct {
	header http.Header
	body   []byte
}

// balancer is the load balancer in front of the replicas' interactions
// endpoints: round robin over the replicas its health checks count as up,
// no retries, body and signature headers passed unchanged.
type balancer struct {
	url     string
	mu      sync.Mutex
	targets []*url.URL
	next    int
	per     map[string]int // deliveries per target
	latest  delivery       // the last interaction (not PING) forwarded
	seen    bool
}

func (b *balancer) set(t testing.TB, targets []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.targets = nil
	for _, s := range targets {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		b.targets = append(b.targets, u)
	}
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	if len(b.targets) == 0 {
		b.mu.Unlock()
		http.Error(w, "no replica up", http.StatusServiceUnavailable)
		return
	}
	target := b.targets[b.next%len(b.targets)]
	b.next++
	if b.per == nil {
		b.per = map[string]int{}
	}
	b.per[target.Host]++
	var in struct {
		Type int `json:"type"`
	}
	if json.Unmarshal(body, &in) == nil && in.Type != discordsim.InteractionPing {
		b.latest, b.seen = delivery{header: r.Header.Clone(), body: body}, true
	}
	b.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target); pr.Out.URL.Path = target.Path }}
	proxy.ServeHTTP(w, r)
}

func (b *balancer) last() (delivery, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.latest, b.seen
}

func (b *balancer) counts() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.per)
}

// TestE2EShardLeaseDrill: three identical processes share four shards,
// each shard held once, and carry the full load together; kill -9 one and
// its shards are served again; start it again and the shards rebalance; no
// shard is ever connected twice, no identify comes too early, no request
// is answered 429, every prompt, post and dashboard is delivered once and
// every interaction is answered exactly once.
func TestE2EShardLeaseDrill(t *testing.T) {
	t.Parallel()
	f := runShardLeaseDrill(t, overGateway, fullLoad)
	t.Logf("figures: %s", f)
}

// TestE2EShardLeaseDrillHTTP: the same scenario with interactions POSTed
// by the emulator, signed, to the three replicas behind a round-robin
// balancer: every interaction answered once by one replica, including in
// the guilds whose shards are dark right after the kill, and a replayed or
// forged request refused with 401 by every replica.
func TestE2EShardLeaseDrillHTTP(t *testing.T) {
	t.Parallel()
	f := runShardLeaseDrill(t, overHTTP, halfLoad)
	t.Logf("figures: %s", f)
}

func (f drillFigures) String() string {
	return fmt.Sprintf("shards served %s after three processes started; load %d requests drained in %s at %.1f/s (%.1f%% of 50/s) while backlogged; "+
		"served again %s after kill -9; rebalanced %s after the restart; %d interactions answered, p50 %s p99 %s max %s",
		f.served.Round(100*time.Millisecond), f.load.requests, f.load.drained.Round(100*time.Millisecond), f.load.rate, 100*f.load.rate/50,
		f.recovery.Round(100*time.Millisecond), f.rebalance.Round(100*time.Millisecond), f.asked, f.ackP50, f.ackP99, f.ackMax)
}

// BenchmarkShardLeaseDrill runs the drill's scenario (interactions over the
// gateway) and reports its speeds: the budget's achieved rate while the
// full load was backlogged, and the seconds until the shards were served
// again after kill -9 and rebalanced after the restart.
func BenchmarkShardLeaseDrill(b *testing.B) {
	for b.Loop() {
		f := runShardLeaseDrill(b, overGateway, fullLoad)
		b.ReportMetric(f.load.rate, "req/s")
		b.ReportMetric(100*f.load.rate/50, "pct_of_50")
		b.ReportMetric(f.load.drained.Seconds(), "drain_s")
		b.ReportMetric(f.recovery.Seconds(), "recovery_s")
		b.ReportMetric(f.rebalance.Seconds(), "rebalance_s")
		b.ReportMetric(float64(f.ackP99.Milliseconds()), "ack_p99_ms")
		b.Logf("figures: %s", f)
	}
}
