package main

// The shard lease drill (issue #16): three identical `app run` processes
// with SHARD_COUNT=4 divide the shards through leases in Postgres; one is
// killed with SIGKILL and its shards are served again by the others; it is
// started again and the shards rebalance. The emulator records a violation
// whenever a shard has two connected sessions at once, and refuses
// identifies that come sooner than max_concurrency allows: the drill ends
// with neither, and with every interaction answered exactly once.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/discordsim"
)

const drillShards = 4

// leaseProc is one bot process of the lease drill.
type leaseProc struct {
	name string
	addr string
	log  *syncBuffer
	cmd  *exec.Cmd
	done chan struct{}
}

type leaseDrill struct {
	t      *testing.T
	bin    string
	sim    *discordsim.Server
	vars   map[string]string
	guilds [drillShards]discordsim.DemoGuild
	procs  []*leaseProc
	asked  int // interactions sent
}

func newLeaseDrill(t *testing.T) *leaseDrill {
	t.Helper()
	apptest.SkipUnderRace(t)
	d := &leaseDrill{t: t, bin: crashdrillBinary(t)}
	sim, err := discordsim.New(discordsim.Options{Logger: slog.New(slog.DiscardHandler), ShardCount: drillShards})
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
		if shard := (mustID(t, g.GuildID) >> 22) % drillShards; d.guilds[shard].GuildID == "" {
			d.guilds[shard] = g
			found++
		}
		time.Sleep(time.Millisecond)
	}
	d.vars = map[string]string{
		"DATABASE_URL":    schemaURL(t, dbtest.Schema(t)),
		"DISCORD_TOKEN":   sim.Token(),
		"DISCORD_APP_ID":  sim.AppID(),
		"DISCORD_API_URL": sim.APIURL(),
		"SHARD_COUNT":     fmt.Sprint(drillShards), // SHARD_IDS defaults to auto
		"MODULES":         "publicpost",
		"LOG_FORMAT":      "text",
		"LOG_LEVEL":       "debug",
	}
	t.Cleanup(func() {
		for _, p := range d.procs {
			d.stop(p)
		}
		_ = sim.Close()
		sim.RequireNoViolations(t) // spec violations and gateway ones: no shard connected twice
		if t.Failed() {
			for _, p := range d.procs {
				t.Logf("%s log:\n%s", p.name, lastBytes(p.log.String(), 6000))
			}
		}
	})
	if code, out, errOut := invoke(t, context.Background(), d.vars, "migrate"); code != 0 {
		t.Fatalf("app migrate: exit %d\n%s%s", code, out, errOut)
	}
	return d
}

