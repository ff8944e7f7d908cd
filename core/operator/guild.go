package operator

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// Guild is what a GuildCommand's work is given: the connection, the guild
// the operator named, and the command's output.
type Guild struct {
	*Conn
	ID  uint64
	Out io.Writer
}

// Printf writes to the command's output.
func (g Guild) Printf(format string, args ...any) { fmt.Fprintf(g.Out, format, args...) }

// GuildRun is a GuildCommand's work: a function of the guild, so a module's
// operator file holds its logic and one GuildCommand line per command.
type GuildRun func(ctx context.Context, g Guild) error

// GuildCommand is the command most modules add, `app <name> <sub>
// --guild=G`: it parses the line, connects, and hands run the connection and
// the guild. summary is its help after "<sub> --guild=G: ".
func GuildCommand(name, sub, summary string, run GuildRun) Command {
	return Command{Name: name, Summary: sub + " --guild=G: " + summary, Run: guildRun(name, sub, run)}
}

func guildRun(name, sub string, run GuildRun) func(context.Context, *Env, []string) error {
	return func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] != sub {
			return Usagef("usage: app %s %s --guild=G", name, sub)
		}
		fs := env.NewFlags(name + " " + sub)
		guildFlag := fs.String("guild", "", "guild id (required)")
		if err := Parse(fs, args[1:]); err != nil {
			return IgnoreHelp(err)
		}
		if *guildFlag == "" {
			return Usagef("--guild is required")
		}
		guildID, err := ParseGuild(*guildFlag)
		if err != nil {
			return err
		}
		conn, err := env.Connect(ctx, fs)
		if err != nil {
			return err
		}
		defer conn.Close()
		return run(ctx, Guild{Conn: conn, ID: guildID, Out: env.Stdout})
	}
}

// IgnoreHelp turns the -h/--help outcome of Parse into success: the usage
// was printed and there is nothing else to do.
func IgnoreHelp(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
