package publicpost

import (
	"context"
	"fmt"
	"strconv"

	"github.com/together-bot/together/core/operator"
	"github.com/together-bot/together/core/queue"
)

// operatorCommands are publicpost's lines of the runbook: the outbox.
var operatorCommands = []operator.Command{{
	Name:    "posts",
	Summary: "list|requeue|publish-now: the scheduled-post outbox (publicpost)",
	Run:     runPosts,
}}

func runPosts(ctx context.Context, env *operator.Env, args []string) error {
	if len(args) == 0 {
		return operator.Usagef("usage: app posts list [--status=S] [--guild=G] | requeue [--status=failed,processing] [--guild=G] [--id=ID] | publish-now")
	}
	sub := args[0]
	switch sub {
	case "list", "requeue", "publish-now":
	default:
		return operator.Usagef("unknown subcommand %q: use list, requeue or publish-now", sub)
	}
	fs := env.NewFlags("posts " + sub)
	status := fs.String("status", "", "comma-separated statuses: pending, processing, sent, failed, cancelled")
	guildFlag := fs.String("guild", "", "guild id")
	idFlag := fs.String("id", "", "one post's id")
	if err := operator.Parse(fs, args[1:]); err != nil {
		return operator.IgnoreHelp(err)
	}
	guildID, err := operator.ParseGuild(*guildFlag)
	if err != nil {
		return err
	}
	f := Filter{GuildID: guildID}
	if *status != "" {
		if f.Statuses, err = ParseStatuses(*status); err != nil {
			return operator.Usagef("--status: %v", err)
		}
	}
	if *idFlag != "" {
		if f.ID, err = strconv.ParseInt(*idFlag, 10, 64); err != nil || f.ID <= 0 {
			return operator.Usagef("--id %q is not a post id", *idFlag)
		}
	}
	conn, err := env.Connect(ctx, fs)
	if err != nil {
		return err
	}
	defer conn.Close()
	switch sub {
	case "list":
		posts, err := List(ctx, conn.DB, f)
		if err != nil {
			return err
		}
		if len(posts) == 0 {
			fmt.Fprintln(env.Stdout, "no posts match")
			return nil
		}
		fmt.Fprint(env.Stdout, FormatTable(posts))
	case "requeue":
		n, err := Requeue(ctx, conn.DB, f)
		if err != nil {
			return operator.Usagef("%v", err)
		}
		fmt.Fprintf(env.Stdout, "requeued %d post(s) as pending; run `app posts publish-now` to send them at once\n", n)
	case "publish-now":
		q, err := queue.NewQueue(conn.DB, nil)
		if err != nil {
			return err
		}
		id, err := PublishNow(ctx, q)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "enqueued the publish sweep as job %d; a running bot with publicpost picks it up\n", id)
	}
	return nil
}
