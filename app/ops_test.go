package main

import (
	"context"
	"strings"
	"testing"

	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/discordsim/simtest"
)

func TestPostsAndProjectionsCommands(t *testing.T) {
	t.Parallel()
	vars, d := migrated(t)
	if _, err := d.Pool.Exec(context.Background(), `INSERT INTO publicpost_posts (guild_id, channel_id, payload, scheduled_for, next_attempt_at, status, idempotency_key, last_error)
		VALUES (42, 43, '{"content":"hi"}', now(), now(), 'failed', 'k1', 'permanent: unknown channel')`); err != nil {
		t.Fatal(err)
	}
	runSteps(t, vars,
		step(0, "unknown channel", "posts", "list", "--status=failed"),
		step(0, "requeued 1 post", "posts", "requeue", "--guild=42"),
		step(0, "pending", "posts", "list", "--status=pending"),
		step(0, "enqueued the publish sweep", "posts", "publish-now"),
		step(2, "", "posts", "requeue", "--status=sent"),
		step(2, "", "posts", "list", "--guild=abc"),
		step(2, "", "posts", "list", "--status=bogus"),
		step(2, "", "posts", "explode"),
		step(2, "", "projections", "rebuild", "--key=x"),
		step(2, "", "projections", "frob"),
		step(0, "no dashboards match", "projections", "list"),
		step(0, "enqueued 0 dashboard refresh", "projections", "rebuild", "--kind=duel.board", "--guild=42"),
	)
}

func TestCommandsSyncWritesOnlyChanges(t *testing.T) {
	t.Parallel()
	sim := simtest.New(t, discordsim.Options{})
	vars := map[string]string{"DISCORD_TOKEN": sim.Token(), "DISCORD_API_URL": sim.APIURL()}
	code, out, errOut := invoke(t, context.Background(), vars, "commands", "sync")
	if code != 0 || !strings.Contains(out, "commands globally:") {
		t.Fatalf("first sync: %d %s %s", code, out, errOut)
	}
	code, out, _ = invoke(t, context.Background(), vars, "commands", "sync")
	if code != 0 || !strings.Contains(strings.ToLower(out), "unchanged") {
		t.Fatalf("second sync should change nothing: %d %s", code, out)
	}
}

func TestOraclePublishCommand(t *testing.T) {
	t.Parallel()
	vars, d := migrated(t)
	runSteps(t, vars, step(2, "no oracle channel", "oracle", "publish", "--guild=42"))
	if _, err := d.Pool.Exec(context.Background(), `INSERT INTO core_guild_channels (guild_id, module, purpose, channel_id) VALUES (42, 'oracle', 'channel', 4242)`); err != nil {
		t.Fatal(err)
	}
	runSteps(t, vars,
		step(0, "in channel 4242", "oracle", "publish", "--guild=42"),
		step(0, "oracle", "projections", "list"),
	)
}

func TestHallRefreshCommand(t *testing.T) {
	t.Parallel()
	vars, _ := migrated(t)
	runSteps(t, vars,
		step(0, "queued a hall sync for guild 42", "hall", "refresh", "--guild=42"),
		step(0, "hall.sync", "queue", "status"),
		step(2, "", "hall", "refresh", "--guild=abc"),
	)
}
