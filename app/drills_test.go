package main

// Outage drills (issue 12, runbook docs/operations.md §1 and §2): the real
// runtime against the emulator, with gateway faults, a REST 5xx window and a
// private Postgres that is stopped and started again. Each drill asserts only
// what an operator can observe: /healthz, the log, the dashboards and posts
// on "Discord", and the CLI.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/logging/logtest"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/ops"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/discordsim/simtest"
	"github.com/together-bot/together/modules/publicpost"
)

// drillModule is a tiny module with one counter per guild, a /drillbump
// command that increments it and requests its dashboard in the same
// transaction, and the dashboard renderer ("count=N" in the given channel).
var drillModule = module.Descriptor{
	Name: "drill",
	Migrations: fstest.MapFS{"001_counter.sql": {Data: []byte(`CREATE TABLE drill_counter (
		guild_id bigint PRIMARY KEY, channel_id bigint NOT NULL, value integer NOT NULL DEFAULT 0)`)}},
	Options: fx.Module("drill",
		module.Contribute(interaction.Commands, func(p *projection.Service) []interaction.Command {
			return []interaction.Command{{
				Module:     "drill",
				Ephemeral:  true,
				Definition: discord.SlashCommandCreate{Name: "drillbump", Description: "Bump the drill counter"},
				Handle: func(c *interaction.Context) error {
					v, err := drillBump(c, c.DB().Bun, p, c.GuildID(), uint64(c.Interaction.Channel().ID()))
					if err != nil {
						return err
					}
					return c.ReplyText(true, "count="+strconv.Itoa(v))
				},
			}}
		}),
		module.Add(projection.Renderers, projection.Renderer{Kind: "drill.counter", Module: "drill", Render: renderDrill}),
	),
}

func drillBump(ctx context.Context, b *bun.DB, p *projection.Service, guildID, channelID uint64) (int, error) {
	var v int
	err := b.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw(`INSERT INTO drill_counter (guild_id, channel_id, value) VALUES (?, ?, 1)
			ON CONFLICT (guild_id) DO UPDATE SET value = drill_counter.value + 1 RETURNING value`,
			int64(guildID), int64(channelID)).Scan(ctx, &v); err != nil {
			return err
		}
		return p.Request(ctx, tx, "drill.counter", strconv.FormatUint(guildID, 10))
	})
	if err != nil {
		return 0, fmt.Errorf("bump: %w", err)
	}
	return v, nil
}

func renderDrill(ctx context.Context, db bun.IDB, key string) (projection.Rendered, error) {
	var channel, value int64
	if err := db.NewRaw(`SELECT channel_id, value FROM drill_counter WHERE guild_id = ?`, key).Scan(ctx, &channel, &value); err != nil {
		return projection.Rendered{}, err
	}
	g, _ := snowflake.Parse(key)
	return projection.Rendered{GuildID: g, ChannelID: snowflake.ID(channel),
		Message: discord.MessageCreate{Content: fmt.Sprintf("count=%d", value)}}, nil
}

// drill wraps the harness with what every drill observes.
type drill struct {
	*apptest.Harness
	log  *logtest.Buffer
	proj *projection.Service
}

func startDrill(t *testing.T, dbURL string, modules ...module.Descriptor) *drill {
	d := &drill{log: &logtest.Buffer{}}
	d.Harness = apptest.Start(t, apptest.Options{
		Modules:     append(modules, drillModule),
		DatabaseURL: dbURL,
		LogOutput:   d.log,
		Extra:       []fx.Option{fx.Populate(&d.proj)},
	})
	return d
}

// lines counts log lines with the given message.
func (d *drill) lines(msg string) int { return strings.Count(d.log.String(), "msg="+msg+" ") }

func (d *drill) health() (int, ops.Report) {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(d.HTTPURL() + "/healthz")
	if err != nil {
		return 0, ops.Report{}
	}
	defer resp.Body.Close()
	var r ops.Report
	_ = json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode, r
}

// bump runs /drillbump in #general and returns the answer's text.
func (d *drill) bump() (discordsim.InteractionResult, string) {
	d.T.Helper()
	res := d.Command(d.Guild.MemberIDs[0], "drillbump", nil)
	return res, apptest.ReplyText(res)
}

// dashboard is the single bot message in channel (fails if there are more).
func (d *drill) dashboard(channel string) string {
	d.T.Helper()
	msgs, err := d.Sim.Messages(channel)
	if err != nil {
		d.T.Fatal(err)
	}
	var found []string
	for _, m := range msgs {
		if m["ephemeral_to"] != nil || m["interaction_metadata"] != nil {
			continue // answers to /drillbump, not the dashboard
		}
		if c, _ := m["content"].(string); strings.HasPrefix(c, "count=") {
			found = append(found, c)
		}
	}
	if len(found) > 1 {
		d.T.Fatalf("%d dashboard messages in one channel: %v", len(found), found)
	}
	if len(found) == 0 {
		return ""
	}
	return found[0]
}