// start runs another identical `app run`.
func (d *leaseDrill) start(name string) *leaseProc {
	d.t.Helper()
	p := &leaseProc{name: name, addr: freeAddr(d.t), log: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(d.bin, "run")
	p.cmd.Env = os.Environ()
	for k, v := range d.vars {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Env = append(p.cmd.Env, "HTTP_ADDR="+p.addr)
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
// It returns the time from since until then.
func (d *leaseDrill) waitServed(what string, live []*leaseProc, since time.Time, limit time.Duration) time.Duration {
	d.t.Helper()
	start := since
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
			return time.Since(start)
		}
		if time.Since(start) > limit {
			d.t.Fatalf("%s: not served within %s: sessions per shard %v, holders per shard %v", what, limit, conn, holders)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// askEveryShard runs /config show in each shard's guild; each must be
// answered (by whichever process holds the shard).
func (d *leaseDrill) askEveryShard(round string) {
	d.t.Helper()
	for shard, g := range d.guilds {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		res, err := d.sim.Interact(ctx, discordsim.InteractionSpec{Type: discordsim.InteractKindCommand, GuildID: g.GuildID,
			ChannelID: g.ChannelIDs["general"], UserID: g.AdminID, Command: "config show"})
		cancel()
		d.asked++
		if err != nil || res.Failed {
			d.t.Fatalf("%s: /config show on shard %d: failed=%t err=%v", round, shard, res.Failed, err)
		}
	}
}

// handled counts the interactions the processes logged as handled.
func (d *leaseDrill) handled() int {
	n := 0
	for _, p := range d.procs {
		n += strings.Count(p.log.String(), `msg="interaction handled"`)
	}
	return n
}

func (d *leaseDrill) logHolders(when string) {
	d.t.Helper()
	var parts []string
	for _, p := range d.procs {
		select {
		case <-p.done:
			continue
		default:
		}
		ids, _ := d.held(p)
		parts = append(parts, fmt.Sprintf("%s=%v", p.name, ids))
	}
	d.t.Logf("%s: %s", when, strings.Join(parts, " "))
}

// TestE2EShardLeaseDrill: three identical processes share four shards,
// each shard held once; kill -9 one and its shards are served again within
// 30 s; start it again and the shards rebalance; no shard is ever connected
// twice, no identify comes too early, and every interaction is answered
// exactly once.
func TestE2EShardLeaseDrill(t *testing.T) {
	t.Parallel()
	d := newLeaseDrill(t)
	first := d.start("p1")
	// The first process registers the commands; the others join once it has.
	dbtest.WaitUntil(t, 60*time.Second, "p1 synced commands", func() bool {
		return strings.Contains(first.log.String(), "commands synced")
	})
	d.start("p2")
	d.start("p3")
	took := d.waitServed("three processes", d.procs, time.Now(), 75*time.Second)
	d.logHolders(fmt.Sprintf("served %s after the others joined", took.Round(100*time.Millisecond)))
	d.askEveryShard("three processes")

	// Kill the process holding the most shards, once each answer is in the
	// logs (the line follows the answer).
	dbtest.WaitUntil(t, 10*time.Second, "answers logged", func() bool { return d.handled() >= d.asked })
	victim, most := d.procs[0], -1
	for _, p := range d.procs {
		if ids, _ := d.held(p); len(ids) > most {
			victim, most = p, len(ids)
		}
	}
	victimShards, _ := d.held(victim)
	d.kill(victim)
	killedAt := time.Now()
	var survivors []*leaseProc
	for _, p := range d.procs {
		if p != victim {
			survivors = append(survivors, p)
		}
	}
	var during string
	dbtest.WaitUntil(t, 20*time.Second, "app shards shows the dead process's leases expired", func() bool {
		code, out, _ := invoke(t, context.Background(), d.vars, "shards")
		during = out
		return code == 0 && strings.Contains(out, " expired ")
	})
	t.Logf("app shards after the kill:\n%s", during)
	recovery := d.waitServed("after kill -9", survivors, killedAt, 60*time.Second)
	t.Logf("kill -9 of %s (shards %v): every shard served again %s after the kill", victim.name, victimShards,
		recovery.Round(100*time.Millisecond))
	if recovery > 30*time.Second {
		t.Errorf("shards of the killed process served again after %s, want within 30 s", recovery.Round(100*time.Millisecond))
	}
	d.askEveryShard("after kill -9")

	// The same process starts again and gets its share back.
	back := d.start(victim.name + "-again")
	rebalance := d.waitServed("after restart", append(survivors, back), time.Now(), 60*time.Second)
	if ids, _ := d.held(back); len(ids) == 0 {
		t.Fatalf("the restarted process holds no shard")
	}
	d.logHolders(fmt.Sprintf("rebalanced %s after the restart", rebalance.Round(100*time.Millisecond)))
	d.askEveryShard("after restart")

	st := d.sim.Stats()
	if st.GatewayViolations != 0 || st.IdentifiesRefused != 0 {
		t.Errorf("%d gateway violations, %d identifies refused as too early; want none", st.GatewayViolations, st.IdentifiesRefused)
	}
	callbacks := st.ByRoute["POST /interactions/{interaction_id}/{interaction_token}/callback"]
	if callbacks != d.asked || st.InvalidRequests != 0 || st.InteractionsFailed != 0 {
		t.Errorf("%d callbacks, %d invalid requests, %d failed for %d interactions; want each answered once",
			callbacks, st.InvalidRequests, st.InteractionsFailed, d.asked)
	}
	dbtest.WaitUntil(t, 10*time.Second, "answers logged", func() bool { return d.handled() >= d.asked })
	if handled := d.handled(); handled != d.asked {
		t.Errorf("processes handled %d interactions, want %d", handled, d.asked)
	}
	code, out, errOut := invoke(t, context.Background(), d.vars, "shards")
	if code != 0 {
		t.Fatalf("app shards: exit %d %s", code, errOut)
	}
	t.Logf("app shards:\n%s", out)
	if strings.Count(out, " held ") != drillShards {
		t.Errorf("app shards lists %d held leases, want %d", strings.Count(out, " held "), drillShards)
	}
}
