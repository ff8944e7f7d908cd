// Package hello is the smallest complete module, and shows every kind of
// contribution once: a slash command that writes state, enqueues a job and
// requests a dashboard in one transaction; a button and the modal it opens; a
// job and a schedule; a channel purpose with its live dashboard, shown as
// soon as the channel is configured; a /config
// setting; an /admin status section; a Pair Home section (shown only where
// pairhome runs); texts; a migration; and an operator command.
// docs/modules.md walks through it and its end-to-end test loads it as the
// app does.
package hello

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/core/usertext"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Name is the module's id.
const Name = "hello"

// Descriptor is what the app's catalog lists.
var Descriptor = module.Descriptor{
	Name:       Name,
	Migrations: mustSub(migrationFiles, "migrations"),
	Operator:   operatorCommands,
	Options: fx.Module(Name,
		fx.Provide(newService),
		module.Add(i18n.Catalogs, catalog),
		module.Add(guild.Purposes, BoardPurpose),
		module.Contribute(guild.ChannelHooks, func(s *Service) []guild.ChannelHook { return []guild.ChannelHook{s.boardChannelHook()} }),
		module.Contribute(interaction.Commands, func(s *Service) []interaction.Command { return []interaction.Command{s.command()} }),
		module.Contribute(interaction.Components, func(s *Service) []interaction.Component {
			// The note button carries no arguments; the router refuses any.
			return []interaction.Component{interaction.Button(Name, actionNote, s.openNote)}
		}),
		module.Contribute(interaction.Modals, func(s *Service) []interaction.Modal {
			return []interaction.Modal{{Module: Name, Action: actionNote, Handle: s.saveNote}}
		}),
		module.Contribute(interaction.Settings, func(s *Service) []interaction.Setting { return []interaction.Setting{s.styleSetting()} }),
		module.Contribute(interaction.StatusSections, func(s *Service) []interaction.StatusSection {
			return []interaction.StatusSection{{Module: Name, Lines: s.statusLines}}
		}),
		module.Contribute(projection.Renderers, func(s *Service) []projection.Renderer {
			return []projection.Renderer{{Kind: BoardKind, Module: Name, Render: s.renderBoard}}
		}),
		module.Contribute(pairhomeapi.Sections, func(s *Service) []pairhomeapi.Section {
			return []pairhomeapi.Section{{Module: Name, Order: 90, Render: s.renderSection}}
		}),
		module.Contribute(queue.Jobs, func(s *Service) []queue.Job {
			return []queue.Job{
				queue.NewJob(Name, "thanks a member for greeting", river.WorkFunc(s.thank)),
				queue.NewJob(Name, "forgets stale greetings", river.WorkFunc(func(context.Context, *river.Job[TidyArgs]) error { return nil })),
			}
		}),
		module.Add(queue.Schedules, queue.Schedule{Name: "hello.nightly", Module: Name, Spec: "0 3 * * *", Args: TidyArgs{}, Description: "forgets stale greetings"}),
	),
}

const actionNote = "note"

// BoardPurpose is the channel of the greeting board.
var BoardPurpose = guild.ChannelPurpose{Module: Name, Key: "board", NameKey: "hello.purpose.board", Kind: guild.Text}

// BoardKind is the greeting board's dashboard kind; its key is the guild id.
const BoardKind = "hello.board"

// noteText is the note form's rule (core/usertext: trimmed, invisible-only
// refused, lengths as Discord counts them); its refusals are the core's,
// answered in the member's language by the router.
var noteText = usertext.Field{Name: "note", Min: 1, Max: 100}

var catalog = i18n.Catalog{Module: Name, Messages: map[string]map[string]string{
	"en": {
		"hello.cmd.description":  "Say hello",
		"hello.reply":            "{style} Hello, {name}! You have said hello {count} times here.",
		"hello.button.note":      "Leave a note",
		"hello.modal.title":      "A note for the board",
		"hello.modal.label":      "Your note",
		"hello.note.saved":       "Saved: {note}",
		"hello.purpose.board":    "Greeting board",
		"hello.board":            "**Greetings so far: {total}**",
		"hello.setting.style":    "Greeting style",
		"hello.status.greetings": "Greetings recorded: {total}",
		"hello.section":          "Greetings between you: {count}",
	},
	"ru": {
		"hello.cmd.description":  "Поздороваться",
		"hello.reply":            "{style} Привет, {name}! Вы поздоровались здесь {count} раз.",
		"hello.button.note":      "Оставить записку",
		"hello.modal.title":      "Записка для доски",
		"hello.modal.label":      "Ваша записка",
		"hello.note.saved":       "Сохранено: {note}",
		"hello.purpose.board":    "Доска приветствий",
		"hello.board":            "**Приветствий всего: {total}**",
		"hello.setting.style":    "Стиль приветствия",
		"hello.status.greetings": "Записано приветствий: {total}",
		"hello.section":          "Приветствий от вас двоих: {count}",
	},
}}

