package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/riverqueue/river/rivertype"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/core/runtime"
)

func init() {
	register("queue", "status: jobs per kind and state with the oldest job's age", cmdQueue)
	register("jobs", "kinds | send KIND --guild=G [--arg=value ...] | retry --kind=K [--state=discarded,retryable]", cmdJobs)
}

// offlineQueue loads the configuration and builds the bot's object graph
// without starting it, to reach the job registry and the insert-only queue
// client. Without needDB any DATABASE_URL will do: the registry needs none.
func (s *settings) offlineQueue(env *environment, needDB bool) (*queue.Queue, *queue.Registry, error) {
	cfg, err := s.load(env)
	if err != nil {
		return nil, nil, err
	}
	if cfg.DatabaseURL == "" {
		if needDB {
			return nil, nil, usagef("DATABASE_URL is not set")
		}
		cfg.DatabaseURL = "postgres://localhost/unused"
	}
	sel, err := selectModules(cfg)
	if err != nil {
		return nil, nil, err
	}
	var q *queue.Queue
	var runner *queue.Runner
	app := fx.New(runtime.Options(runtime.Params{Config: cfg, Selection: sel, Logger: newLogger(env, cfg),
		Version: version, NoMigrate: true, Extra: []fx.Option{fx.Populate(&q, &runner), fx.NopLogger}}))
	if err := app.Err(); err != nil {
		return nil, nil, err
	}
	return q, runner.Registry(), nil
}

func cmdQueue(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "status" {
		return usagef("usage: app queue status [--all]")
	}
	s := newFlags("queue status", env.stderr)
	all := s.fs.Bool("all", false, "include completed and cancelled jobs")
	if err := s.parse(args[1:]); err != nil {
		return ignoreHelp(err)
	}
	_, d, err := s.connect(ctx, env)
	if err != nil {
		return err
	}
	defer d.Close()
	rows, err := queue.Depth(ctx, d, *all)
	if err != nil {
		return err
	}
	return printTable(env.stdout, rows, "queue empty: no job waiting, running or failed", "KIND\tQUEUE\tSTATE\tCOUNT\tOLDEST",
		func(r queue.DepthRow) string {
			return fmt.Sprintf("%s\t%s\t%s\t%d\t%s", r.Kind, r.Queue, r.State, r.Count, r.OldestAge)
		})
}

func cmdJobs(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		return usagef("usage: app jobs kinds | send KIND --guild=G [--arg=value ...] | retry --kind=K [--state=...]")
	}
	switch args[0] {
	case "kinds":
		return jobsKinds(env, args[1:])
	case "send":
		return jobsSend(ctx, env, args[1:])
	case "retry":
		return jobsRetry(ctx, env, args[1:])
	default:
		return usagef("unknown subcommand %q: use kinds, send or retry", args[0])
	}
}

func jobsKinds(env *environment, args []string) error {
	s := newFlags("jobs kinds", env.stderr)
	if err := s.parse(args); err != nil {
		return ignoreHelp(err)
	}
	_, reg, err := s.offlineQueue(env, false)
	if err != nil {
		return err
	}
	return printTable(env.stdout, reg.All(), "no job kinds: the selected modules define none", "KIND\tMODULE\tARGUMENTS\tDESCRIPTION",
		func(j queue.Job) string {
			var fields []string
			for _, f := range j.Fields() {
				fields = append(fields, "--"+f.Name+"="+f.Type)
			}
			argText := strings.Join(fields, " ")
			if argText == "" {
				argText = "(none)"
			}
			return fmt.Sprintf("%s\t%s\t%s\t%s", j.Kind, j.Module, argText, j.Description)
		})
}

// jobsSend splits its arguments into the known configuration flags and free
// --name=value job arguments.
func jobsSend(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usagef("usage: app jobs send KIND --guild=G [--arg=value ...] (see app jobs kinds)")
	}
	kind := args[0]
	s := newFlags("jobs send", env.stderr)
	given := map[string]string{}
	var cfgArgs []string
	for _, a := range args[1:] {
		name, value, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "--") || !ok {
			return usagef("argument %q: want --name=value", a)
		}
		if s.fs.Lookup(name) != nil {
			cfgArgs = append(cfgArgs, a)
			continue
		}
		if name == "guild" {
			name = "guild_id"
		}
		given[name] = value
	}
	if err := s.parse(cfgArgs); err != nil {
		return ignoreHelp(err)
	}
	q, reg, err := s.offlineQueue(env, true)
	if err != nil {
		return err
	}
	job, ok := reg.Get(kind)
	if !ok {
		var kinds []string
		for _, j := range reg.All() {
			kinds = append(kinds, j.Kind)
		}
		sort.Strings(kinds)
		return usagef("unknown job kind %q; known kinds: %s", kind, strings.Join(kinds, ", "))
	}
	raw, err := argsJSON(job, given)
	if err != nil {
		return usagef("%v", err)
	}
	decoded, err := job.DecodeArgs(raw)
	if err != nil {
		return usagef("%v", err)
	}
	res, err := q.Insert(ctx, decoded, nil)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", kind, err)
	}
	fmt.Fprintf(env.stdout, "enqueued %s as job %d on queue %s with %s\n", kind, res.Job.ID, res.Job.Queue, raw)
	return nil
}

func jobsRetry(ctx context.Context, env *environment, args []string) error {
	s := newFlags("jobs retry", env.stderr)
	kind := s.fs.String("kind", "", "job kind to retry (required)")
	states := s.fs.String("state", "discarded,retryable", "states to retry: discarded, retryable, cancelled")
	if err := s.parse(args); err != nil {
		return ignoreHelp(err)
	}
	if *kind == "" {
		return usagef("--kind is required (see app jobs kinds)")
	}
	var want []rivertype.JobState
	for _, st := range config.SplitList(*states) {
		ok := false
		for _, allowed := range queue.RetryableStates {
			if string(allowed) == st {
				want, ok = append(want, allowed), true
			}
		}
		if !ok {
			return usagef("--state %q: want discarded, retryable or cancelled", st)
		}
	}
	q, _, err := s.offlineQueue(env, true)
	if err != nil {
		return err
	}
	n, err := q.Retry(ctx, *kind, want)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "retried %d %s job(s) in state %s; they run as soon as a worker is free\n", n, *kind, *states)
	return nil
}

// argsJSON turns --name=value pairs into the job's JSON, quoting values of
// string fields and passing the rest through as JSON literals, so numbers,
// booleans and snowflakes need no quoting on the command line.
func argsJSON(job queue.Job, given map[string]string) ([]byte, error) {
	types := map[string]string{}
	for _, f := range job.Fields() {
		types[f.Name] = f.Type
	}
	obj := map[string]json.RawMessage{}
	for name, value := range given {
		typ, known := types[name]
		if !known {
			// Left in so DecodeArgs reports the unknown field with the valid ones.
			typ = "string"
		}
		if typ == "string" {
			quoted, _ := json.Marshal(value)
			obj[name] = quoted
			continue
		}
		if !json.Valid([]byte(value)) {
			return nil, fmt.Errorf("--%s=%q is not a valid %s", name, value, typ)
		}
		obj[name] = json.RawMessage(value)
	}
	return json.Marshal(obj)
}
