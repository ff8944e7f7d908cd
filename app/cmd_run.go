package main

import (
	"context"
	"fmt"

	"go.uber.org/fx"

	"github.com/together-bot/together/core/runtime"
	"github.com/together-bot/together/discordsim"
)

func init() {
	register("run", "run the bot (migrates first unless --no-migrate)", cmdRun)
}

func cmdRun(ctx context.Context, env *environment, args []string) error {
	s := newFlags("run", env.stderr)
	noMigrate := s.fs.Bool("no-migrate", false, "skip migrations at start")
	if err := s.parse(args); err != nil {
		return ignoreHelp(err)
	}
	cfg, err := s.load(env)
	if err != nil {
		return err
	}
	sel, err := selectModules(cfg)
	if err != nil {
		return err
	}
	log := newLogger(env, cfg)
	if cfg.DatabaseURL == "" {
		return usagef("DATABASE_URL is not set (use `make run`, which starts a local Postgres)")
	}
	if cfg.DiscordToken == "" {
		// No Discord token: run against the built-in emulator, as `make run` does.
		srv, demo, err := startSim(discordsim.Options{Logger: log}, true)
		if err != nil {
			return err
		}
		defer srv.Close()
		cfg.DiscordToken, cfg.DiscordAPIURL = srv.Token(), srv.APIURL()
		printSim(env.stdout, srv, demo)
	}
	requested := cfg.Modules
	if len(requested) == 0 {
		requested = sel.Names()
	}
	log.Info(sel.Summary(requested), "config", cfg.String())
	app := fx.New(runtime.Options(runtime.Params{Config: cfg, Selection: sel, Logger: log, Version: version, NoMigrate: *noMigrate, SyncCommands: true}))
	if err := app.Err(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	startCtx, cancel := context.WithTimeout(ctx, app.StartTimeout())
	defer cancel()
	if err := app.Start(startCtx); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	log.Info("bot running", "version", version)
	<-ctx.Done()
	log.Info("shutting down")
	stopCtx, cancelStop := context.WithTimeout(context.Background(), app.StopTimeout())
	defer cancelStop()
	return app.Stop(stopCtx)
}
