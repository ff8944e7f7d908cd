package main

// Helpers of the crash drills (crashdrill_test.go): the `app` binary built
// once per test run, the emulator hosted in the test process, and `app run`
// as a child process killed with SIGKILL and started again.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/logging/logtest"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/discordsim/simtest"
)

// crashdrillBuild is the `app` binary shared by the drills running at once;
// the last drill to finish removes it.
var crashdrillBuild struct {
	mu    sync.Mutex
	users int
	dir   string
	path  string
}

// crashdrillBinary builds ./app once for the drills running now.
func crashdrillBinary(t testing.TB) string {
	t.Helper()
	b := &crashdrillBuild
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.users == 0 {
		dir, err := os.MkdirTemp("", "together-crashdrill-")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "app")
		cmd := exec.Command("go", "build", "-o", path, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			_ = os.RemoveAll(dir)
			t.Fatalf("go build ./app: %v\n%s", err, out)
		}
		b.dir, b.path = dir, path
	}
	b.users++
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.users--; b.users == 0 {
			_ = os.RemoveAll(b.dir)
		}
	})
	return b.path
}

// crashdrillSeed is the drill's random seed: CRASHDRILL_SEED replays a
// failure, otherwise a fresh one is drawn and logged.
func crashdrillSeed(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("CRASHDRILL_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("CRASHDRILL_SEED=%q: %v", v, err)
		}
	}
	t.Logf("seed %d (replay with CRASHDRILL_SEED=%d go test ./app -run '^%s$')", seed, seed, t.Name())
	return rand.New(rand.NewPCG(seed, seed))
}

// crashDrill is one bot process (restarted in place) against an emulator
// and a fresh schema.
type crashDrill struct {
	t     *testing.T
	bin   string
	Sim   *discordsim.Server
	Guild discordsim.DemoGuild
	DB    *db.DB
	vars  map[string]string
	log   *logtest.Buffer
	proc  *exec.Cmd
	done  chan struct{}
	// starts counts processes started, for the log.
	starts int
}

// newCrashDrill starts the emulator with one demo guild, migrates a fresh
// schema for modules (comma-separated, as MODULES) with the real binary's
// CLI, and opens the schema for the test's own reads and writes.
func newCrashDrill(t *testing.T, modules string) *crashDrill {
	t.Helper()
	apptest.SkipUnderRace(t)
	d := &crashDrill{t: t, bin: crashdrillBinary(t), log: &logtest.Buffer{}}
	// Started before the schema, so the emulator is closed (and checked
	// for violations) after everything else.
	sim := simtest.New(t, discordsim.Options{Logger: slog.New(slog.DiscardHandler)})
	d.Sim = sim
	var err error
	if d.Guild, err = sim.SeedDemoGuild(); err != nil {
		t.Fatal(err)
	}
	schema := dbtest.Schema(t)
	d.vars = botVars(t, sim, schema)
	d.vars["HTTP_ADDR"] = freeAddr(t)
	d.vars["MODULES"] = modules
	d.vars["LOG_LEVEL"] = "debug"
	// Registered after the schema's cleanup, so it runs before it: the
	// process stops before its schema is dropped, the emulator last.
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("bot log (all processes):\n%s", lastBytes(d.log.String(), 12000))
		}
	})
	if code, out, errOut := d.cli("migrate"); code != 0 {
		t.Fatalf("app migrate: exit %d\n%s%s", code, out, errOut)
	}
	d.DB = dbtest.Open(t, schema)
	return d
}

// cli runs an operator command of the same binary's code in-process.
func (d *crashDrill) cli(args ...string) (int, string, string) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return invoke(d.t, ctx, d.vars, args...)
}

