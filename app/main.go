// Command app is the together bot and its operator tools.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/together-bot/together/core/operator"
)

// version is set at build time with -ldflags "-X main.version=..."; "dev" otherwise.
var version = "dev"

// usageError makes main exit with status 2. It is the operator package's, so
// module commands and the app's own refuse a command line the same way.
type usageError = operator.UsageError

var usagef = operator.Usagef

type command struct {
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// subcommands maps each subcommand to its one-line summary; `app --help` prints them.
var subcommands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, env *environment, args []string) error) {
	subcommands[name] = command{summary: summary, run: run}
}

// environment is what every subcommand may print to and read from.
type environment struct {
	stdout, stderr io.Writer
	getenv         func(string) (string, bool)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, &environment{stdout: os.Stdout, stderr: os.Stderr, getenv: os.LookupEnv}, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, env *environment, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printHelp(env.stdout)
		return 0
	}
	cmd, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprintf(env.stderr, "app: unknown command %q\n\n", args[0])
		printHelp(env.stderr)
		return 2
	}
	err := cmd.run(ctx, env, args[1:])
	if err == nil {
		return 0
	}
	fmt.Fprintf(env.stderr, "app %s: %v\n", args[0], err)
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "app: the together Discord bot and its operator commands.\n\nUsage: app <command> [flags]   (app <command> --help for flags)\n\nCommands:")
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-22s %s\n", n, subcommands[n].summary)
	}
	fmt.Fprintln(w, "\nConfiguration comes from the environment (see README); `app run` also takes each setting as a flag.")
}
