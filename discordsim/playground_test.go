package discordsim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPlaygroundIsServed(t *testing.T) {
	h := newHarness(t, Options{})
	for _, f := range []string{"", "app.js", "render.js", "markdown.js", "app.css"} {
		r := h.do("GET", playgroundPath+f, nil, "")
		if r.status != http.StatusOK || len(r.body) < 100 {
			t.Fatalf("GET %s%s = %d (%d bytes)", playgroundPath, f, r.status, len(r.body))
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(h.http.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != playgroundPath {
		t.Fatalf("GET / = %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if h.srv.PlaygroundURL() != h.srv.URL()+playgroundPath {
		t.Fatalf("PlaygroundURL %q", h.srv.PlaygroundURL())
	}
}

func TestGuildViewFollowsPermissions(t *testing.T) {
	h := newHarness(t, Options{})
	g := h.world.GuildID
	secret, err := h.srv.CreateChannel(g, ChannelSpec{Name: "secret", Overwrites: []Overwrite{{ID: g, Type: 0, Deny: PermViewChannel}}})
	if err != nil {
		t.Fatal(err)
	}
	names := func(v GuildView) string {
		var out []string
		for _, c := range v.Channels {
			out = append(out, c["name"].(string))
		}
		return strings.Join(out, ",")
	}
	bob, err := h.srv.GuildViewAs(g, h.world.MemberIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	admin, err := h.srv.GuildViewAs(g, h.world.AdminID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(names(bob), "secret") || !strings.Contains(names(admin), "secret") {
		t.Fatalf("bob sees %s; admin sees %s", names(bob), names(admin))
	}
	if !bob.BotPresent || len(bob.Members) != 5 || bob.Guild.Name != "Together Demo" {
		t.Fatalf("view = %+v", bob)
	}
	var adminMember ViewMember
	for _, m := range bob.Members {
		if m.ID == h.world.AdminID {
			adminMember = m
		}
	}
	if !adminMember.Admin {
		t.Fatalf("admin not marked admin: %+v", adminMember)
	}
	h.api("PUT", "/applications/"+h.srv.AppID()+"/guilds/"+g+"/commands", []any{map[string]any{"name": "ping", "description": "p", "type": 1}})
	bob, _ = h.srv.GuildViewAs(g, h.world.MemberIDs[0])
	if len(bob.Commands) != 1 || bob.Commands[0]["name"] != "ping" {
		t.Fatalf("commands %v", bob.Commands)
	}
	// Bad input: unknown guild, a user who is not a member.
	h.expect(h.do("GET", "/_sim/guilds/123/view", nil, ""), 404, 0)
	h.expect(h.do("GET", "/_sim/guilds/"+g+"/view?as_user=123", nil, ""), 400, 0)
	if r := h.do("GET", "/_sim/guilds/"+g+"/view?as_user="+h.world.MemberIDs[0], nil, ""); !strings.Contains(string(r.body), `"channels"`) || strings.Contains(string(r.body), secret) {
		t.Fatalf("HTTP view = %d %s", r.status, r.body)
	}
}

// TestLiveEventsNeverCarryEphemeralContent reads /_sim/events while the bot
// posts: a public message and an ephemeral reply are announced, the
// ephemeral one only by its addressee and never with its text.
func TestLiveEventsNeverCarryEphemeralContent(t *testing.T) {
	h := newHarness(t, Options{})
	req, _ := http.NewRequest("GET", h.http.URL+"/_sim/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func(want func(LiveEvent) bool) (LiveEvent, string) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatal("stream closed")
				}
				data, found := strings.CutPrefix(line, "data: ")
				if !found {
					continue
				}
				var ev LiveEvent
				if err := json.Unmarshal([]byte(data), &ev); err != nil {
					t.Fatalf("bad event %q: %v", data, err)
				}
				if want(ev) {
					return ev, data
				}
			case <-deadline:
				t.Fatal("no matching live event")
			}
		}
	}
	h.post(h.general(), "hello there")
	ev, _ := next(func(ev LiveEvent) bool { return ev.Type == "MESSAGE_CREATE" })
	if ev.ChannelID != h.general() || ev.MessageID == "" || ev.EphemeralTo != "" {
		t.Fatalf("public message event %+v", ev)
	}
	req2, _ := next(func(ev LiveEvent) bool { return ev.Type == "REQUEST" })
	if req2.Route != "/channels/{channel_id}/messages" || req2.Status != 200 {
		t.Fatalf("request event %+v", req2)
	}

	// An ephemeral reply to a command.
	h.api("PUT", "/applications/"+h.srv.AppID()+"/commands", []any{map[string]any{"name": "ping", "description": "p", "type": 1}})
	bob := h.world.MemberIDs[0]
	go func() {
		e := h.waitEvent("INTERACTION_CREATE")
		var it struct{ ID, Token string }
		_ = json.Unmarshal(e.data, &it)
		h.do("POST", APIPrefix+"/interactions/"+it.ID+"/"+it.Token+"/callback", map[string]any{"type": 4, "data": map[string]any{"content": "top secret pong", "flags": 64}}, "")
	}()
	if _, err := h.srv.Interact(t.Context(), InteractionSpec{Type: "command", GuildID: h.world.GuildID, ChannelID: h.general(), UserID: bob, Command: "ping"}); err != nil {
		t.Fatal(err)
	}
	ev, raw := next(func(ev LiveEvent) bool { return ev.Type == "MESSAGE_CREATE" })
	if ev.EphemeralTo != bob || strings.Contains(raw, "top secret") {
		t.Fatalf("ephemeral event %s", raw)
	}
}

// BenchmarkGuildViewAs measures what the playground asks for on every world
// change: one member's view of a guild with 50 channels and 200 members.
func BenchmarkGuildViewAs(b *testing.B) {
	srv, err := New(Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	demo, err := srv.SeedDemoGuild()
	if err != nil {
		b.Fatal(err)
	}
	for i := range 200 {
		if _, err := srv.AddMember(demo.GuildID, MemberSpec{Username: fmt.Sprintf("member%d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 50 {
		if _, err := srv.CreateChannel(demo.GuildID, ChannelSpec{Name: fmt.Sprintf("room-%d", i), ParentID: demo.CategoryID}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := srv.GuildViewAs(demo.GuildID, demo.MemberIDs[0]); err != nil {
			b.Fatal(err)
		}
	}
}