// start runs `app run` as a child process and waits until its gateway is
// ready and /healthz says so.
func (d *crashDrill) start() time.Time {
	d.t.Helper()
	if d.proc != nil {
		d.t.Fatal("start: a process is already running")
	}
	d.starts++
	cmd := exec.Command(d.bin, "run")
	cmd.Env = os.Environ()
	for k, v := range d.vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out io.Writer = d.log
	if os.Getenv("APPTEST_LOG") != "" {
		out = io.MultiWriter(d.log, linePrefixer{w: os.Stderr, prefix: fmt.Sprintf("[%s #%d] ", d.t.Name(), d.starts)})
	}
	fmt.Fprintf(d.log, "----- process #%d starts\n", d.starts)
	cmd.Stdout, cmd.Stderr = out, out
	dieWithTest(cmd)
	started := time.Now()
	if err := cmd.Start(); err != nil {
		d.t.Fatalf("start app run: %v", err)
	}
	d.proc, d.done = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(d.done)
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-d.done:
			d.proc = nil
			d.t.Fatalf("app run exited at start: %v\n%s", cmd.ProcessState, lastBytes(d.log.String(), 4000))
		default:
		}
		if code, r, _ := getHealth(d.t, d.vars["HTTP_ADDR"]); code == 200 && r.Discord == "ready" {
			return started
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("app run not ready within 60 s\n%s", lastBytes(d.log.String(), 4000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill is kill -9: no shutdown hook runs, running jobs stay `running` in
// River and the heartbeat row stays behind.
func (d *crashDrill) kill() {
	d.t.Helper()
	if d.proc == nil {
		d.t.Fatal("kill: no process")
	}
	if err := d.proc.Process.Kill(); err != nil {
		d.t.Fatalf("kill -9: %v", err)
	}
	<-d.done
	fmt.Fprintf(d.log, "----- process #%d killed with SIGKILL\n", d.starts)
	d.proc = nil
}

// stop ends the running process, if any, the way an operator would
// (SIGTERM), and kills it if it does not stop within 30 s.
func (d *crashDrill) stop() {
	if d.proc == nil {
		return
	}
	_ = d.proc.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		_ = d.proc.Process.Kill()
		<-d.done
		d.t.Errorf("app run did not stop within 30 s of SIGTERM")
	}
	d.proc = nil
}

// killWhen kills the process as soon as ready() holds, polling every 10 ms;
// it fails the drill if ready() does not hold within limit.
func (d *crashDrill) killWhen(limit time.Duration, what string, ready func() bool) {
	d.t.Helper()
	deadline := time.Now().Add(limit)
	for !ready() {
		if time.Now().After(deadline) {
			d.t.Fatalf("kill point %q not reached within %s", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	d.kill()
}

// slowREST makes every REST call of the emulator take ms for a while, so a
// fan-out is still in flight when the process is killed.
func (d *crashDrill) slowREST(ms int, for_ time.Duration) {
	d.t.Helper()
	if err := d.Sim.InjectFault(discordsim.Fault{Kind: discordsim.FaultLatency, MS: ms, DurationMS: int(for_.Milliseconds())}); err != nil {
		d.t.Fatal(err)
	}
}

// drillMessage is one message the drill must find exactly once.
type drillMessage struct {
	name    string // for failures, e.g. "pair 3"
	channel string
	marker  string // a string only this message's JSON contains
}

// deliveries counts each expected message in the emulator.
func (d *crashDrill) deliveries(want []drillMessage) []int {
	d.t.Helper()
	counts := make([]int, len(want))
	for i, w := range want {
		counts[i] = len(apptest.MessagesWith(d.t, d.Sim, w.channel, w.marker))
	}
	return counts
}

// countDelivered is how many expected messages arrived at least once.
func countDelivered(counts []int) (n int) {
	for _, c := range counts {
		if c > 0 {
			n++
		}
	}
	return n
}

// requireExactlyOnce waits up to 60 s after restartedAt for every expected
// message, then until no job of kind is left to run (a later retry could
// still send a duplicate), and fails unless each arrived exactly once. It
// returns the time from restart to the last one.
func (d *crashDrill) requireExactlyOnce(want []drillMessage, restartedAt time.Time, kind string) time.Duration {
	d.t.Helper()
	const bound = 60 * time.Second
	var last time.Duration
	for {
		counts := d.deliveries(want)
		if countDelivered(counts) == len(want) {
			last = time.Since(restartedAt)
			break
		}
		if time.Since(restartedAt) > bound {
			for i, c := range counts {
				if c == 0 {
					d.t.Errorf("%s: no message within %s of the restart", want[i].name, bound)
				}
			}
			d.t.FailNow()
		}
		time.Sleep(100 * time.Millisecond)
	}
	deadline := time.Now().Add(30 * time.Second)
	for d.pending(kind) > 0 {
		if time.Now().After(deadline) {
			d.t.Fatalf("%d %s job(s) still to run 30 s after the last message arrived", d.pending(kind), kind)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i, c := range d.deliveries(want) {
		if c != 1 {
			var shown []string
			for _, m := range apptest.MessagesWith(d.t, d.Sim, want[i].channel, want[i].marker) {
				raw, _ := json.Marshal(m)
				shown = append(shown, lastBytes(string(raw), 1500))
			}
			d.t.Errorf("%s: %d messages, want exactly 1:\n%s", want[i].name, c, strings.Join(shown, "\n"))
		}
	}
	return last
}

// restart starts the process again after a kill, requires every message of
// want exactly once (see requireExactlyOnce) and logs how long after the
// restart the last one arrived.
func (d *crashDrill) restart(want []drillMessage, kind string) {
	d.t.Helper()
	restarted := d.start()
	last := d.requireExactlyOnce(want, restarted, kind)
	d.t.Logf("%d messages (%s): the last arrived %s after the restart; %d message-create requests",
		len(want), kind, last.Round(100*time.Millisecond), d.createRequests())
}

// requireCount fails the drill unless the count query comes to answer
// want. The bot records an outcome after Discord has answered, so the count
// may trail the last message the emulator saw by a moment; it never
// overshoots, and a count that stays short fails.
func (d *crashDrill) requireCount(query string, want int) {
	d.t.Helper()
	var n int
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		requireNoErr(d.t, d.DB.Pool.QueryRow(context.Background(), query).Scan(&n))
		if n >= want || time.Now().After(deadline) {
			break
		}
	}
	if n != want {
		d.t.Errorf("%s: %d, want %d", query, n, want)
	}
}

// createRequests counts the message-creating requests the emulator
// received, including those it answered from its nonce window instead of
// posting again: more requests than messages means a retry was absorbed.
func (d *crashDrill) createRequests() int {
	n := 0
	for _, r := range d.Sim.Requests() {
		if r.Method == "POST" && r.Route == "/channels/{channel_id}/messages" {
			n++
		}
	}
	return n
}

// linePrefixer prefixes each write (a log line of the child) for APPTEST_LOG.
type linePrefixer struct {
	w      io.Writer
	prefix string
}

func (p linePrefixer) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix+string(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}

func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// running counts the jobs of kind River has `running`.
func (d *crashDrill) running(kind string) int {
	d.t.Helper()
	var n int
	if err := d.DB.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM river_job WHERE state = 'running' AND kind = $1`, kind).Scan(&n); err != nil {
		d.t.Fatal(err)
	}
	return n
}

// pending counts the jobs of kind that may still run: queued, running,
// waiting to retry or scheduled.
func (d *crashDrill) pending(kind string) int {
	d.t.Helper()
	var n int
	if err := d.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = $1
		AND state IN ('available', 'running', 'retryable', 'scheduled', 'pending')`, kind).Scan(&n); err != nil {
		d.t.Fatal(err)
	}
	return n
}

// killMidFanOut kills the process once at least after of want have arrived
// while jobs of kind are still running, so the kill interrupts the fan-out.
func (d *crashDrill) killMidFanOut(want []drillMessage, after int, kind string) {
	d.t.Helper()
	d.killWhen(30*time.Second, fmt.Sprintf("%d of %d delivered, %s running", after, len(want), kind), func() bool {
		return d.running(kind) > 0 && countDelivered(d.deliveries(want)) >= after
	})
	d.logKill(want, kind)
}

// logKill records what the kill interrupted: messages already delivered
// and the jobs of kind left `running` by the dead process.
func (d *crashDrill) logKill(want []drillMessage, kind string) {
	d.t.Helper()
	d.t.Logf("killed with %d of %d messages delivered, %d %s job(s) left running",
		countDelivered(d.deliveries(want)), len(want), d.running(kind), kind)
}

func requireNoErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// botVars is the environment every drilled bot process starts from: its
// schema, the emulator as Discord, text logs.
func botVars(t testing.TB, sim *discordsim.Server, schema string) map[string]string {
	return map[string]string{
		"DATABASE_URL":    schemaURL(t, schema),
		"DISCORD_TOKEN":   sim.Token(),
		"DISCORD_APP_ID":  sim.AppID(),
		"DISCORD_API_URL": sim.APIURL(),
		"LOG_FORMAT":      "text",
		// The weekly oracle publishes only after Monday 10:00 local: a drill
		// of the publish must not depend on when the suite runs.
		"DEFAULT_TIMEZONE": publishedZone(time.Now()),
	}
}

// publishedZone is a zone in which this week's oracle is already published
// (Monday 10:00 local has passed), so the oracle pass has every guild's
// dashboard to send whenever the benchmark runs: UTC, except on Monday
// before 10:00 UTC, when it is UTC+14 (Monday 14:00 or later there).
func publishedZone(now time.Time) string {
	if u := now.UTC(); u.Weekday() == time.Monday && u.Hour() < 10 {
		return "Etc/GMT-14"
	}
	return "UTC"
}
