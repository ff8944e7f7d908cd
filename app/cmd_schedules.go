package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/together-bot/together/core/queue"
)

func init() {
	register("schedules", "list|enable|disable NAME: periodic jobs, switched for every process", cmdSchedules)
}

func cmdSchedules(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		return usagef("usage: app schedules list | enable NAME | disable NAME")
	}
	sub, rest := args[0], args[1:]
	s := newFlags("schedules "+sub, env.stderr)
	if err := s.parse(rest); err != nil {
		return ignoreHelp(err)
	}
	cfg, err := s.load(env)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	switch sub {
	case "list":
		states, err := queue.ListSchedules(ctx, d)
		if err != nil {
			return err
		}
		if len(states) == 0 {
			fmt.Fprintln(env.stdout, "no schedules recorded yet (they are recorded when `app run` starts)")
			return nil
		}
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tMODULE\tSPEC\tSTATE\tNEXT RUN (UTC)\tLAST RUN (UTC)")
		for _, st := range states {
			state := "enabled"
			if !st.Enabled {
				state = "disabled"
			}
			if time.Since(st.SeenAt) > 5*time.Minute {
				state += " (no process runs " + st.Module + ")"
			}
			last := "never"
			if st.LastRunAt != nil {
				last = st.LastRunAt.UTC().Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", st.Name, st.Module, st.Spec, state, st.NextRunAt.UTC().Format(time.DateTime), last)
		}
		return tw.Flush()
	case "enable", "disable":
		if s.fs.NArg() != 1 {
			return usagef("usage: app schedules %s NAME", sub)
		}
		name := s.fs.Arg(0)
		if err := queue.SetScheduleEnabled(ctx, d, name, sub == "enable"); err != nil {
			if errors.Is(err, queue.ErrUnknownSchedule) {
				return usagef("%v (see `app schedules list`)", err)
			}
			return err
		}
		fmt.Fprintf(env.stdout, "schedule %s %sd for every process\n", name, sub)
		return nil
	default:
		return usagef("unknown subcommand %q: use list, enable or disable", sub)
	}
}
