// Package operator is how a module adds commands to the `app` CLI, the
// operators' runbook: `app posts list`, `app hall refresh --guild=G`. A module
// lists them on its Descriptor (Operator); the app registers every selected
// catalog module's commands and knows none of them by name.
//
// Operator commands run without a bot: they read and write Postgres and
// enqueue jobs (queue.NewQueue on Conn.DB) that a running bot picks up.
package operator

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
)

// Command is one `app <Name> …` subcommand.
type Command struct {
	// Name is the word after `app`; unique across the core and every module.
	Name string
	// Summary is its line in `app --help`, e.g. "refresh --guild=G: re-send …".
	Summary string
	// Run gets the arguments after Name.
	Run func(ctx context.Context, env *Env, args []string) error
}

// Env is what the app gives a command.
type Env struct {
	Stdout, Stderr io.Writer
	// NewFlags returns a flag set named "app <name>" that already carries
	// one flag per configuration variable (--database-url, …). Add the
	// command's own flags, then call Parse.
	NewFlags func(name string) *flag.FlagSet
	// Connect loads the configuration (flags parsed on fs, then the
	// environment) and opens Postgres. The caller closes the Conn.
	Connect func(ctx context.Context, fs *flag.FlagSet) (*Conn, error)
}

// Parse parses args on fs. -h/--help returns flag.ErrHelp (the usage was
// printed; Run should return nil); anything else wrong is a UsageError.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return Usagef("%v", err)
	}
	return nil
}

// Conn is a connected operator session.
type Conn struct {
	Config *config.Config
	DB     *db.DB
}

// Close releases the database.
func (c *Conn) Close() { c.DB.Close() }

// UsageError is a mistake in the command line or configuration: the app
// prints it and exits 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef builds a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// ParseGuild reads a --guild value; empty means none (0).
func ParseGuild(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, Usagef("--guild %q is not a guild id (a number like 1234567890123456789)", s)
	}
	return id, nil
}