// Service holds the module's business rules; every action is one transaction.
// The core's services (database, queue, dashboards, guild settings, texts,
// logger) come as one value.
type Service struct{ modcore.Core }

func newService(c modcore.Core) *Service { return &Service{Core: c} }

func (s *Service) command() interaction.Command {
	return interaction.Command{
		Module:     Name,
		Ephemeral:  true,
		Definition: interaction.Describer{Bundle: s.Bundle}.Slash("hello", "hello.cmd.description"),
		Handle:     s.greet,
	}
}

// greet counts the greeting, enqueues the thank-you job and requests the
// board atomically: the job and the refresh exist only if the count was stored.
func (s *Service) greet(c *interaction.Context) error {
	var count int
	var style string
	err := c.DB().InTx(c, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`INSERT INTO hello_greetings (guild_id, user_id, count) VALUES (?, ?, 1)
			ON CONFLICT (guild_id, user_id) DO UPDATE SET count = hello_greetings.count + 1, updated_at = now()
			RETURNING count`, c.GuildID(), c.UserID()).Scan(ctx, &count)
		if err != nil {
			return err
		}
		if style, err = readStyle(ctx, tx, c.GuildID()); err != nil {
			return err
		}
		if err := s.Projections.Request(ctx, tx, BoardKind, strconv.FormatUint(c.GuildID(), 10)); err != nil {
			return err
		}
		_, err = s.Queue.InsertTx(ctx, tx, ThankArgs{GuildID: strconv.FormatUint(c.GuildID(), 10), UserID: strconv.FormatUint(c.UserID(), 10)}, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("record greeting: %w", err)
	}
	noteID, err := customid.New(Name, actionNote)
	if err != nil {
		return err
	}
	return c.Reply(true, discord.NewMessageCreate().
		WithContent(c.T("hello.reply", "style", styleEmoji(style), "name", c.Interaction.User().Username, "count", count)).
		AddActionRow(discord.NewSecondaryButton(c.T("hello.button.note"), noteID)))
}

// openNote answers the button with the note form.
func (s *Service) openNote(c *interaction.Context, _ customid.ID) error {
	formID, err := customid.New(Name, actionNote)
	if err != nil {
		return err
	}
	input := discord.NewShortTextInput("note").WithMinLength(noteText.Min).WithMaxLength(noteText.Max).WithRequired(true)
	return c.Modal(discord.NewModalCreate(formID, c.T("hello.modal.title"), discord.NewLabel(c.T("hello.modal.label"), input)))
}

// saveNote stores the member's note.
func (s *Service) saveNote(c *interaction.Context, _ customid.ID) error {
	data, _ := c.ModalData()
	note, err := noteText.Clean(data.Text("note"))
	if err != nil {
		return err
	}
	if _, err := c.DB().Bun.ExecContext(c, `INSERT INTO hello_greetings (guild_id, user_id, note) VALUES (?, ?, ?)
		ON CONFLICT (guild_id, user_id) DO UPDATE SET note = excluded.note, updated_at = now()`, c.GuildID(), c.UserID(), note); err != nil {
		return fmt.Errorf("save note: %w", err)
	}
	return c.ReplyText(true, c.T("hello.note.saved", "note", note))
}

// boardChannelHook requests the board in the transaction that sets, moves or
// clears its channel, so it appears (or moves, or goes) within seconds.
func (s *Service) boardChannelHook() guild.ChannelHook {
	return guild.ChannelHook{Purpose: BoardPurpose.ID(), OnChange: func(ctx context.Context, tx bun.Tx, c guild.ChannelChange) error {
		return s.Projections.Request(ctx, tx, BoardKind, strconv.FormatUint(c.GuildID, 10))
	}}
}

