package apptest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/together-bot/together/discordsim"
)

// Seen is what a user saw of an interaction, the answer and its follow-ups,
// as JSON in which "<#channel>", "<@user>" and "&" stay readable (also inside
// the raw JSON the emulator returns for embeds and components).
func Seen(res discordsim.InteractionResult) string {
	return JSON(append([]map[string]any{res.Message}, res.Followups...))
}

// JSON is v as JSON, readable as Seen is.
func JSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return "unprintable: " + err.Error()
	}
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(raw))
}

// RequireContains fails the test unless got contains every one of want.
func RequireContains(t testing.TB, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("%q not found in %s", w, got)
		}
	}
}

// WaitMessage waits until a message in channel contains want in its JSON
// and returns the first such message.
func (h *Harness) WaitMessage(channel, want string) map[string]any {
	h.T.Helper()
	var found []map[string]any
	h.WaitUntil(30*time.Second, "message with "+want, func() bool {
		found = h.MessagesWith(channel, want)
		return len(found) > 0
	})
	return found[0]
}

// MessagesWith lists the messages in channel whose JSON contains want.
func (h *Harness) MessagesWith(channel, want string) []map[string]any {
	h.T.Helper()
	return MessagesWith(h.T, h.Sim, channel, want)
}

// MessagesWith lists the messages in sim's channel whose JSON contains
// want, for tests that run the bot as a process rather than a Harness.
func MessagesWith(t testing.TB, sim *discordsim.Server, channel, want string) []map[string]any {
	t.Helper()
	ms, err := sim.Messages(channel)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, m := range ms {
		if raw, _ := json.Marshal(m); strings.Contains(string(raw), want) {
			out = append(out, m)
		}
	}
	return out
}

// ReplyText is the visible text of an answer: the message's content when
// the bot deferred and then answered, else the immediate response's.
func ReplyText(res discordsim.InteractionResult) string {
	if c, ok := res.Message["content"].(string); ok && c != "" {
		return c
	}
	return ResponseText(res)
}

// ResponseText is the content of the bot's immediate response ("" when it
// deferred).
func ResponseText(res discordsim.InteractionResult) string {
	var r struct {
		Data struct {
			Content string `json:"content"`
		} `json:"data"`
	}
	_ = json.Unmarshal(res.Response, &r)
	return r.Data.Content
}

// ResponseCustomID is the first custom id among the components of the bot's
// immediate response ("" when there is none).
func ResponseCustomID(res discordsim.InteractionResult) string {
	var r struct {
		Data struct {
			Components []struct {
				Components []struct {
					CustomID string `json:"custom_id"`
				} `json:"components"`
			} `json:"components"`
		} `json:"data"`
	}
	_ = json.Unmarshal(res.Response, &r)
	for _, row := range r.Data.Components {
		for _, c := range row.Components {
			if c.CustomID != "" {
				return c.CustomID
			}
		}
	}
	return ""
}
