package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/together-bot/together/core/discord/shardlease"
)

func init() {
	register("shards", "shard leases of the whole deployment (SHARD_IDS=auto): holder, lease age, expiry, state", cmdShards)
}

// cmdShards lists every shard lease with its holder, how long it has held
// it, when it expires and how recently the holder's process was seen.
func cmdShards(ctx context.Context, env *environment, args []string) error {
	s := newFlags("shards", env.stderr)
	if err := s.parse(args); err != nil {
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
	rows, err := shardlease.List(ctx, d.Pool)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.stdout, "no shard leases: no process has run with SHARD_IDS=auto on this database")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SHARD\tSTATE\tHOLDER\tHELD FOR\tEXPIRES IN\tHOLDER SEEN")
	for _, r := range rows {
		holder, held, expires, seen := "-", "-", "-", "-"
		if r.State != shardlease.StateFree {
			holder, held, expires = r.Holder, r.Age.String(), r.ExpiresIn.String()
			seen = "gone"
			if r.HolderSeen >= 0 {
				seen = r.HolderSeen.String() + " ago"
			}
		}
		fmt.Fprintf(tw, "%d/%d\t%s\t%s\t%s\t%s\t%s\n", r.ShardID, r.ShardCount, r.State, holder, held, expires, seen)
	}
	return tw.Flush()
}
