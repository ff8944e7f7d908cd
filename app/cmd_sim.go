package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/together-bot/together/core/logging"
	"github.com/together-bot/together/discordsim"
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
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return usagef("%v", err)
	}
	log := logging.New(env.stderr, "text", slog.LevelInfo)
	srv, demo, err := startSim(discordsim.Options{Addr: *addr, Token: *token, AppID: *appID, Logger: log}, *seed)
	if err != nil {
		return err
	}
	defer srv.Close()
	printSim(env.stdout, srv, demo)
	<-ctx.Done()
	return nil
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
	fmt.Fprintf(w, "Discord emulator: %s\n  DISCORD_API_URL=%s\n  control API: %s/_sim/ (see docs/emulator.md)\n",
		srv.URL(), srv.APIURL(), srv.URL())
	if demo != nil {
		ids, _ := json.MarshalIndent(demo, "  ", "  ")
		fmt.Fprintf(w, "  demo guild: %s\n", ids)
	}
}
