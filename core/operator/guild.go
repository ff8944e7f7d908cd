package operator

import (
	"context"
	"errors"
	"flag"
)

// GuildRun is a GuildCommand's work, given the connection and the guild.
type GuildRun func(ctx context.Context, env *Env, conn *Conn, guildID uint64) error

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
		return run(ctx, env, conn, guildID)
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
