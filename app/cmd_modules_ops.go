package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/together-bot/together/modules/hall"
	"github.com/together-bot/together/modules/oracle"
)

func init() {
	register("oracle", "publish --guild=G: point the guild's oracle dashboard at this week now", cmdOracle)
	register("hall", "refresh --guild=G: re-send the guild's hall of fame cards (recreating deleted ones)", cmdHall)
}

// guildCommand parses `<sub> --guild=G` for per-guild operator commands.
func guildCommand(env *environment, name, sub string, args []string) (*settings, uint64, error) {
	if len(args) == 0 || args[0] != sub {
		return nil, 0, usagef("usage: app %s %s --guild=G", name, sub)
	}
	s := newFlags(name+" "+sub, env.stderr)
	guildFlag := s.fs.String("guild", "", "guild id (required)")
	if err := s.parse(args[1:]); err != nil {
		return nil, 0, err
	}
	if *guildFlag == "" {
		return nil, 0, usagef("--guild is required")
	}
	id, err := parseGuild(*guildFlag)
	return s, uint64(id), err
}

func cmdOracle(ctx context.Context, env *environment, args []string) error {
	s, guildID, err := guildCommand(env, "oracle", "publish", args)
	if err != nil {
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
	res, err := oracle.PublishNow(ctx, d, cfg, guildID)
	switch {
	case errors.Is(err, oracle.ErrModuleOff), errors.Is(err, oracle.ErrNoChannel):
		return usagef("guild %d: %v", guildID, err)
	case err != nil:
		return err
	}
	verb := "refreshed"
	if res.Moved {
		verb = "moved to"
	}
	fmt.Fprintf(env.stdout, "oracle dashboard of guild %d %s week %s in channel %d; a running bot edits the message within seconds\n",
		guildID, verb, res.Week, res.ChannelID)
	return nil
}

func cmdHall(ctx context.Context, env *environment, args []string) error {
	s, guildID, err := guildCommand(env, "hall", "refresh", args)
	if err != nil {
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
	n, err := hall.Refresh(ctx, d, guildID)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "queued a hall sync for guild %d and re-sent %d card(s); a running bot with hall edits them within seconds\n", guildID, n)
	return nil
}
