package main

// The operator commands of docs/operations.md, each against real Postgres and
// the emulator, with a running bot where the command's effect needs one.

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/modules/publicpost"
)

func TestInfoAndSimCommands(t *testing.T) {
	t.Parallel()
	if code, out, _ := invoke(t, context.Background(), nil, "version"); code != 0 || !strings.HasPrefix(out, "together ") {
		t.Fatalf("version: %d %q", code, out)
	}
	code, out, _ := invoke(t, context.Background(), nil, "modules")
	for _, m := range descriptors {
		if code != 0 || !strings.Contains(out, m.Name) {
			t.Fatalf("modules misses %s: %d %q", m.Name, code, out)
		}
	}

	// app sim serves the emulator until its context ends.
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	var simOut string
	go func() {
		var c int
		c, simOut, _ = invoke(t, ctx, nil, "sim", "--addr="+addr)
		exit <- c
	}()
	var guilds []map[string]any
	dbtest.WaitUntil(t, 10*time.Second, "emulator serving with the demo guild", func() bool {
		resp, err := http.Get("http://" + addr + "/_sim/guilds")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(&guilds) == nil && len(guilds) == 1
	})
	cancel()
	if c := <-exit; c != 0 || !strings.Contains(simOut, "DISCORD_API_URL=http://"+addr+"/api/v10") {
		t.Fatalf("sim: exit %d, output %q", c, simOut)
	}
}

// TestE2ERunWithBuiltInEmulator is `make run` without DISCORD_TOKEN: the
// process starts the emulator, migrates, connects and reports ready.
func TestE2ERunWithBuiltInEmulator(t *testing.T) {
	apptest.SkipUnderRace(t)
	t.Parallel()
	addr, interactions := freeAddr(t), freeAddr(t)
	// INTERACTIONS_ADDR: the emulator PINGs the endpoint with its own key
	// before run prints anything, so a printed URL is a verified one.
	vars := map[string]string{"DATABASE_URL": schemaURL(t, dbtest.Schema(t)), "HTTP_ADDR": addr, "LOG_LEVEL": "error",
		"INTERACTIONS_ADDR": interactions}
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	var out string
	go func() {
		var c int
		c, out, _ = invoke(t, ctx, vars, "run", "--sim")
		exit <- c
	}()
	dbtest.WaitUntil(t, 60*time.Second, "healthz ok", func() bool {
		code, r, _ := getHealth(t, addr)
		return code == 200 && r.OK && r.Discord == "ready"
	})
	cancel()
	select {
	case c := <-exit:
		if c != 0 || !strings.Contains(out, "export SIM=http://") || !strings.Contains(out, "export HEALTH=http://"+addr+"/healthz") ||
			!strings.Contains(out, "export INTERACTIONS=http://"+interactions+"/interactions") {
			t.Fatalf("run: exit %d, output %q", c, out)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("run did not stop")
	}
}

// TestE2ERunbookDashboardsAndPosts: runbook §5 and §6 against a running bot.
// A dashboard deleted by hand comes back with `projections rebuild`; a failed
// post goes out after `posts requeue` and `posts publish-now`.
func TestE2ERunbookDashboardsAndPosts(t *testing.T) {
	t.Parallel()
	d := startDrill(t, "", publicpost.Descriptor)
	vars := d.Env()
	vars["MODULES"] = "publicpost"
	ctx := context.Background()
	general := d.Guild.ChannelIDs["general"]

	d.bump()
	d.WaitUntil(15*time.Second, "dashboard created", func() bool { return d.dashboard(general) == "count=1" })
	code, out, _ := invoke(t, ctx, vars, "projections", "list", "--kind=drill.counter")
	if code != 0 || !strings.Contains(out, "drill.counter") || !strings.Contains(out, " ok ") {
		t.Fatalf("projections list: %d\n%s", code, out)
	}
	var msgID string
	if msgs, _ := d.Sim.Messages(general); len(msgs) > 0 {
		for _, m := range msgs {
			if m["content"] == "count=1" && m["interaction_metadata"] == nil {
				msgID, _ = m["id"].(string)
			}
		}
	}
	if err := d.Sim.DeleteMessage(general, msgID); err != nil {
		t.Fatal(err)
	}
	code, out, _ = invoke(t, ctx, vars, "projections", "rebuild", "--kind=drill.counter", "--guild="+d.Guild.GuildID)
	if code != 0 || !strings.Contains(out, "enqueued 1 dashboard refresh") {
		t.Fatalf("projections rebuild: %d %s", code, out)
	}
	d.WaitUntil(15*time.Second, "dashboard recreated", func() bool { return d.dashboard(general) == "count=1" })

	// A post that failed for good (e.g. the channel was missing) and was fixed.
	duels := d.Guild.ChannelIDs["duels"]
	if _, err := d.DB.Pool.Exec(ctx, `INSERT INTO publicpost_posts (guild_id, channel_id, payload, scheduled_for, next_attempt_at, status, idempotency_key, last_error)
		VALUES ($1, $2, '{"content":"runbook post"}', now(), now(), 'failed', 'runbook:1', 'permanent: missing access')`,
		mustID(t, d.Guild.GuildID), mustID(t, duels)); err != nil {
		t.Fatal(err)
	}
	if code, out, _ = invoke(t, ctx, vars, "posts", "list", "--status=failed"); code != 0 || !strings.Contains(out, "missing access") {
		t.Fatalf("posts list: %d %s", code, out)
	}
	if code, out, _ = invoke(t, ctx, vars, "posts", "requeue", "--status=failed"); code != 0 || !strings.Contains(out, "requeued 1 post") {
		t.Fatalf("posts requeue: %d %s", code, out)
	}
	if code, out, _ = invoke(t, ctx, vars, "posts", "publish-now"); code != 0 {
		t.Fatalf("posts publish-now: %d %s", code, out)
	}
	d.WaitUntil(15*time.Second, "requeued post published", func() bool {
		msgs, _ := d.Sim.Messages(duels)
		return len(msgs) == 1 && msgs[0]["content"] == "runbook post"
	})
	// The row is marked sent just after Discord answers, so poll for it.
	d.WaitUntil(15*time.Second, "post listed as sent", func() bool {
		code, out, _ = invoke(t, ctx, vars, "posts", "list", "--status=sent")
		return code == 0 && strings.Contains(out, " sent ")
	})
}