// counterValue reads the source of truth.
func (d *drill) counterValue() int {
	var v int
	_ = d.DB.Pool.QueryRow(context.Background(), `SELECT value FROM drill_counter`).Scan(&v)
	return v
}

// TestE2EDrillDiscordOutage is runbook §1: gateway close, op 7 reconnect and
// op 9 invalid session each log ShardDisconnect then ShardResume and the bot
// answers again without a restart; a window of REST 5xx leaves /healthz
// ready (the gateway is fine), and the dashboard changed during it catches up
// by itself afterwards. DRILL_REST_OUTAGE (e.g. 60s) lengthens the window.
func TestE2EDrillDiscordOutage(t *testing.T) {
	t.Parallel()
	d := startDrill(t, "")
	lobby := d.Guild.ChannelIDs["lobby"]
	if code, r := d.health(); code != 200 || r.Discord != "ready" {
		t.Fatalf("healthz before the drill: %d %+v", code, r)
	}
	// The dashboard lives in #lobby: the first bump creates it there.
	if _, err := drillBump(context.Background(), d.DB.Bun, d.proj, mustID(t, d.Guild.GuildID), mustID(t, lobby)); err != nil {
		t.Fatal(err)
	}
	d.WaitUntil(15*time.Second, "dashboard created", func() bool { return d.dashboard(lobby) == "count=1" })

	faults := []discordsim.Fault{
		{Kind: discordsim.FaultGatewayClose, Code: 4000},
		{Kind: discordsim.FaultReconnect},
		{Kind: discordsim.FaultInvalidSession, Resumable: false},
	}
	for i, f := range faults {
		downs, ups := d.lines("ShardDisconnect"), d.lines("ShardResume")
		if err := d.Sim.InjectFault(f); err != nil {
			t.Fatal(err)
		}
		d.WaitUntil(30*time.Second, f.Kind+": ShardDisconnect then ShardResume logged", func() bool {
			return d.lines("ShardDisconnect") > downs && d.lines("ShardResume") > ups
		})
		d.WaitUntil(10*time.Second, f.Kind+": /healthz ready again", func() bool {
			code, r := d.health()
			return code == 200 && r.Discord == "ready"
		})
		// Interactions arrive over the new session and are answered.
		if _, text := d.bump(); text != "count="+strconv.Itoa(i+2) {
			t.Fatalf("after %s: /drillbump answered %q", f.Kind, text)
		}
		want := fmt.Sprintf("count=%d", i+2)
		d.WaitUntil(15*time.Second, "dashboard after "+f.Kind, func() bool { return d.dashboard(lobby) == want })
	}
	t.Logf("log lines: %d ShardDisconnect, %d ShardResume", d.lines("ShardDisconnect"), d.lines("ShardResume"))

	outage := 10 * time.Second
	if v := os.Getenv("DRILL_REST_OUTAGE"); v != "" {
		var err error
		if outage, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Sim.InjectFault(discordsim.Fault{Kind: discordsim.FaultREST5xx, Status: 502, DurationMS: int(outage.Milliseconds())}); err != nil {
		t.Fatal(err)
	}
	faultEnd := time.Now().Add(outage)
	// Changes committed while Discord's API fails: Postgres takes them, the
	// refresh jobs fail and retry with backoff.
	for range 3 {
		if _, err := drillBump(context.Background(), d.DB.Bun, d.proj, mustID(t, d.Guild.GuildID), mustID(t, lobby)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(outage / 4)
	}
	if code, r := d.health(); code != 200 || r.Discord != "ready" || r.DB != "ok" {
		t.Fatalf("healthz during REST 5xx: %d %+v", code, r)
	}
	if got := d.dashboard(lobby); got != "count=4" {
		t.Fatalf("dashboard changed although every REST call failed: %q", got)
	}
	time.Sleep(time.Until(faultEnd))
	want := fmt.Sprintf("count=%d", d.counterValue())
	// The refresh retries with jittered backoff doubling from 1 s: the next
	// attempt after the outage comes within about one outage plus a margin.
	d.WaitUntil(30*time.Second+outage, "dashboard caught up after the REST outage", func() bool { return d.dashboard(lobby) == want })
	t.Logf("REST 5xx for %s: dashboard showed %s %s after the outage ended", outage, want, time.Since(faultEnd).Round(100*time.Millisecond))
	if _, text := d.bump(); text != "count=8" {
		t.Fatalf("after the REST outage /drillbump answered %q", text)
	}
	// What an operator graphs: interactions, dashboard edits with their
	// staleness, and the 5xx answers Discord gave during the outage.
	resp, err := http.Get(d.HTTPURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	for _, want := range []string{
		`together_interactions_total{command="drillbump",module="drill",outcome="ok"}`,
		`together_projection_refreshes_total{kind="drill.counter",result="edited"}`,
		`together_projection_staleness_seconds_count{kind="drill.counter"}`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	failedEdits := false
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, `together_discord_requests_total{route="PATCH `) && strings.Contains(line, `status="502"`) {
			failedEdits = true
		}
	}
	if !failedEdits {
		t.Error("/metrics does not count the 502 answers to dashboard edits")
	}
}

// TestE2EDrillPostgresOutage is runbook §2 on a private Postgres: while it
// is down /healthz says db "fail" (503) promptly, a command is answered with
// the localized "temporarily unavailable" text inside Discord's 3 s window,
// and the process keeps running. After Postgres returns, the same process
// serves again, posts that fell due during the outage are published exactly
// once, the dashboard whose refresh was requested just before Postgres went
// shows the latest value, and `app smoke` and `app queue status` work.
func TestE2EDrillPostgresOutage(t *testing.T) {
	t.Parallel()
	cluster := dbtest.NewCluster(t)
	var posts *publicpost.Service
	d := &drill{log: &logtest.Buffer{}}
	d.Harness = apptest.Start(t, apptest.Options{
		Modules:     []module.Descriptor{publicpost.Descriptor, drillModule},
		DatabaseURL: cluster.URL(),
		LogOutput:   d.log,
		Extra:       []fx.Option{fx.Populate(&d.proj, &posts)},
	})
	general, duels := d.Guild.ChannelIDs["general"], d.Guild.ChannelIDs["duels"]
	ctx := context.Background()

	if _, text := d.bump(); text != "count=1" {
		t.Fatalf("/drillbump before the outage: %q", text)
	}
	d.WaitUntil(15*time.Second, "dashboard created", func() bool { return d.dashboard(general) == "count=1" })

	// Posts that fall due while Postgres is down.
	const n = 5
	due := time.Now().Add(3 * time.Second)
	for i := range n {
		if _, _, err := posts.CreateNow(ctx, publicpost.NewPost{GuildID: mustID(t, d.Guild.GuildID), ChannelID: mustID(t, duels),
			Payload: publicpost.Payload{Content: fmt.Sprintf("drill post %d", i)}, At: due,
			IdempotencyKey: "drill:" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}

	// A dashboard refresh requested just before Postgres goes: the worker is
	// normally still waiting out the dashboard's 1 s edit spacing when the
	// connection drops.
	if _, err := drillBump(ctx, d.DB.Bun, d.proj, mustID(t, d.Guild.GuildID), mustID(t, general)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	cluster.Stop()
	down := time.Now()
	logBefore := len(d.log.String())
	d.WaitUntil(10*time.Second, `/healthz db "fail"`, func() bool {
		code, r := d.health()
		return code == 503 && r.DB == "fail" && r.Queue == "fail" && r.Discord == "ready"
	})
	time.Sleep(time.Until(due) + time.Second)
	res, text := d.bump()
	if res.Failed || !strings.Contains(text, "temporarily unavailable") {
		t.Fatalf("/drillbump during the outage: failed=%t text %q", res.Failed, text)
	}
	t.Logf("during the outage /drillbump was acknowledged after %d ms: %q", res.AckMS, text)
	time.Sleep(3 * time.Second) // let the workers hit the outage for a while
	if msgs, _ := d.Sim.Messages(duels); len(msgs) != 0 {
		t.Fatalf("%d posts sent while Postgres was down", len(msgs))
	}
	outageLog := d.log.String()[logBefore:]
	if os.Getenv("DRILL_SHOW_LOG") != "" {
		t.Logf("log during the outage:\n%s", outageLog)
	}
	t.Logf("outage of %s: %d log lines, %d at level ERROR", time.Since(down).Round(time.Second),
		strings.Count(outageLog, "\n"), strings.Count(outageLog, "level=ERROR"))

	cluster.Start()
	up := time.Now()
	d.WaitUntil(30*time.Second, "/healthz ok again", func() bool {
		code, r := d.health()
		return code == 200 && r.OK
	})
	t.Logf("healthz ok %s after Postgres restarted", time.Since(up).Round(100*time.Millisecond))

	// Posts due during the outage: each published exactly once.
	d.WaitUntil(45*time.Second, "posts published after recovery", func() bool {
		var sent int
		err := d.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM publicpost_posts WHERE status = 'sent'`).Scan(&sent)
		return err == nil && sent == n
	})
	t.Logf("all %d posts sent %s after Postgres restarted", n, time.Since(up).Round(100*time.Millisecond))
	msgs, err := d.Sim.Messages(duels)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, m := range msgs {
		c, _ := m["content"].(string)
		seen[c]++
	}
	for i := range n {
		if c := fmt.Sprintf("drill post %d", i); seen[c] != 1 {
			t.Errorf("%q published %d times", c, seen[c])
		}
	}
	if len(msgs) != n {
		t.Errorf("%d messages for %d posts", len(msgs), n)
	}

	// The same process answers and projects again; nothing was lost.
	var text2 string
	d.WaitUntil(15*time.Second, "/drillbump works again", func() bool {
		_, text2 = d.bump()
		return strings.HasPrefix(text2, "count=")
	})
	if text2 != "count=3" {
		t.Fatalf("after recovery /drillbump answered %q (the outage attempt must not have counted)", text2)
	}
	d.WaitUntil(30*time.Second, "dashboard follows after recovery", func() bool { return d.dashboard(general) == "count=3" })

	vars := d.Env()
	vars["MODULES"] = "publicpost" // the catalog's modules this bot runs (drill is test-only)
	code, out, errOut := invoke(t, ctx, vars, "smoke")
	if code != 0 {
		t.Fatalf("app smoke after recovery: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("app smoke after recovery:\n%s", out)
	code, out, errOut = invoke(t, ctx, vars, "queue", "status")
	if code != 0 {
		t.Fatalf("app queue status: exit %d %s", code, errOut)
	}
	t.Logf("app queue status after recovery:\n%s", out)
}

func mustID(t testing.TB, s string) uint64 {
	t.Helper()
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestE2EDrillTwoProcesses is runbook §3's "several processes": two bot
// processes share one database and one Discord application, each opening
// one of two shards. Each guild's commands are answered once, by the process
// holding its shard, and both guilds' dashboards follow their counters
// whichever process runs the refresh jobs.
func TestE2EDrillTwoProcesses(t *testing.T) {
	t.Parallel()
	sim := simtest.New(t, discordsim.Options{Logger: slog.New(slog.DiscardHandler)})
	// One demo guild on each shard: Discord's shard is (guild_id >> 22) % 2.
	var guilds [2]*discordsim.DemoGuild
	for tries := 0; guilds[0] == nil || guilds[1] == nil; tries++ {
		if tries == 50 {
			t.Fatal("no guild landed on one of the shards")
		}
		g, err := sim.SeedDemoGuild()
		if err != nil {
			t.Fatal(err)
		}
		if shard := (mustID(t, g.GuildID) >> 22) % 2; guilds[shard] == nil {
			guilds[shard] = &g
		}
	}
	var procs [2]*drill
	for shard := range 2 {
		d := &drill{log: &logtest.Buffer{}}
		opts := apptest.Options{Modules: []module.Descriptor{drillModule}, SharedSim: sim, LogOutput: d.log,
			Env:   map[string]string{"SHARD_COUNT": "2", "SHARD_IDS": strconv.Itoa(shard)},
			Extra: []fx.Option{fx.Populate(&d.proj)}}
		if shard == 1 {
			opts.DatabaseURL = schemaURL(t, procs[0].Schema)
		}
		d.Harness = apptest.Start(t, opts)
		d.Guild = *guilds[shard]
		procs[shard] = d
	}
	const bumps = 3
	for i := 1; i <= bumps; i++ {
		for _, d := range procs {
			if _, text := d.bump(); text != "count="+strconv.Itoa(i) {
				t.Fatalf("guild %s: bump %d answered %q", d.Guild.GuildID, i, text)
			}
		}
	}
	for _, d := range procs {
		general := d.Guild.ChannelIDs["general"]
		d.WaitUntil(20*time.Second, "dashboard of guild "+d.Guild.GuildID, func() bool {
			return d.dashboard(general) == fmt.Sprintf("count=%d", bumps)
		})
		if n := strings.Count(d.log.String(), `msg="interaction handled"`); n != bumps {
			t.Errorf("process with shard of guild %s handled %d interactions, want %d", d.Guild.GuildID, n, bumps)
		}
	}
	st := sim.Stats()
	if callbacks := st.ByRoute["POST /interactions/{interaction_id}/{interaction_token}/callback"]; callbacks != 2*bumps || st.InvalidRequests != 0 {
		t.Fatalf("%d interaction callbacks and %d invalid requests for %d interactions", callbacks, st.InvalidRequests, 2*bumps)
	}
	var workers int
	_ = procs[0].DB.Pool.QueryRow(context.Background(),
		`SELECT count(DISTINCT a) FROM river_job, unnest(attempted_by) a WHERE kind = 'projection.refresh'`).Scan(&workers)
	t.Logf("projection refreshes ran in %d process(es)", workers)
}
