package main

import (
	"context"
	"errors"
	"fmt"

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
	_, d, err := s.connect(ctx, env)
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
		return printTable(env.stdout, states, "no schedules recorded yet (they are recorded when `app run` starts)",
			"NAME\tMODULE\tSPEC\tSTATE\tNEXT RUN (UTC)\tLAST RUN (UTC)",
			func(st queue.ScheduleState) string {
				state := "enabled"
				if !st.Enabled {
					state = "disabled"
				}
				if st.Unserved() {
					state += " (no process runs " + st.Module + ")"
				}
				return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", st.Name, st.Module, st.Spec, state, utcOrNever(&st.NextRunAt), utcOrNever(st.LastRunAt))
			})
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
