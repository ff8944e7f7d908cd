package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/together-bot/together/core/operator"
)

// Module operator commands come from the catalog's descriptors: the app knows
// no module's commands by name.
func init() {
	for _, d := range descriptors {
		for _, c := range d.Operator {
			if _, dup := subcommands[c.Name]; dup {
				panic(fmt.Sprintf("operator command %q of module %s is already registered", c.Name, d.Name))
			}
			register(c.Name, c.Summary, func(ctx context.Context, env *environment, args []string) error {
				return c.Run(ctx, operatorEnv(env), args)
			})
		}
	}
}

// operatorEnv gives a module command the app's configuration flags and
// connection, so `--database-url` and DATABASE_URL work the same everywhere.
func operatorEnv(env *environment) *operator.Env {
	sets := map[*flag.FlagSet]*settings{}
	return &operator.Env{
		Stdout: env.stdout,
		Stderr: env.stderr,
		NewFlags: func(name string) *flag.FlagSet {
			s := newFlags(name, env.stderr)
			sets[s.fs] = s
			return s.fs
		},
		Connect: func(ctx context.Context, fs *flag.FlagSet) (*operator.Conn, error) {
			s, ok := sets[fs]
			if !ok {
				return nil, fmt.Errorf("operator: Connect needs a flag set made by NewFlags")
			}
			cfg, d, err := s.connect(ctx, env)
			if err != nil {
				return nil, err
			}
			return &operator.Conn{Config: cfg, DB: d}, nil
		},
	}
}
