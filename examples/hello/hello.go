// Package hello is the smallest complete module: a slash command, a job it
// enqueues in the same transaction, a schedule, a migration and its texts.
// docs/modules.md walks through it and core tests load it.
package hello

import (
	"context"
	"embed"
	"fmt"
	"strconv"

	"github.com/disgoorg/disgo/discord"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/queue"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Name is the module's id.
const Name = "hello"

// Descriptor is what the app's catalog lists.
var Descriptor = module.Descriptor{
	Name:       Name,
	Migrations: mustSub(migrationFiles, "migrations"),
	Options: fx.Module(Name,
		fx.Provide(newService),
		module.Add(i18n.Catalogs, catalog),
		module.Contribute(interaction.Commands, func(s *Service) []interaction.Command { return []interaction.Command{s.command()} }),
		module.Contribute(queue.Jobs, func(d *db.DB) []queue.Job {
			return []queue.Job{queue.NewJob(Name, "thanks a member for greeting", &thankWorker{db: d})}
		}),
		module.Add(queue.Schedules, queue.Schedule{Name: "hello.nightly", Module: Name, Spec: "0 3 * * *", Args: TidyArgs{}, Description: "forgets stale greetings"}),
	),
}

var catalog = i18n.Catalog{Module: Name, Messages: map[string]map[string]string{
	"en": {
		"hello.cmd.description": "Say hello",
		"hello.reply":           "Hello, {name}! You have said hello {count} times here.",
	},
	"ru": {
		"hello.cmd.description": "Поздороваться",
		"hello.reply":           "Привет, {name}! Вы поздоровались здесь {count} раз.",
	},
}}

// Service holds the module's business rules; every action is one transaction.
type Service struct {
	queue *queue.Queue
}

func newService(q *queue.Queue) *Service { return &Service{queue: q} }

func (s *Service) command() interaction.Command {
	return interaction.Command{
		Module:     Name,
		Ephemeral:  true,
		Definition: discord.SlashCommandCreate{Name: "hello", Description: "Say hello"},
		Handle:     s.greet,
	}
}

// greet counts the greeting and enqueues the thank-you job atomically: the job
// exists only if the count was stored.
func (s *Service) greet(c *interaction.Context) error {
	var count int
	err := c.DB().InTx(c, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`INSERT INTO hello_greetings (guild_id, user_id, count) VALUES (?, ?, 1)
			ON CONFLICT (guild_id, user_id) DO UPDATE SET count = hello_greetings.count + 1, updated_at = now()
			RETURNING count`, c.GuildID(), c.UserID()).Scan(ctx, &count)
		if err != nil {
			return err
		}
		_, err = s.queue.InsertTx(ctx, tx, ThankArgs{GuildID: strconv.FormatUint(c.GuildID(), 10), UserID: strconv.FormatUint(c.UserID(), 10)}, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("record greeting: %w", err)
	}
	return c.ReplyText(true, c.T("hello.reply", "name", c.Interaction.User().Username, "count", count))
}

// ThankArgs is guild-scoped (guild_id), so the core skips it where hello is off.
type ThankArgs struct {
	GuildID string `json:"guild_id"`
	UserID  string `json:"user_id"`
}

// Kind implements river.JobArgs.
func (ThankArgs) Kind() string { return "hello.thank" }

type thankWorker struct {
	river.WorkerDefaults[ThankArgs]
	db *db.DB
}

func (w *thankWorker) Work(ctx context.Context, job *river.Job[ThankArgs]) error {
	_, err := w.db.Pool.Exec(ctx,
		`UPDATE hello_greetings SET thanked = thanked + 1 WHERE guild_id = $1 AND user_id = $2`, job.Args.GuildID, job.Args.UserID)
	return err
}

// TidyArgs is the nightly schedule's job; the example has nothing to tidy.
type TidyArgs struct{}

// Kind implements river.JobArgs.
func (TidyArgs) Kind() string { return "hello.tidy" }
