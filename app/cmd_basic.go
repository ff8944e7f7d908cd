package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/together-bot/together/core/db/migrate"
	"github.com/together-bot/together/core/operator"
	"github.com/together-bot/together/core/runtime"
)

func init() {
	register("version", "print the version", func(_ context.Context, env *environment, _ []string) error {
		fmt.Fprintln(env.stdout, "together", version)
		return nil
	})
	register("modules", "list the modules compiled in and what each requires", cmdModules)
	register("migrate", "apply pending migrations (core, River, selected modules) and exit", cmdMigrate)
}

func cmdModules(_ context.Context, env *environment, _ []string) error {
	cat, err := catalog()
	if err != nil {
		return err
	}
	for _, n := range cat.Names() {
		d, _ := cat.Get(n)
		req := "-"
		if len(d.Requires) > 0 {
			req = strings.Join(d.Requires, ", ")
		}
		fmt.Fprintf(env.stdout, "%-12s requires: %s\n", n, req)
	}
	return nil
}

func cmdMigrate(ctx context.Context, env *environment, args []string) error {
	s := newFlags("migrate", env.stderr)
	if err := s.parse(args); err != nil {
		return ignoreHelp(err)
	}
	cfg, d, err := s.connect(ctx, env)
	if err != nil {
		return err
	}
	defer d.Close()
	sel, err := selectModules(cfg)
	if err != nil {
		return err
	}
	applied, err := migrate.New(d.Pool, newLogger(env, cfg), runtime.Sources(sel)...).Up(ctx)
	if err != nil {
		return err
	}
	for _, a := range applied {
		fmt.Fprintf(env.stdout, "applied %s %03d %s\n", a.Module, a.Version, a.Name)
	}
	fmt.Fprintf(env.stdout, "migrations current (%d applied now)\n", len(applied))
	return nil
}

// ignoreHelp turns -h into a clean exit.
var ignoreHelp = operator.IgnoreHelp
