package projection_test

// Load benchmarks against the emulator. Each runs one fixed scenario per
// iteration (minutes of wall time), so run them explicitly:
//
//	go test -run '^$' -bench . -benchtime 1x -timeout 30m ./core/projection/
//
// Reported metrics: edits (creates+edits Discord accepted), changes
// (committed business transactions), 429s (emulator counter), staleness
// p50/p99/max in seconds (commit of a change -> Discord first shows it or a
// later value), share_pct (accepted sends per second while backlogged, as a
// percentage of Discord's 50/s global ceiling), correct (1 when every
// dashboard shows its final value at the end).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/discordsim"
)

const discordGlobalCeiling = 50.0

// sendLog records every message create/edit the emulator accepted.
type sendLog struct {
	mu       sync.Mutex
	sends    []send
	accepted []time.Time // every request Discord accepted, dashboards or not
	limited  []string    // "METHOD path scope" of every 429
}

type send struct {
	at    time.Time
	key   string
	value int64
}

// recorder wraps the emulator: it notes successful POST/PATCH of messages
// with the "key=value" content they carried.
func (l *sendLog) recorder(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		isMsg := (r.Method == http.MethodPost || r.Method == http.MethodPatch) && strings.Contains(r.URL.Path, "/messages")
		var body []byte
		if isMsg {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		sw := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		if sw.status == http.StatusTooManyRequests {
			l.mu.Lock()
			l.limited = append(l.limited, fmt.Sprintf("%s %s %s scope=%s", time.Now().Format("15:04:05.000"), r.Method, r.URL.Path, sw.Header().Get("X-RateLimit-Scope")))
			l.mu.Unlock()
		}
		if sw.status < 300 {
			l.mu.Lock()
			l.accepted = append(l.accepted, time.Now())
			l.mu.Unlock()
		}
		if !isMsg || sw.status >= 300 {
			return
		}
		var m struct {
			Content string `json:"content"`
		}
		if json.Unmarshal(body, &m) != nil {
			return
		}
		key, val, ok := strings.Cut(m.Content, "=")
		if !ok {
			return
		}
		v, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return
		}
		l.mu.Lock()
		l.sends = append(l.sends, send{at: time.Now(), key: key, value: v})
		l.mu.Unlock()
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

type commit struct {
	at    time.Time
	key   string
	value int64
}

type scenario struct {
	name       string
	dashboards int
	channels   int
	changes    int
	over       time.Duration
	processes  int
	hotKeys    int // >0: every change goes to the first hotKeys dashboards
	// background > 0: during the load each process also keeps that many
	// goroutines sending other traffic through its REST client (the same
	// limiter and shared budget): a round's prompt in each of 300 pair rooms
	// in turn, and scheduled posts into 20 busy channels.
	background int
}

type benchResult struct {
	edits, changes, rateLimited int
	p50, p99, maxStale          time.Duration
	sharePct, budgetPct         float64
	correct                     bool
	settle                      time.Duration
	outdated                    outdated
}

// outdated describes sends that reached Discord already behind: a change
// of their dashboard had committed before they landed, yet they show an
// older value (the snapshot was taken before that commit and the send
// waited after it). Each such change waits for a later send, a whole turn.
type outdated struct {
	sends, ofSends int           // outdated sends / all sends
	changes        int           // changes whose first later send was outdated
	inTail, tail   int           // of the changes at or above the p99 staleness: those that missed a send, all
	lagP50, lagP99 time.Duration // send time - first missed commit, over outdated sends
}

func outdatedSends(byKey map[string][]send, commits []commit) outdated {
	byKeyCommits := map[string][]commit{}
	for _, c := range commits {
		byKeyCommits[c.key] = append(byKeyCommits[c.key], c)
	}
	var o outdated
	var lags []time.Duration
	for key, ss := range byKey {
		cs := byKeyCommits[key]
		slices.SortFunc(cs, func(a, b commit) int { return a.at.Compare(b.at) })
		for i, s := range ss {
			o.ofSends++
			// The oldest change committed before s landed that s does not show.
			j := slices.IndexFunc(cs, func(c commit) bool { return c.value > s.value && c.at.Before(s.at) })
			if j < 0 {
				continue
			}
			o.sends++
			lags = append(lags, s.at.Sub(cs[j].at))
			prev := time.Time{}
			if i > 0 {
				prev = ss[i-1].at
			}
			for _, c := range cs {
				if c.value > s.value && c.at.Before(s.at) && c.at.After(prev) {
					o.changes++
				}
			}
		}
	}
	slices.Sort(lags)
	if len(lags) > 0 {
		o.lagP50, o.lagP99 = lags[len(lags)/2], lags[len(lags)*99/100]
	}
	return o
}

func runScenario(b *testing.B, sc scenario) benchResult {
	b.Helper()
	ctx := context.Background()
	sim, err := discordsim.New(discordsim.Options{Logger: quiet, RequestLogSize: 10})
	if err != nil {
		b.Fatal(err)
	}
	log := &sendLog{}
	srv := httptest.NewServer(log.recorder(sim.Handler()))
	defer srv.Close()
	apiURL := srv.URL + discordsim.APIPrefix
	guild, err := sim.CreateGuild("bench")
	if err != nil {
		b.Fatal(err)
	}
	// The emulator learns its host from the first request.
	resp, err := http.Get(apiURL + "/gateway")
	if err == nil {
		_ = resp.Body.Close()
	}
	w := &world{sim: sim, guild: &moduletest.Guild{T: b, Sim: sim, ID: moduletest.ID(b, guild)}}

	d := newDB(b)
	var schema string
	if err := d.Pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		b.Fatal(err)
	}
	chans := make([]snowflake.ID, sc.channels)
	for i := range chans {
		chans[i] = w.channel(b, fmt.Sprintf("c%d", i))
	}
	keys := make([]string, sc.dashboards)
	for i := range keys {
		keys[i] = fmt.Sprintf("d%d", i)
		board(b, d, keys[i], w.guildID(), chans[i%sc.channels])
	}

	// Each process: its own pool, REST client + limiter, Service and queue,
	// in production fetch settings (1 s poll).
	nodes := make([]*node, sc.processes)
	dbs := make([]*db.DB, sc.processes)
	clients := make([]rest.Rest, sc.processes)
	for i := range nodes {
		dbs[i] = d
		if i > 0 {
			dbs[i] = dbtest.Open(b, schema)
		}
		clients[i] = w.restAt(apiURL, dbs[i])
		nodes[i] = newBenchNode(b, dbs[i], clients[i])
	}
	var rooms, busy []snowflake.ID
	for i := range 300 * min(sc.background, 1) {
		rooms = append(rooms, w.channel(b, fmt.Sprintf("room%d", i)))
	}
	for i := range 20 * min(sc.background, 1) {
		busy = append(busy, w.channel(b, fmt.Sprintf("busy%d", i)))
	}
	time.Sleep(2 * time.Second) // River start-up (leader election, producers)
	// Load: changes spread evenly over the period, keys chosen at random,
	// issued round-robin by the processes.
	var (
		mu      sync.Mutex
		commits []commit
	)
	start := time.Now()
	gap := sc.over / time.Duration(sc.changes)
	workers := 16
	var wg sync.WaitGroup
	for wkr := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(wkr), 42))
			for i := wkr; i < sc.changes; i += workers {
				if d := time.Until(start.Add(time.Duration(i) * gap)); d > 0 {
					time.Sleep(d)
				}
				n := len(keys)
				if sc.hotKeys > 0 {
					n = sc.hotKeys
				}
				key := keys[rng.IntN(n)]
				nd, pd := nodes[i%len(nodes)], dbs[i%len(nodes)]
				var v int64
				err := pd.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
					if err := tx.QueryRowContext(ctx, `UPDATE test_boards SET value = value + 1 WHERE key = ? RETURNING value`, key).Scan(&v); err != nil {
						return err
					}
					return nd.svc.Request(ctx, tx, testKind, key)
				})
				if err != nil {
					b.Error(err)
					return
				}
				at := time.Now()
				mu.Lock()
				commits = append(commits, commit{at: at, key: key, value: v})
				mu.Unlock()
			}
		}()
	}
	bgCtx, stopBackground := context.WithCancel(ctx)
	var bg sync.WaitGroup
	var next atomic.Int64
	for _, c := range clients {
		for range sc.background {
			bg.Go(func() {
				for bgCtx.Err() == nil {
					i := int(next.Add(1))
					o := rest.WithCtx(bgCtx)
					if i%2 == 0 {
						_, _ = c.CreateMessage(rooms[(i/2)%len(rooms)], discord.MessageCreate{Content: "your prompt"}, o)
					} else {
						_, _ = c.CreateMessage(busy[(i/2)%len(busy)], discord.MessageCreate{Content: "a scheduled post"}, o)
					}
				}
			})
		}
	}
	wg.Wait()
	loadEnd := time.Now()
	stopBackground()
	bg.Wait()

	// Settle: every dashboard caught up.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var behind int
		if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM core_projections WHERE version > done_version`).Scan(&behind); err != nil {
			b.Fatal(err)
		}
		if behind == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	settle := time.Since(loadEnd)

	res := benchResult{changes: len(commits), rateLimited: sim.Stats().RateLimited, settle: settle}
	log.mu.Lock()
	sends := slices.Clone(log.sends)
	limited := slices.Clone(log.limited)
	log.mu.Unlock()
	res.edits = len(sends)
	for _, l := range limited {
		b.Logf("429: %s", l)
	}

	// Correctness: the emulator shows each dashboard's final value, once.
	res.correct = true
	final := map[string]int64{}
	rows, err := d.Pool.Query(ctx, `SELECT key, value FROM test_boards`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var k string
		var v int64
		_ = rows.Scan(&k, &v)
		final[k] = v
	}
	rows.Close()
	shownBy := map[string]int{}
	for _, ch := range chans {
		ms, err := sim.Messages(ch.String())
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range ms {
			k, val, _ := strings.Cut(m["content"].(string), "=")
			shownBy[k]++
			if v, _ := strconv.ParseInt(val, 10, 64); v != final[k] {
				res.correct = false
				b.Logf("incorrect: %s shows %d, final value %d", k, v, final[k])
			}
		}
	}
	for k, v := range final {
		if v > 0 && shownBy[k] != 1 {
			res.correct = false
			b.Logf("incorrect: %s has %d messages", k, shownBy[k])
		}
	}

	// Staleness: per change, the first accepted send of that key showing
	// its value or a later one.
	byKey := map[string][]send{}
	for _, s := range sends {
		byKey[s.key] = append(byKey[s.key], s)
	}
	var stale, missed []time.Duration
	for _, c := range commits {
		ss := byKey[c.key]
		i := slices.IndexFunc(ss, func(s send) bool { return s.value >= c.value })
		if i < 0 {
			res.correct = false
			b.Logf("incorrect: %s=%d committed but never sent", c.key, c.value)
			continue
		}
		stale = append(stale, max(0, ss[i].at.Sub(c.at)))
		// Missed: the first send after the commit was already outdated.
		if j := slices.IndexFunc(ss, func(s send) bool { return s.at.After(c.at) }); j >= 0 && j < i {
			missed = append(missed, ss[i].at.Sub(c.at))
		}
	}
	res.outdated = outdatedSends(byKey, commits)
	var gaps []time.Duration
	for _, ss := range byKey {
		for i := 1; i < len(ss); i++ {
			if ss[i].at.Before(loadEnd) {
				gaps = append(gaps, ss[i].at.Sub(ss[i-1].at))
			}
		}
	}
	slices.Sort(gaps)
	if len(gaps) > 0 {
		b.Logf("gap between sends of one dashboard during load: n=%d p50=%s p90=%s p99=%s max=%s", len(gaps), gaps[len(gaps)/2], gaps[len(gaps)*9/10], gaps[len(gaps)*99/100], gaps[len(gaps)-1])
	}
	slices.Sort(stale)
	if len(stale) > 0 {
		res.p50 = stale[len(stale)/2]
		res.p99 = stale[len(stale)*99/100]
		res.maxStale = stale[len(stale)-1]
		for _, d := range missed {
			if d >= res.p99 {
				res.outdated.inTail++
			}
		}
		res.outdated.tail = len(stale) - slices.Index(stale, res.p99)
	}

	// Throughput while backlogged: from 5 s in (dashboards created, backlog
	// built) to the end of the load; with background traffic, every
	// accepted request counts.
	from, to := start.Add(5*time.Second), loadEnd
	inWindow := 0
	for _, s := range sends {
		if !s.at.Before(from) && s.at.Before(to) {
			inWindow++
		}
	}
	if sc.background > 0 {
		log.mu.Lock()
		inWindow = 0
		for _, at := range log.accepted {
			if !at.Before(from) && at.Before(to) {
				inWindow++
			}
		}
		log.mu.Unlock()
	}
	rate := float64(inWindow) / to.Sub(from).Seconds()
	res.sharePct = 100 * rate / discordGlobalCeiling
	res.budgetPct = 100 * rate / 46
	return res
}

// newBenchNode is a process in production fetch settings (Test: false).
func newBenchNode(b *testing.B, d *db.DB, r rest.Rest) *node {
	return startNode(b, d, r, projection.Options{}, nil, false, false)
}

func report(b *testing.B, r benchResult, backlogged bool) {
	b.ReportMetric(float64(r.edits), "edits")
	b.ReportMetric(float64(r.changes), "changes")
	b.ReportMetric(float64(r.rateLimited), "429s")
	b.ReportMetric(r.p50.Seconds(), "stale_p50_s")
	b.ReportMetric(r.p99.Seconds(), "stale_p99_s")
	b.ReportMetric(r.maxStale.Seconds(), "stale_max_s")
	if backlogged {
		b.ReportMetric(r.sharePct, "share_pct")
	}
	correct := 0.0
	if r.correct {
		correct = 1
	}
	b.ReportMetric(correct, "correct")
	b.Logf("edits=%d changes=%d 429s=%d stale p50=%s p99=%s max=%s share=%.1f%% of 50/s (%.1f%% of the 46/s budget) correct=%v settle=%s",
		r.edits, r.changes, r.rateLimited, r.p50, r.p99, r.maxStale, r.sharePct, r.budgetPct, r.correct, r.settle.Round(time.Millisecond))
	b.Logf("outdated sends=%d of %d; changes that missed an outdated send=%d of %d (%d of the %d at or above p99); lag of outdated sends p50=%s p99=%s",
		r.outdated.sends, r.outdated.ofSends, r.outdated.changes, r.changes, r.outdated.inTail, r.outdated.tail, r.outdated.lagP50, r.outdated.lagP99)
	if r.rateLimited != 0 || !r.correct || r.edits > r.changes {
		b.Errorf("targets missed: 429s=%d correct=%v edits=%d > changes=%d", r.rateLimited, r.correct, r.edits, r.changes)
	}
}

// BenchmarkHotDashboard: one dashboard, 2,000 committed changes over 20 s.
func BenchmarkHotDashboard(b *testing.B) {
	for b.Loop() {
		r := runScenario(b, scenario{name: "hot", dashboards: 1, channels: 1, changes: 2000, over: 20 * time.Second, processes: 1, hotKeys: 1})
		report(b, r, false)
		if r.p99 > 2*time.Second {
			b.Errorf("hot staleness p99 %s > 2 s", r.p99)
		}
	}
}

// BenchmarkStorm: 1,000 dashboards in 250 channels, 20,000 changes over 60 s.
func BenchmarkStorm(b *testing.B) {
	for b.Loop() {
		r := runScenario(b, scenario{name: "storm", dashboards: 1000, channels: 250, changes: 20000, over: 60 * time.Second, processes: 1})
		report(b, r, true)
		if r.sharePct < 90 {
			b.Errorf("throughput %.1f%% of the ceiling while backlogged, want >= 90%%", r.sharePct)
		}
	}
}

// BenchmarkStormWithFanOutThreeProcesses: the drill for the shared REST
// budget. Three processes on one database run the storm while each also
// sends fan-out prompts and scheduled posts at full load through the same
// limiter; share_pct counts every accepted request.
func BenchmarkStormWithFanOutThreeProcesses(b *testing.B) {
	for b.Loop() {
		r := runScenario(b, scenario{name: "storm3+fanout", dashboards: 1000, channels: 250, changes: 20000, over: 60 * time.Second,
			processes: 3, background: 10})
		report(b, r, true)
		if r.sharePct < 90 {
			b.Errorf("throughput %.1f%% of the ceiling while backlogged, want >= 90%%", r.sharePct)
		}
	}
}

// BenchmarkStormTwoProcesses: the storm with two processes on one database.
func BenchmarkStormTwoProcesses(b *testing.B) {
	for b.Loop() {
		r := runScenario(b, scenario{name: "storm2", dashboards: 1000, channels: 250, changes: 20000, over: 60 * time.Second, processes: 2})
		report(b, r, true)
		if r.sharePct < 90 {
			b.Errorf("throughput %.1f%% of the ceiling while backlogged, want >= 90%%", r.sharePct)
		}
	}
}
