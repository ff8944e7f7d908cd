package main

import (
	"context"
	"strings"
	"testing"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/discordsim"
)

func TestPostsAndProjectionsCommands(t *testing.T) {
	t.Parallel()
	schema := dbtest.Schema(t)
	vars := map[string]string{"DATABASE_URL": schemaURL(t, schema)}
	if code, out, errOut := invoke(t, context.Background(), vars, "migrate"); code != 0 {
		t.Fatalf("migrate: %s %s", out, errOut)
	}
	d := dbtest.Open(t, schema)
	ctx := context.Background()
	if _, err := d.Pool.Exec(ctx, `INSERT INTO publicpost_posts (guild_id, channel_id, payload, scheduled_for, next_attempt_at, status, idempotency_key, last_error)
		VALUES (42, 43, '{"content":"hi"}', now(), now(), 'failed', 'k1', 'permanent: unknown channel')`); err != nil {
		t.Fatal(err)
	}
	code, out, _ := invoke(t, ctx, vars, "posts", "list", "--status=failed")
	if code != 0 || !strings.Contains(out, "unknown channel") {
		t.Fatalf("posts list: %d %s", code, out)
	}
	code, out, _ = invoke(t, ctx, vars, "posts", "requeue", "--guild=42")
	if code != 0 || !strings.Contains(out, "requeued 1 post") {
		t.Fatalf("posts requeue: %d %s", code, out)
	}
	code, out, _ = invoke(t, ctx, vars, "posts", "list", "--status=pending")
	if code != 0 || !strings.Contains(out, "pending") {
		t.Fatalf("after requeue: %d %s", code, out)
	}
	code, out, _ = invoke(t, ctx, vars, "posts", "publish-now")
	if code != 0 || !strings.Contains(out, "enqueued the publish sweep") {
		t.Fatalf("publish-now: %d %s", code, out)
	}
	for _, bad := range [][]string{
		{"posts", "requeue", "--status=sent"},
		{"posts", "list", "--guild=abc"},
		{"posts", "list", "--status=bogus"},
		{"posts", "explode"},
		{"projections", "rebuild", "--key=x"},
		{"projections", "frob"},
	} {
		if code, _, errOut := invoke(t, ctx, vars, bad...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", bad, code, errOut)
		}
	}
	code, out, _ = invoke(t, ctx, vars, "projections", "list")
	if code != 0 || !strings.Contains(out, "no dashboards match") {
		t.Fatalf("projections list: %d %s", code, out)
	}
	code, out, _ = invoke(t, ctx, vars, "projections", "rebuild", "--kind=duel.board", "--guild=42")
	if code != 0 || !strings.Contains(out, "enqueued 0 dashboard refresh") {
		t.Fatalf("projections rebuild: %d %s", code, out)
	}
}

func TestCommandsSyncWritesOnlyChanges(t *testing.T) {
	t.Parallel()
	sim, err := discordsim.New(discordsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	vars := map[string]string{"DISCORD_TOKEN": sim.Token(), "DISCORD_API_URL": sim.APIURL()}
	code, out, errOut := invoke(t, context.Background(), vars, "commands", "sync")
	if code != 0 || !strings.Contains(out, "commands globally:") {
		t.Fatalf("first sync: %d %s %s", code, out, errOut)
	}
	code, out, _ = invoke(t, context.Background(), vars, "commands", "sync")
	if code != 0 || !strings.Contains(strings.ToLower(out), "unchanged") {
		t.Fatalf("second sync should change nothing: %d %s", code, out)
	}
	sim.RequireNoViolations(t)
}

func TestOraclePublishCommand(t *testing.T) {
	t.Parallel()
	schema := dbtest.Schema(t)
	vars := map[string]string{"DATABASE_URL": schemaURL(t, schema)}
	if code, out, errOut := invoke(t, context.Background(), vars, "migrate"); code != 0 {
		t.Fatalf("migrate: %s %s", out, errOut)
	}
	ctx := context.Background()
	if code, _, errOut := invoke(t, ctx, vars, "oracle", "publish", "--guild=42"); code != 2 || !strings.Contains(errOut, "no oracle channel") {
		t.Fatalf("without a channel: %d %s", code, errOut)
	}
	d := dbtest.Open(t, schema)
	if _, err := d.Pool.Exec(ctx, `INSERT INTO core_guild_channels (guild_id, module, purpose, channel_id) VALUES (42, 'oracle', 'channel', 4242)`); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := invoke(t, ctx, vars, "oracle", "publish", "--guild=42")
	if code != 0 || !strings.Contains(out, "in channel 4242") {
		t.Fatalf("publish: %d %s %s", code, out, errOut)
	}
	code, out, _ = invoke(t, ctx, vars, "projections", "list")
	if code != 0 || !strings.Contains(out, "oracle") {
		t.Fatalf("the dashboard was not requested: %s", out)
	}
}

func TestHallRefreshCommand(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"DATABASE_URL": schemaURL(t, dbtest.Schema(t))}
	ctx := context.Background()
	if code, out, errOut := invoke(t, ctx, vars, "migrate"); code != 0 {
		t.Fatalf("migrate: %s %s", out, errOut)
	}
	code, out, errOut := invoke(t, ctx, vars, "hall", "refresh", "--guild=42")
	if code != 0 || !strings.Contains(out, "queued a hall sync for guild 42") {
		t.Fatalf("hall refresh: %d %s %s", code, out, errOut)
	}
	code, out, _ = invoke(t, ctx, vars, "queue", "status")
	if code != 0 || !strings.Contains(out, "hall.sync") {
		t.Fatalf("the sync job is not queued: %s", out)
	}
	if code, _, _ := invoke(t, ctx, vars, "hall", "refresh", "--guild=abc"); code != 2 {
		t.Fatalf("bad guild accepted: %d", code)
	}
}
