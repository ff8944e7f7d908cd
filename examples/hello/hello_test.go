package hello_test

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/operator"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/examples/hello"
)

// TestE2EHelloModule loads the example module the way the app loads any
// module and checks each contribution reaches the running bot.
func TestE2EHelloModule(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{hello.Descriptor}})
	member := h.Guild.MemberIDs[0]

	h.Command(member, "hello", nil)
	res := h.Command(member, "hello", nil)
	got := apptest.ResponseText(res)
	if res.Message != nil {
		if c, ok := res.Message["content"].(string); ok && c != "" {
			got = c
		}
	}
	if !strings.Contains(got, "said hello 2 times") {
		t.Fatalf("reply %q (response %s)", got, res.Response)
	}

	// The job inserted in the command's transaction ran.
	h.WaitUntil(15*time.Second, "thank-you jobs", func() bool {
		var thanked int
		_ = h.DB.Pool.QueryRow(context.Background(), `SELECT thanked FROM hello_greetings WHERE user_id = $1`, member).Scan(&thanked)
		return thanked == 2
	})

	// The schedule and the migration were recorded.
	var n int
	if err := h.DB.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM core_schedules WHERE name = 'hello.nightly' AND module = 'hello'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("schedule rows %d, %v", n, err)
	}
	if err := h.DB.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM schema_migrations WHERE module = 'hello'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("migration rows %d, %v", n, err)
	}

	// The reply's button opens the note form; an invisible note is refused,
	// a real one is stored.
	noteButton := firstCustomID(t, res)
	for _, blank := range []string{"   ", "\u200b\u2060"} {
		click := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: member,
			MessageID: res.MessageID, CustomID: noteButton})
		if !strings.Contains(string(click.Response), `"type":9`) {
			t.Fatalf("the note button did not open a modal: %s", click.Response)
		}
		refused := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindModal, UserID: member,
			CustomID: noteButton, Fields: map[string]any{"note": blank}})
		if got := apptest.ResponseText(refused); !strings.Contains(got, "no visible text") {
			t.Fatalf("blank note %+q answered %q", blank, got)
		}
	}
	h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: member,
		MessageID: res.MessageID, CustomID: noteButton})
	saved := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindModal, UserID: member,
		CustomID: noteButton, Fields: map[string]any{"note": "see you at the raid"}})
	if got := apptest.ResponseText(saved); !strings.Contains(got, "Saved: see you at the raid") {
		t.Fatalf("note answered %q", got)
	}

	// The channel purpose and its dashboard: configuring the channel shows
	// the board there at once (its hook requests it); greeting again
	// updates it.
	board := h.Guild.ChannelIDs["lobby"]
	h.Command(h.Guild.AdminID, "config channel", map[string]any{"purpose": "hello.board", "channel": board})
	boardSays := func(want string) func() bool {
		return func() bool {
			ms, _ := h.Sim.Messages(board)
			for _, m := range ms {
				if c, _ := m["content"].(string); strings.Contains(c, want) {
					return true
				}
			}
			return false
		}
	}
	h.WaitUntil(15*time.Second, "greeting board after the channel was set", boardSays("Greetings so far: 2"))
	h.Command(member, "hello", nil)
	h.WaitUntil(15*time.Second, "greeting board after a greeting", boardSays("Greetings so far: 3"))

	// The /config setting changes the next reply; /admin status has hello's line.
	h.Command(h.Guild.AdminID, "config setting", map[string]any{"name": "hello.style", "value": "sparkles"})
	if got := apptest.ReplyText(h.Command(member, "hello", nil)); !strings.HasPrefix(got, "✨") {
		t.Fatalf("styled reply %q", got)
	}
	if got := apptest.ReplyText(h.Command(h.Guild.AdminID, "admin status", nil)); !strings.Contains(got, "Greetings recorded: 4") {
		t.Fatalf("admin status lacks hello's section: %q", got)
	}

	// The operator command reads the same tables.
	var out strings.Builder
	env := &operator.Env{Stdout: &out, Stderr: io.Discard,
		NewFlags: func(name string) *flag.FlagSet { return flag.NewFlagSet(name, flag.ContinueOnError) },
		Connect: func(ctx context.Context, _ *flag.FlagSet) (*operator.Conn, error) {
			d, err := db.Open(ctx, h.Env()["DATABASE_URL"], db.Options{MaxConns: 2})
			return &operator.Conn{DB: d}, err
		}}
	top := hello.Descriptor.Operator[0]
	if err := top.Run(context.Background(), env, []string{"top", "--guild=" + h.Guild.GuildID}); err != nil {
		t.Fatal(err)
	}
	if want := member + "\t4\n"; out.String() != want {
		t.Fatalf("app hello top printed %q, want %q", out.String(), want)
	}
	var usage *operator.UsageError
	if err := top.Run(context.Background(), env, []string{"top"}); !errors.As(err, &usage) {
		t.Fatalf("missing --guild: %v", err)
	}

	// Turned off in this guild, the command is refused and nothing changes.
	h.Command(h.Guild.AdminID, "config module", map[string]any{"name": "hello", "enabled": false})
	res = h.Command(member, "hello", nil)
	if got := apptest.ResponseText(res); !strings.Contains(got, "turned off") {
		t.Fatalf("turned-off module answered %q", got)
	}
	var count int
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT count FROM hello_greetings WHERE user_id = $1`, member).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count != 4 {
		t.Fatalf("count changed while the module was off: %d", count)
	}
}

// firstCustomID finds the first button's custom id in an answer.
func firstCustomID(t *testing.T, res discordsim.InteractionResult) string {
	t.Helper()
	if id := apptest.ResponseCustomID(res); id != "" {
		return id
	}
	if rows, ok := res.Message["components"].([]any); ok {
		for _, row := range rows {
			for _, c := range row.(map[string]any)["components"].([]any) {
				if id, _ := c.(map[string]any)["custom_id"].(string); id != "" {
					return id
				}
			}
		}
	}
	t.Fatalf("no button in %s / %v", res.Response, res.Message)
	return ""
}
