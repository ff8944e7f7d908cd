package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/disgoorg/disgo/rest"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/migrate"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/core/runtime"
)

func init() {
	register("smoke", "check config, database, migrations, queue, schedules and the Discord token; exit 0 only if all pass", cmdSmoke)
}

type smokeCheck struct {
	name string
	run  func(ctx context.Context) (string, error)
}

func cmdSmoke(ctx context.Context, env *environment, args []string) error {
	s := newFlags("smoke", env.stderr)
	if err := s.parse(args); err != nil {
		return ignoreHelp(err)
	}
	cfg, cfgErr := config.Load(s.lookup(env))
	failed := 0
	report := func(name, detail string, err error) {
		if err != nil {
			failed++
			fmt.Fprintf(env.stdout, "FAIL %-11s %v\n", name, err)
			return
		}
		fmt.Fprintf(env.stdout, "ok   %-11s %s\n", name, detail)
	}
	if cfgErr != nil {
		report("config", "", cfgErr)
		return fmt.Errorf("1 check failed")
	}
	report("config", cfg.String(), nil)

	var d *db.DB
	checks := []smokeCheck{
		{"database", func(ctx context.Context) (string, error) {
			if cfg.DatabaseURL == "" {
				return "", fmt.Errorf("DATABASE_URL is not set")
			}
			var err error
			if d, err = db.Open(ctx, cfg.DatabaseURL, db.Options{MaxConns: 4}); err != nil {
				return "", err
			}
			var v string
			if err := d.Pool.QueryRow(ctx, `SHOW server_version`).Scan(&v); err != nil {
				return "", fmt.Errorf("not reachable: %w", err)
			}
			return "reachable, PostgreSQL " + v, nil
		}},
		{"migrations", func(ctx context.Context) (string, error) {
			if d == nil {
				return "", fmt.Errorf("skipped: no database")
			}
			sel, err := selectModules(cfg)
			if err != nil {
				return "", err
			}
			pending, err := migrate.New(d.Pool, newLogger(env, cfg), runtime.Sources(sel)...).Pending(ctx)
			if err != nil {
				return "", err
			}
			if len(pending) > 0 {
				var names []string
				for _, p := range pending {
					names = append(names, fmt.Sprintf("%s %03d %s", p.Module, p.Version, p.Name))
				}
				return "", fmt.Errorf("%d pending (run `app migrate`): %s", len(pending), strings.Join(names, "; "))
			}
			return "current", nil
		}},
		{"queue", func(ctx context.Context) (string, error) {
			if d == nil {
				return "", fmt.Errorf("skipped: no database")
			}
			var n int
			if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state IN ('available','retryable','scheduled','running')`).Scan(&n); err != nil {
				return "", fmt.Errorf("river tables not readable: %w", err)
			}
			return fmt.Sprintf("reachable, %d jobs waiting or running", n), nil
		}},
		{"schedules", func(ctx context.Context) (string, error) {
			if d == nil {
				return "", fmt.Errorf("skipped: no database")
			}
			states, err := queue.ListSchedules(ctx, d)
			if err != nil {
				return "", err
			}
			var parts []string
			for _, st := range states {
				state := "on"
				if !st.Enabled {
					state = "off"
				}
				parts = append(parts, st.Name+"="+state)
			}
			if len(parts) == 0 {
				return "none recorded yet", nil
			}
			return strings.Join(parts, " "), nil
		}},
		{"discord", func(ctx context.Context) (string, error) {
			if cfg.DiscordToken == "" {
				return "", fmt.Errorf("DISCORD_TOKEN is not set")
			}
			client := rest.New(rest.NewClient(cfg.DiscordToken, rest.WithURL(cfg.DiscordAPIURL)))
			u, err := client.GetCurrentUser("", rest.WithCtx(ctx))
			if err != nil {
				return "", fmt.Errorf("token not accepted by %s: %w", cfg.DiscordAPIURL, err)
			}
			return fmt.Sprintf("token accepted: %s (%s)", u.Username, u.ID), nil
		}},
	}
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		detail, err := c.run(cctx)
		cancel()
		report(c.name, detail, err)
	}
	if d != nil {
		d.Close()
	}
	if failed > 0 {
		return fmt.Errorf("%d check(s) failed", failed)
	}
	return nil
}
