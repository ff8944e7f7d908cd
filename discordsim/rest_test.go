package discordsim

import (
	"strings"
	"testing"

	"github.com/disgoorg/snowflake/v2"
)

func TestAuth(t *testing.T) {
	h := newHarness(t, Options{})
	for _, auth := range []string{"", "Bot wrong", "Bearer " + h.srv.Token(), h.srv.Token()} {
		r := h.do("GET", APIPrefix+"/users/@me", nil, auth)
		h.expect(r, 401, 0)
		if got := r.json(t)["message"]; got != "401: Unauthorized" {
			t.Fatalf("message %v", got)
		}
	}
	r := h.api("GET", "/users/@me", nil)
	h.expect(r, 200, -1)
	me := r.json(t)
	if me["id"] != h.srv.BotUserID() || me["bot"] != true {
		t.Fatalf("me = %v", me)
	}
	if st := h.srv.Stats(); st.InvalidRequests != 4 {
		t.Fatalf("invalid requests = %d, want 4", st.InvalidRequests)
	}
}

func TestGatewayDiscovery(t *testing.T) {
	h := newHarness(t, Options{})
	g := h.api("GET", "/gateway", nil).json(t)
	if !strings.HasPrefix(g["url"].(string), "ws://") {
		t.Fatalf("gateway url %v", g["url"])
	}
	gb := h.api("GET", "/gateway/bot", nil).json(t)
	ssl := gb["session_start_limit"].(map[string]any)
	for _, k := range []string{"total", "remaining", "reset_after", "max_concurrency"} {
		if _, ok := ssl[k]; !ok {
			t.Fatalf("session_start_limit lacks %s: %v", k, gb)
		}
	}
	if gb["shards"].(float64) != 1 {
		t.Fatalf("shards %v", gb["shards"])
	}
}

func TestUnknownIDs(t *testing.T) {
	h := newHarness(t, Options{})
	g, ch := h.world.GuildID, h.general()
	cases := []struct {
		method, path string
		code         int
	}{
		{"GET", "/channels/1234567890123/messages", codeUnknownChannel},
		{"GET", "/channels/" + ch + "/messages/1234567890123", codeUnknownMessage},
		{"GET", "/guilds/1234567890123", codeUnknownGuild},
		{"GET", "/guilds/" + g + "/members/1234567890123", codeUnknownMember},
		{"GET", "/users/1234567890123", codeUnknownUser},
		{"GET", "/applications/" + h.srv.AppID() + "/commands/1234567890123", codeUnknownCommand},
		{"DELETE", "/applications/" + h.srv.AppID() + "/guilds/" + g + "/commands/1234567890123", codeUnknownCommand},
		{"PATCH", "/webhooks/1234567890123/tok/messages/@original", codeUnknownWebhook},
	}
	for _, c := range cases {
		var body any
		if c.method == "PATCH" {
			body = map[string]any{"content": "x"}
		}
		h.expect(h.api(c.method, c.path, body), 404, c.code)
	}
	r := h.api("POST", "/interactions/1234567890123/tok/callback", map[string]any{"type": 4, "data": map[string]any{"content": "x"}})
	h.expect(r, 404, codeUnknownInteraction)
	h.srv.RequireNoViolations(t)
}

func TestMessagesCRUD(t *testing.T) {
	h := newHarness(t, Options{})
	ch := h.general()
	m := h.post(ch, "hello")
	id := m["id"].(string)
	sf, err := snowflake.Parse(id)
	if err != nil || !sf.Time().Equal(h.clock.Now().Truncate(1e6)) {
		t.Fatalf("id %s not a snowflake of now: %v %v", id, sf.Time(), err)
	}
	author := m["author"].(map[string]any)
	if author["bot"] != true || m["channel_id"] != ch || m["edited_timestamp"] != nil || m["pinned"] != false || m["type"].(float64) != 0 {
		t.Fatalf("message shape %v", m)
	}
	e := h.waitEvent("MESSAGE_CREATE")
	if !strings.Contains(string(e.data), `"guild_id":"`+h.world.GuildID) {
		t.Fatalf("MESSAGE_CREATE %s", e.data)
	}

	// PATCH changes only sent fields; null clears.
	r := h.api("PATCH", "/channels/"+ch+"/messages/"+id, map[string]any{"embeds": []any{map[string]any{"title": "t"}}})
	h.expect(r, 200, -1)
	got := r.json(t)
	if got["content"] != "hello" || len(got["embeds"].([]any)) != 1 || got["edited_timestamp"] == nil {
		t.Fatalf("after patch %v", got)
	}
	r = h.api("PATCH", "/channels/"+ch+"/messages/"+id, `{"embeds": null}`)
	h.expect(r, 200, -1)
	if got := r.json(t); got["content"] != "hello" || len(got["embeds"].([]any)) != 0 {
		t.Fatalf("null did not clear: %v", got)
	}
	h.expect(h.api("GET", "/channels/"+ch+"/messages/"+id, nil), 200, -1)
	list := h.api("GET", "/channels/"+ch+"/messages?limit=10", nil).list(t)
	if len(list) != 1 || list[0]["id"] != id {
		t.Fatalf("list %v", list)
	}
	msgs, _ := h.srv.Messages(ch)
	if msgs[0]["edit_count"] != 2 {
		t.Fatalf("edit_count %v", msgs[0]["edit_count"])
	}
	if st := h.srv.Stats(); st.MessagesCreated != 1 || st.MessagesEdited != 2 {
		t.Fatalf("stats %+v", st)
	}
	h.expect(h.api("POST", "/channels/"+ch+"/messages", map[string]any{"content": ""}), 400, codeEmptyMessage)
	h.expect(h.api("DELETE", "/channels/"+ch+"/messages/"+id, nil), 204, -1)
	h.expect(h.api("GET", "/channels/"+ch+"/messages/"+id, nil), 404, codeUnknownMessage)
	h.srv.RequireNoViolations(t)
}

