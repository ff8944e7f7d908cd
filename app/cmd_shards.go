package main

import (
	"context"
	"fmt"

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
	_, d, err := s.connect(ctx, env)
	if err != nil {
		return err
	}
	defer d.Close()
	rows, err := shardlease.List(ctx, d.Pool)
	if err != nil {
		return err
	}
	return printTable(env.stdout, rows, "no shard leases: no process has run with SHARD_IDS=auto on this database",
		"SHARD\tSTATE\tHOLDER\tHELD FOR\tEXPIRES IN\tHOLDER SEEN",
		func(r shardlease.LeaseRow) string {
			holder, held, expires, seen := "-", "-", "-", "-"
			if r.State != shardlease.StateFree {
				holder, held, expires = r.Holder, r.Age.String(), r.ExpiresIn.String()
				seen = "gone"
				if r.HolderSeen >= 0 {
					seen = r.HolderSeen.String() + " ago"
				}
			}
			return fmt.Sprintf("%d/%d\t%s\t%s\t%s\t%s\t%s", r.ShardID, r.ShardCount, r.State, holder, held, expires, seen)
		})
}
