package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/together-bot/together/core/logging"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/discordsim/ratelimit"
)

func init() {
	register("sim", "run the Discord emulator alone (REST, gateway, control API under /_sim/)", cmdSim)
}

func cmdSim(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("app sim", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	addr := fs.String("addr", "127.0.0.1:7000", "listen address")
	token := fs.String("token", "", "bot token to accept (default: a token derived from --app-id)")
	appID := fs.String("app-id", discordsim.DefaultAppID, "application id")
	seed := fs.Bool("seed", true, "create the demo guild")
	guilds := fs.Int("guilds", 0, "also generate this many guilds for scale runs (see --members-per-guild, --world-seed)")
	membersPerGuild := fs.Int("members-per-guild", 50, "human members of each generated guild, owner and one staff member included")
	worldSeed := fs.Uint64("world-seed", 1, "seed of the generated guilds' names and staff")
	shards := fs.Int("shards", 0, "shard count GET /gateway/bot recommends (default: one per 1,000 guilds, at least 1)")
	logSize := fs.Int("request-log-size", 1000, "requests kept by /_sim/requests")
	logBody := fs.Int("request-log-body", discordsim.DefaultRequestLogBodyLimit, "bytes of each request body kept in the request log (longer bodies are marked body_truncated)")
	defaults := ratelimit.DefaultConfig()
	global := fs.Int("rate-global", defaults.GlobalPerSecond, "global requests per second per token (-1: unlimited)")
	var limits ratelimit.Config
	bucketFlag(fs, &limits.MessageCreate, "rate-message-create", defaults.MessageCreate, "message creates per channel")
	bucketFlag(fs, &limits.MessageEdit, "rate-message-edit", defaults.MessageEdit, "message edits per channel")
	bucketFlag(fs, &limits.Default, "rate-default", defaults.Default, "requests per route and major id for other routes")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("%v", err)
	}
	if *logSize < 1 || *logBody < 1 {
		return usagef("--request-log-size and --request-log-body must be positive")
	}
	if *global == 0 || *global < -1 {
		return usagef("--rate-global must be positive or -1, got %d", *global)
	}
	if *guilds < 0 || *guilds > discordsim.MaxSeedGuilds {
		return usagef("--guilds must be 0 to %d, got %d", discordsim.MaxSeedGuilds, *guilds)
	}
	if *guilds > 0 && (*membersPerGuild < 2 || *membersPerGuild > discordsim.MaxSeedMembers) {
		return usagef("--members-per-guild must be 2 to %d, got %d", discordsim.MaxSeedMembers, *membersPerGuild)
	}
	if *shards < 0 {
		return usagef("--shards must be positive, got %d", *shards)
	}
	if *shards == 0 {
		*shards = RecommendedShards(*guilds)
	}
	limits.GlobalPerSecond = *global
	log := logging.New(env.stderr, "text", slog.LevelInfo)
	srv, demo, err := startSim(discordsim.Options{
		Addr: *addr, Token: *token, AppID: *appID, Logger: log, Limits: limits,
		RequestLogSize: *logSize, RequestLogBodyLimit: *logBody, ShardCount: *shards,
	}, *seed)
	if err != nil {
		return err
	}
	defer srv.Close()
	if *guilds > 0 {
		if _, err := srv.SeedWorld(discordsim.WorldSpec{Guilds: *guilds, MembersPerGuild: *membersPerGuild, Seed: *worldSeed}); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "generated %d guilds of %d members over %d shards (SHARD_COUNT=%d for the bot)\n", *guilds, *membersPerGuild, *shards, *shards)
	}
	printSim(env.stdout, srv, demo)
	<-ctx.Done()
	return nil
}

// RecommendedShards is the shard count for a bot in guilds guilds: Discord
// recommends about one shard per 1,000 guilds (2,500 is the hard limit).
func RecommendedShards(guilds int) int {
	return max(1, (guilds+999)/1000)
}

// bucketFlag registers a LIMIT/WINDOW flag (see ratelimit.ParseBucket).
func bucketFlag(fs *flag.FlagSet, dst *ratelimit.Bucket, name string, def ratelimit.Bucket, what string) {
	*dst = def
	fs.Func(name, what+" as LIMIT/WINDOW or unlimited (default "+def.String()+")", func(v string) error {
		b, err := ratelimit.ParseBucket(v)
		if err != nil {
			return err
		}
		*dst = b
		return nil
	})
}

// startSim starts an emulator and optionally seeds the demo guild.
func startSim(opts discordsim.Options, seed bool) (*discordsim.Server, *discordsim.DemoGuild, error) {
	srv, err := discordsim.New(opts)
	if err != nil {
		return nil, nil, err
	}
	if err := srv.Start(""); err != nil {
		return nil, nil, err
	}
	if !seed {
		return srv, nil, nil
	}
	demo, err := srv.SeedDemoGuild()
	if err != nil {
		_ = srv.Close()
		return nil, nil, fmt.Errorf("seed demo guild: %w", err)
	}
	return srv, &demo, nil
}

func printSim(w io.Writer, srv *discordsim.Server, demo *discordsim.DemoGuild) {
	fmt.Fprintf(w, "Discord emulator: %s\n  playground: %s\n  DISCORD_API_URL=%s\n  control API: %s/_sim/ (see docs/emulator.md)\n",
		srv.URL(), srv.PlaygroundURL(), srv.APIURL(), srv.URL())
	if demo != nil {
		ids, _ := json.MarshalIndent(demo, "  ", "  ")
		fmt.Fprintf(w, "  demo guild: %s\n", ids)
	}
}
