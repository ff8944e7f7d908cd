package apptest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/examples/hello"
)

const callbackRoute = "POST /interactions/{interaction_id}/{interaction_token}/callback"

// responseOf is the type and content of an initial response.
func responseOf(t *testing.T, raw json.RawMessage) (int, string) {
	t.Helper()
	var r struct {
		Type int `json:"type"`
		Data struct {
			Content  string `json:"content"`
			CustomID string `json:"custom_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response %s: %v", raw, err)
	}
	return r.Type, r.Data.Content
}

// TestE2EHTTPInteractions: with an interactions endpoint set, the emulator
// POSTs a slash command, a button click and a modal submit to the bot, signed;
// the bot's answers are the HTTP responses, none goes through the callback
// route, and the gateway carries no interaction.
func TestE2EHTTPInteractions(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{hello.Descriptor}, HTTPInteractions: true})
	if ep := h.Sim.InteractionsEndpoint(); ep.URL != h.InteractionsURL() {
		t.Fatalf("emulator endpoint %q, bot serves %q", ep.URL, h.InteractionsURL())
	}
	member := h.Guild.MemberIDs[0]

	res := h.Command(member, "hello", nil)
	if typ, content := responseOf(t, res.Response); typ != 4 || !strings.Contains(content, "said hello 1 times") {
		t.Fatalf("command answered %s", res.Response)
	}
	// The answer, as the bot put it in the HTTP response, carries the button.
	note := apptest.ResponseCustomID(res)
	if note == "" {
		t.Fatalf("no button in %s", res.Response)
	}
	click := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindComponent, UserID: member, MessageID: res.MessageID, CustomID: note})
	if typ, _ := responseOf(t, click.Response); typ != 9 {
		t.Fatalf("button answered %s, want a modal", click.Response)
	}
	saved := h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindModal, UserID: member, CustomID: note,
		Fields: map[string]any{"note": "over http"}})
	if _, content := responseOf(t, saved.Response); !strings.Contains(content, "Saved: over http") {
		t.Fatalf("modal answered %s", saved.Response)
	}
	st := h.Sim.Stats()
	if st.InteractionsOverHTTP != 3 || st.ByRoute[callbackRoute] != 0 || st.InteractionsFailed != 0 {
		t.Fatalf("stats: %d over HTTP, %d REST callbacks, %d failed", st.InteractionsOverHTTP, st.ByRoute[callbackRoute], st.InteractionsFailed)
	}
}