// renderBoard draws the greeting board from Postgres.
func (s *Service) renderBoard(ctx context.Context, idb bun.IDB, key string) (projection.Rendered, error) {
	guildID, err := strconv.ParseUint(key, 10, 64)
	if err != nil {
		return projection.Rendered{}, fmt.Errorf("hello board key %q: %w", key, err)
	}
	// Through the snapshot, not the settings cache: the render a channel
	// change requests must see that change in every process.
	channel, err := guild.ReadChannel(ctx, idb, guildID, BoardPurpose)
	if err != nil {
		return projection.Rendered{}, err
	}
	if channel == 0 {
		return projection.Rendered{Gone: true}, nil
	}
	total, err := totalGreetings(ctx, idb, guildID)
	if err != nil {
		return projection.Rendered{}, err
	}
	text := s.Bundle.T(s.Guilds.Locale(ctx, guildID), "hello.board", "total", total)
	return projection.Rendered{GuildID: snowflake.ID(guildID), ChannelID: snowflake.ID(channel),
		Message: discord.MessageCreate{Content: text}}, nil
}

// renderSection is hello's line on the Pair Home panel.
func (s *Service) renderSection(ctx context.Context, idb bun.IDB, p pairhomeapi.Pair, locale string) (pairhomeapi.SectionView, error) {
	var n int
	if err := idb.NewRaw(`SELECT coalesce(sum(count), 0) FROM hello_greetings WHERE guild_id = ? AND user_id IN (?, ?)`,
		p.GuildID, p.Members[0], p.Members[1]).Scan(ctx, &n); err != nil {
		return pairhomeapi.SectionView{}, err
	}
	if n == 0 {
		return pairhomeapi.SectionView{}, nil
	}
	return pairhomeapi.SectionView{Text: s.Bundle.T(locale, "hello.section", "count", n)}, nil
}

// styleSetting is `/config setting name:hello.style`.
func (s *Service) styleSetting() interaction.Setting {
	return interaction.Setting{Module: Name, Key: "style", NameKey: "hello.setting.style", Values: []string{"wave", "sparkles"},
		Get: func(ctx context.Context, guildID uint64) (string, error) {
			return readStyle(ctx, s.DB.Bun, guildID)
		},
		Set: func(ctx context.Context, guildID, _ uint64, value string) error {
			_, err := s.DB.Bun.ExecContext(ctx, `INSERT INTO hello_settings (guild_id, style) VALUES (?, ?)
				ON CONFLICT (guild_id) DO UPDATE SET style = excluded.style`, guildID, value)
			return err
		}}
}

// statusLines is hello's part of /admin status.
func (s *Service) statusLines(c *interaction.Context) ([]string, error) {
	total, err := totalGreetings(c, c.DB().Bun, c.GuildID())
	if err != nil {
		return nil, err
	}
	return []string{c.T("hello.status.greetings", "total", total)}, nil
}

// readStyle is the guild's greeting style, "wave" unless staff chose another.
func readStyle(ctx context.Context, idb bun.IDB, guildID uint64) (string, error) {
	style := "wave"
	err := idb.NewRaw(`SELECT style FROM hello_settings WHERE guild_id = ?`, guildID).Scan(ctx, &style)
	if err != nil && !db.IsNoRows(err) {
		return "", fmt.Errorf("read hello style: %w", err)
	}
	return style, nil
}

func styleEmoji(style string) string {
	if style == "sparkles" {
		return "✨"
	}
	return "👋"
}

func totalGreetings(ctx context.Context, idb bun.IDB, guildID uint64) (int, error) {
	var n int
	err := idb.NewRaw(`SELECT coalesce(sum(count), 0) FROM hello_greetings WHERE guild_id = ?`, guildID).Scan(ctx, &n)
	return n, err
}

// ThankArgs is guild-scoped (guild_id), so the core skips it where hello is off.
type ThankArgs struct {
	GuildID string `json:"guild_id"`
	UserID  string `json:"user_id"`
}

// Kind implements river.JobArgs.
func (ThankArgs) Kind() string { return "hello.thank" }

// thank is the thank-you job's work.
func (s *Service) thank(ctx context.Context, job *river.Job[ThankArgs]) error {
	_, err := s.DB.Bun.ExecContext(ctx,
		`UPDATE hello_greetings SET thanked = thanked + 1 WHERE guild_id = ? AND user_id = ?`, job.Args.GuildID, job.Args.UserID)
	return err
}

// TidyArgs is the nightly schedule's job; the example has nothing to tidy.
type TidyArgs struct{}

// Kind implements river.JobArgs.
func (TidyArgs) Kind() string { return "hello.tidy" }

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
