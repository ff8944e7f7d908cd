package hello_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/examples/hello"
)

func answer(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var r struct {
		Data struct {
			Content string `json:"content"`
		} `json:"data"`
	}
	_ = json.Unmarshal(raw, &r)
	return r.Data.Content
}

// TestE2EHelloModule loads the example module the way the app loads any
// module and checks each contribution reaches the running bot.
func TestE2EHelloModule(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{hello.Descriptor}})
	member := h.Guild.MemberIDs[0]

	h.Command(member, "hello", nil)
	res := h.Command(member, "hello", nil)
	got := answer(t, res.Response)
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
		`SELECT count(*) FROM schema_migrations WHERE module = 'hello'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("migration rows %d, %v", n, err)
	}

	// Turned off in this guild, the command is refused and nothing changes.
	h.Command(h.Guild.AdminID, "config module", map[string]any{"name": "hello", "enabled": false})
	res = h.Command(member, "hello", nil)
	if got := answer(t, res.Response); !strings.Contains(got, "turned off") {
		t.Fatalf("turned-off module answered %q", got)
	}
	var count int
	_ = h.DB.Pool.QueryRow(context.Background(), `SELECT count FROM hello_greetings WHERE user_id = $1`, member).Scan(&count)
	if count != 2 {
		t.Fatalf("count changed while the module was off: %d", count)
	}
}
