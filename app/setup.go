package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/logging"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/operator"
)

// settings holds the flags shared by commands that read the configuration.
type settings struct {
	fs    *flag.FlagSet
	flags map[string]*string
}

// newFlags registers one flag per configuration variable (--database-url for
// DATABASE_URL, ...); a flag given on the command line wins over the environment.
func newFlags(name string, stderr io.Writer) *settings {
	fs := flag.NewFlagSet("app "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	s := &settings{fs: fs, flags: map[string]*string{}}
	for _, v := range config.Vars {
		flagName := strings.ReplaceAll(strings.ToLower(v.Name), "_", "-")
		where := " (env " + v.Name
		if v.Default != "" {
			where += ", default " + v.Default
		}
		s.flags[v.Name] = fs.String(flagName, "", v.Help+where+")")
	}
	return s
}

func (s *settings) parse(args []string) error { return operator.Parse(s.fs, args) }

func (s *settings) lookup(env *environment) config.Lookup {
	return func(name string) (string, bool) {
		if p, ok := s.flags[name]; ok && *p != "" {
			return *p, true
		}
		return env.getenv(name)
	}
}

// load validates the configuration; problems are usage errors (exit 2).
func (s *settings) load(env *environment) (*config.Config, error) {
	cfg, err := config.Load(s.lookup(env))
	if err != nil {
		return nil, usagef("configuration: %v", err)
	}
	return cfg, nil
}

func newLogger(env *environment, cfg *config.Config) *slog.Logger {
	return logging.New(env.stderr, cfg.LogFormat, cfg.LogLevel)
}

// selectModules resolves --modules against the catalog; unknown names are usage errors.
func selectModules(cfg *config.Config) (module.Selection, error) {
	cat, err := catalog()
	if err != nil {
		return module.Selection{}, err
	}
	sel, err := cat.Resolve(cfg.Modules)
	if err != nil {
		return module.Selection{}, usagef("%v", err)
	}
	return sel, nil
}

// connect loads the configuration and opens Postgres for an operator
// command; DATABASE_URL is required. The caller closes the database.
func (s *settings) connect(ctx context.Context, env *environment) (*config.Config, *db.DB, error) {
	cfg, err := s.load(env)
	if err != nil {
		return nil, nil, err
	}
	if cfg.DatabaseURL == "" {
		return nil, nil, usagef("DATABASE_URL is not set (make run / make test start a local Postgres and set it)")
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, db.Options{MaxConns: 4})
	if err != nil {
		return nil, nil, err
	}
	return cfg, d, nil
}

// utcOrNever formats an optional time for a table.
func utcOrNever(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.DateTime)
}

// printTable prints rows under header as aligned columns (header and each
// line tab-separated), or the sentence empty when there are none.
func printTable[T any](w io.Writer, rows []T, empty, header string, line func(T) string) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, empty)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, line(r))
	}
	return tw.Flush()
}