func TestPins(t *testing.T) {
	h := newHarness(t, Options{})
	ch := h.general()
	id := h.post(ch, "pin me")["id"].(string)
	h.expect(h.api("PUT", "/channels/"+ch+"/messages/pins/"+id, nil), 204, -1)
	pins := h.api("GET", "/channels/"+ch+"/messages/pins", nil).json(t)
	items := pins["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["message"].(map[string]any)["id"] != id {
		t.Fatalf("pins %v", pins)
	}
	legacy := h.api("GET", "/channels/"+ch+"/pins", nil).list(t)
	if len(legacy) != 1 || legacy[0]["pinned"] != true {
		t.Fatalf("legacy pins %v", legacy)
	}
	h.expect(h.api("DELETE", "/channels/"+ch+"/pins/"+id, nil), 204, -1)
	if legacy := h.api("GET", "/channels/"+ch+"/pins", nil).list(t); len(legacy) != 0 {
		t.Fatalf("still pinned %v", legacy)
	}
	h.expect(h.api("PUT", "/channels/"+ch+"/pins/1234567890123", nil), 404, codeUnknownMessage)
	h.srv.RequireNoViolations(t)
}

func TestNonceDedupe(t *testing.T) {
	h := newHarness(t, Options{})
	ch := h.general()
	body := map[string]any{"content": "once", "nonce": "abc-1", "enforce_nonce": true}
	first := h.api("POST", "/channels/"+ch+"/messages", body).json(t)
	second := h.api("POST", "/channels/"+ch+"/messages", body).json(t)
	if first["id"] != second["id"] || first["nonce"] != "abc-1" {
		t.Fatalf("nonce not deduped: %v vs %v", first["id"], second["id"])
	}
	// Without enforce_nonce, or once the window is over, a new message.
	third := h.api("POST", "/channels/"+ch+"/messages", map[string]any{"content": "once", "nonce": "abc-1"}).json(t)
	h.clock.Advance(nonceWindow + 1)
	fourth := h.api("POST", "/channels/"+ch+"/messages", body).json(t)
	if third["id"] == first["id"] || fourth["id"] == first["id"] {
		t.Fatal("nonce dedupe too broad")
	}
	if msgs, _ := h.srv.Messages(ch); len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	h.srv.RequireNoViolations(t)
}

func TestValidationRecordsViolation(t *testing.T) {
	h := newHarness(t, Options{})
	ch := h.general()
	long := strings.Repeat("x", 101)
	body := map[string]any{"components": []any{map[string]any{"type": 1, "components": []any{
		map[string]any{"type": 2, "style": 1, "label": "go", "custom_id": long},
	}}}}
	r := h.api("POST", "/channels/"+ch+"/messages", body)
	h.expect(r, 400, codeInvalidFormBody)
	errs := r.json(t)["errors"].(map[string]any)
	leaf := errs["components"].(map[string]any)["0"].(map[string]any)["components"].(map[string]any)["0"].(map[string]any)["custom_id"].(map[string]any)
	if len(leaf["_errors"].([]any)) == 0 {
		t.Fatalf("errors %v", errs)
	}
	if len(h.srv.Violations()) == 0 || h.srv.Stats().SpecViolations == 0 {
		t.Fatal("violation not recorded")
	}
	rec := &recordingTB{}
	h.srv.RequireNoViolations(rec)
	if rec.errors == 0 {
		t.Fatal("RequireNoViolations did not fail")
	}
	if msgs, _ := h.srv.Messages(ch); len(msgs) != 0 {
		t.Fatal("invalid message was stored")
	}
}

type recordingTB struct{ errors int }

func (r *recordingTB) Helper()                           {}
func (r *recordingTB) Errorf(format string, args ...any) { r.errors++ }
