package main

import (
	"context"
	"fmt"

	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/interaction/commands"
	"github.com/together-bot/together/core/interaction/interactionfx"
	"github.com/together-bot/together/core/operator"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/runtime"
)

func init() {
	register("commands", "sync [--guild=ID]: register slash commands with Discord, writing only what changed", cmdCommands)
	register("projections", "list|rebuild [--kind=K] [--guild=G] [--key=K]: dashboards and forced refreshes", cmdProjections)
}

func parseGuild(s string) (snowflake.ID, error) {
	id, err := operator.ParseGuild(s)
	return snowflake.ID(id), err
}

func cmdCommands(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "sync" {
		return usagef("usage: app commands sync [--guild=ID]")
	}
	s := newFlags("commands sync", env.stderr)
	guildFlag := s.fs.String("guild", "", "sync to one guild instead of globally (instant, for testing)")
	if err := s.parse(args[1:]); err != nil {
		return ignoreHelp(err)
	}
	cfg, err := s.load(env)
	if err != nil {
		return err
	}
	if cfg.DiscordToken == "" {
		return usagef("DISCORD_TOKEN is not set")
	}
	guildID, err := parseGuild(*guildFlag)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		// The definitions need no database, and a handful of requests from
		// one short command need no shared budget: the process's own
		// limiter paces them.
		cfg.DatabaseURL = "postgres://localhost/unused"
		cfg.RESTBudgetShared = false
	}
	sel, err := selectModules(cfg)
	if err != nil {
		return err
	}
	var router *interaction.Router
	var rst rest.Rest
	app := fx.New(runtime.Options(runtime.Params{Config: cfg, Selection: sel, Logger: newLogger(env, cfg), Version: version,
		NoMigrate: true, Extra: []fx.Option{fx.Populate(&router, &rst), fx.NopLogger}}))
	if err := app.Err(); err != nil {
		return err
	}
	appID, err := interactionfx.AppID(cfg, rst)
	if err != nil {
		return err
	}
	var target *snowflake.ID
	where := "globally"
	if guildID != 0 {
		target, where = &guildID, "in guild "+guildID.String()
	}
	diff, err := commands.Sync(ctx, rst, appID, target, router.Definitions())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "commands %s: %s\n", where, diff.String())
	return nil
}

func cmdProjections(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "rebuild") {
		return usagef("usage: app projections list|rebuild [--kind=K] [--guild=G] [--key=K]")
	}
	s := newFlags("projections "+args[0], env.stderr)
	kind := s.fs.String("kind", "", "dashboard kind, e.g. duel.board")
	guildFlag := s.fs.String("guild", "", "guild id")
	key := s.fs.String("key", "", "one dashboard's key")
	if err := s.parse(args[1:]); err != nil {
		return ignoreHelp(err)
	}
	guildID, err := parseGuild(*guildFlag)
	if err != nil {
		return err
	}
	if *key != "" && *kind == "" {
		return usagef("--key needs --kind")
	}
	_, d, err := s.connect(ctx, env)
	if err != nil {
		return err
	}
	defer d.Close()
	f := projection.Filter{Guild: guildID, Kind: *kind, Key: *key}
	if args[0] == "rebuild" {
		n, err := projection.Rebuild(ctx, d, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "enqueued %d dashboard refresh(es); a running bot sends them within seconds\n", n)
		return nil
	}
	states, err := projection.List(ctx, d, f)
	if err != nil {
		return err
	}
	return printTable(env.stdout, states, "no dashboards match", "KIND\tKEY\tGUILD\tCHANNEL\tMESSAGE\tSTATE\tLAST EDIT (UTC)\tLAST ERROR",
		func(st projection.State) string {
			state := st.Status
			if st.Behind {
				state += " (refresh pending)"
			}
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", st.Kind, st.Key, st.GuildID, st.ChannelID, st.MessageID, state, utcOrNever(st.LastEditAt), st.LastError)
		})
}
