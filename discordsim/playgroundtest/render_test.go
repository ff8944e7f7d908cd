package playgroundtest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/discordsim/simtest"
)

// asBot calls the emulator's REST API with the bot's token, as the bot
// would, and returns the decoded answer.
func asBot(t *testing.T, srv *discordsim.Server, method, path string, body any) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(body)
	status, out := simtest.CallAsBot(t, srv.APIURL(), srv.Token(), method, path, string(raw))
	if status == http.StatusNoContent {
		return nil
	}
	if status != http.StatusOK {
		t.Fatalf("%s %s = %d %s", method, path, status, out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPlaygroundRendersWorld opens the playground on an emulator without a
// bot and checks what a member sees: only the channels they may view, and
// messages the bot posts rendered like Discord, arriving and changing live;
// then the side panel's request log and a fault switched from the page.
func TestPlaygroundRendersWorld(t *testing.T) {
	srv, demo := simtest.NewDemo(t, discordsim.Options{Logger: slog.New(slog.DiscardHandler)})
	bob, general := demo.MemberIDs[0], demo.ChannelIDs["general"]
	secret, err := srv.CreateChannel(demo.GuildID, discordsim.ChannelSpec{Name: "staff-only", Overwrites: []discordsim.Overwrite{
		{ID: demo.GuildID, Type: 0, Deny: discordsim.PermViewChannel},
	}})
	if err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t)
	page := b.tab(t, "bob", playgroundAt(srv, demo.GuildID, general, bob))
	page.waitText("#member-select option:checked", "bob")
	page.waitText("#channels .category", "Games")
	page.waitText("#channels .channel", "duels")
	if page.has("#channels .channel", "staff-only") {
		t.Fatal("bob sees a channel @everyone may not view")
	}
	admin := b.tab(t, "admin", playgroundAt(srv, demo.GuildID, secret, demo.AdminID))
	admin.waitText("#channel-name", "staff-only")

	// A Components V2 message, posted after the page opened: it arrives live.
	deadline := time.Now().Add(90 * time.Minute).Unix()
	msg := asBot(t, srv, "POST", "/channels/"+general+"/messages", map[string]any{
		"flags": 1 << 15,
		"components": []any{
			map[string]any{"type": 17, "accent_color": 0x5865f2, "components": []any{
				map[string]any{"type": 10, "content": fmt.Sprintf("## Pair Home\n**Round #1** · closes <t:%d:R> · <@%s> and <#%s> · ||secret||", deadline, bob, general)},
				map[string]any{"type": 14, "divider": true, "spacing": 1},
				map[string]any{"type": 9, "components": []any{map[string]any{"type": 10, "content": "-# a section"}},
					"accessory": map[string]any{"type": 2, "style": 1, "label": "Open", "custom_id": "open"}},
				map[string]any{"type": 1, "components": []any{
					map[string]any{"type": 2, "style": 3, "label": "Yes", "custom_id": "yes"},
					map[string]any{"type": 2, "style": 4, "label": "Closed", "custom_id": "closed", "disabled": true},
				}},
				map[string]any{"type": 1, "components": []any{
					map[string]any{"type": 3, "custom_id": "pick", "placeholder": "Pick one", "options": []any{
						map[string]any{"label": "Tea", "value": "tea"}, map[string]any{"label": "Coffee", "value": "coffee"}}},
				}},
				map[string]any{"type": 1, "components": []any{map[string]any{"type": 5, "custom_id": "who"}}},
			}},
		},
	})
	page.waitText("#messages .c-container .c-text h2", "Pair Home")
	page.waitText("#messages .mention", "@bob")
	page.waitText("#messages .mention", "#general")
	if rel := eval[string](page, `document.querySelector('#messages .timestamp[data-style="R"]').textContent`); !strings.HasPrefix(rel, "in ") {
		t.Fatalf("<t:…:R> rendered %q, want a relative time in the future", rel)
	}
	if got := eval[string](page, `getComputedStyle(document.querySelector('#messages .c-container')).borderLeftColor`); got != "rgb(88, 101, 242)" {
		t.Fatalf("container accent %q", got)
	}
	if !eval[bool](page, `document.querySelector('#messages button[data-custom-id="closed"]').disabled`) ||
		eval[bool](page, `document.querySelector('#messages button[data-custom-id="yes"]').disabled`) {
		t.Fatal("disabled state of buttons not rendered")
	}
	if n := eval[int](page, `document.querySelectorAll('#messages select[data-custom-id="who"] option').length`); n < 3 {
		t.Fatalf("user select offers %d options, want the members", n)
	}

	// An embed, then an edit of it: both live.
	emb := asBot(t, srv, "POST", "/channels/"+general+"/messages", map[string]any{
		"embeds": []any{map[string]any{"title": "Scoreboard", "description": "Answers: **0**", "color": 0x248046,
			"fields": []any{map[string]any{"name": "Pairs", "value": "2", "inline": true}}}},
	})
	page.waitText("#messages .embed .e-title", "Scoreboard")
	asBot(t, srv, "PATCH", "/channels/"+general+"/messages/"+emb["id"].(string), map[string]any{
		"embeds": []any{map[string]any{"title": "Scoreboard", "description": "Answers: **1**", "color": 0x248046}},
	})
	page.waitText("#messages .embed .e-desc", "Answers: 1")
	text := asBot(t, srv, "POST", "/channels/"+general+"/messages", map[string]any{"content": "first draft"})
	page.waitText("#messages .content", "first draft")
	asBot(t, srv, "PATCH", "/channels/"+general+"/messages/"+text["id"].(string), map[string]any{"content": "second draft"})
	page.waitText("#messages .content", "second draft (edited)")
	asBot(t, srv, "PUT", "/channels/"+general+"/messages/pins/"+msg["id"].(string), nil)
	page.waitText("#messages .message.system", "pinned a message")

	// The side panel lists the bot's requests; a fault switched from the
	// page makes the next one fail, and the log shows it.
	page.waitText("#requests td", "/channels/{channel_id}/messages/{message_id}")
	page.run(chromedp.Click(chromedp.CSS(`#side-tabs button[data-tab="faults"]`)),
		chromedp.Click(chromedp.CSS(`#faults button[data-fault*="rest_5xx"]`)))
	page.waitText("#notice", "Fault injected")
	req, _ := http.NewRequest("GET", srv.APIURL()+"/channels/"+general, nil)
	req.Header.Set("Authorization", "Bot "+srv.Token())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadGateway {
		t.Fatalf("after the page's fault: %d, want 502", res.StatusCode)
	}
	page.run(chromedp.Click(chromedp.CSS(`#side-tabs button[data-tab="requests"]`)))
	page.waitText("#requests tr.s5xx td", "502")
	page.run(chromedp.Click(chromedp.CSS(`#side-tabs button[data-tab="faults"]`)), chromedp.Click(chromedp.CSS("#clear-faults")))
	page.waitText("#notice", "Faults cleared")

	// Acting as a new member created from the page.
	page.run(chromedp.Click(chromedp.CSS("#world summary")),
		chromedp.SendKeys(chromedp.CSS(`#new-member input[name=username]`), "dave"),
		chromedp.Click(chromedp.CSS(`#new-member button`)))
	page.waitText("#member-select option:checked", "dave")
}

// TestPlaygroundCommandBarAndComponents checks the command bar against
// registered commands (groups, choices, min/max, typed pickers) and that
// clicks and selections reach the emulator as interactions: with no bot to
// answer, each ends as Discord's "interaction failed".
func TestPlaygroundCommandBarAndComponents(t *testing.T) {
	srv, demo := simtest.NewDemo(t, discordsim.Options{Logger: slog.New(slog.DiscardHandler), InteractionDeadline: 300 * time.Millisecond})
	asBotList := func(path string, body any) {
		raw, _ := json.Marshal(body)
		if status, _ := simtest.CallAsBot(t, srv.APIURL(), srv.Token(), "PUT", path, string(raw)); status != http.StatusOK {
			t.Fatalf("PUT %s = %d", path, status)
		}
	}
	b := newBrowser(t)
	page := b.tab(t, "admin", playgroundAt(srv, demo.GuildID, demo.ChannelIDs["general"], demo.AdminID))

	// Registered after the page opened: the bar learns them live.
	asBotList("/applications/"+srv.AppID()+"/commands", []any{map[string]any{
		"name": "game", "description": "Games", "type": 1, "options": []any{
			map[string]any{"type": 2, "name": "round", "description": "Rounds", "options": []any{
				map[string]any{"type": 1, "name": "start", "description": "Start a round", "options": []any{
					map[string]any{"type": 3, "name": "mode", "description": "Mode", "required": true, "choices": []any{
						map[string]any{"name": "Fast", "value": "fast"}, map[string]any{"name": "Slow", "value": "slow"}}},
					map[string]any{"type": 4, "name": "minutes", "description": "Minutes", "required": true, "min_value": 5, "max_value": 60},
					map[string]any{"type": 6, "name": "member", "description": "Member"},
					map[string]any{"type": 7, "name": "where", "description": "Channel", "channel_types": []int{4}},
				}},
			}},
		}}})
	page.run(chromedp.SendKeys(chromedp.CSS("#command-input"), "/game r"))
	page.waitText("#command-suggestions .suggestion", "/game round start")
	page.run(chromedp.Click(chromedp.CSS(`#command-suggestions .suggestion[data-path="game round start"]`)))
	if got := eval[string](page, `[...document.querySelectorAll("#opt-mode option")].map(o => o.textContent).join(",")`); got != "choose…,Fast,Slow" {
		t.Fatalf("mode choices %q", got)
	}
	if got := eval[string](page, `document.querySelector("#opt-minutes").min + "-" + document.querySelector("#opt-minutes").max`); got != "5-60" {
		t.Fatalf("minutes bounds %q", got)
	}
	if got := eval[string](page, `[...document.querySelectorAll("#opt-where option")].map(o => o.textContent).join(",")`); got != "(none),📁 Games" {
		t.Fatalf("category-only channel picker offers %q", got)
	}
	if !page.has("#opt-member option", "@bob") {
		t.Fatal("member picker lacks bob")
	}
	// An out-of-range number is refused by the page, like Discord's client.
	page.command("game round start", map[string]string{"mode": "fast", "minutes": "99"})
	if eval[string](page, `document.querySelector("#command-input").value`) != "/game round start" {
		t.Fatal("the bar ran a command with minutes=99")
	}
	eval[any](page, `document.querySelector("#opt-minutes").value = "10"`)
	page.run(chromedp.Click(chromedp.CSS("#command-run")))
	page.waitText("#notice", "interaction failed")
	if st := srv.Stats(); st.InteractionsFailed != 1 {
		t.Fatalf("interactions failed = %d, want the command's 1", st.InteractionsFailed)
	}

	// A button and a select of a bot message become component interactions.
	asBot(t, srv, "POST", "/channels/"+demo.ChannelIDs["general"]+"/messages", map[string]any{
		"content": "Pick", "components": []any{
			map[string]any{"type": 1, "components": []any{map[string]any{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}}},
			map[string]any{"type": 1, "components": []any{map[string]any{"type": 3, "custom_id": "flavour", "options": []any{
				map[string]any{"label": "Tea", "value": "tea"}, map[string]any{"label": "Coffee", "value": "coffee"}}}}},
		}})
	page.waitText("#messages button.c-button", "Go")
	eval[any](page, `document.querySelector("#notice").hidden = true`)
	page.run(chromedp.Click(chromedp.CSS(`#messages button[data-custom-id="go"]`)))
	page.waitText("#notice", "interaction failed")
	eval[any](page, `(() => { const s = document.querySelector('#messages select[data-custom-id="flavour"]'); s.value = "coffee"; s.dispatchEvent(new Event("change")); })()`)
	deadline := time.Now().Add(10 * time.Second)
	for srv.Stats().InteractionsFailed != 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if st := srv.Stats(); st.InteractionsFailed != 3 {
		t.Fatalf("interactions failed = %d, want command, click and selection", st.InteractionsFailed)
	}
}
