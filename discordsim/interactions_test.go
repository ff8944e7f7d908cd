package discordsim

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// registerDuel registers the commands the interaction tests use.
func (h *harness) registerCommands() {
	h.t.Helper()
	cmds := []any{
		map[string]any{"name": "ping", "description": "Ping", "options": []any{
			map[string]any{"type": 4, "name": "count", "description": "n"},
			map[string]any{"type": 3, "name": "mode", "description": "m", "choices": []any{
				map[string]any{"name": "Fast", "value": "fast"}, map[string]any{"name": "Slow", "value": "slow"},
			}},
		}},
		map[string]any{"name": "duel", "description": "Duels", "options": []any{
			map[string]any{"type": 2, "name": "round", "description": "Rounds", "options": []any{
				map[string]any{"type": 1, "name": "start", "description": "Start", "options": []any{
					map[string]any{"type": 6, "name": "opponent", "description": "Who", "required": true},
					map[string]any{"type": 7, "name": "arena", "description": "Where"},
				}},
			}},
		}},
	}
	h.expect(h.api("PUT", "/applications/"+h.srv.AppID()+"/commands", cmds), 200, -1)
}

type pendingInteract struct {
	res  chan InteractionResult
	errc chan error
}

// interact starts Interact in the background.
func (h *harness) interact(spec InteractionSpec) pendingInteract {
	p := pendingInteract{res: make(chan InteractionResult, 1), errc: make(chan error, 1)}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := h.srv.Interact(ctx, spec)
		if err != nil {
			p.errc <- err
			return
		}
		p.res <- res
	}()
	return p
}

func (p pendingInteract) wait(t *testing.T) InteractionResult {
	t.Helper()
	select {
	case r := <-p.res:
		return r
	case err := <-p.errc:
		t.Fatalf("interact: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("interact did not return")
	}
	return InteractionResult{}
}

type gotInteraction struct {
	ID, Token string
	raw       map[string]any
}

func (h *harness) nextInteraction() gotInteraction {
	h.t.Helper()
	e := h.waitEvent("INTERACTION_CREATE")
	var m map[string]any
	if err := json.Unmarshal(e.data, &m); err != nil {
		h.t.Fatal(err)
	}
	return gotInteraction{ID: m["id"].(string), Token: m["token"].(string), raw: m}
}

func (h *harness) callback(in gotInteraction, body any) response {
	return h.do("POST", APIPrefix+"/interactions/"+in.ID+"/"+in.Token+"/callback", body, "")
}

func (h *harness) webhook(method string, in gotInteraction, suffix string, body any) response {
	return h.do(method, APIPrefix+"/webhooks/"+h.srv.AppID()+"/"+in.Token+suffix, body, "")
}

func (h *harness) commandSpec(cmd string, opts map[string]any) InteractionSpec {
	return InteractionSpec{Type: "command", GuildID: h.world.GuildID, ChannelID: h.general(), UserID: h.world.MemberIDs[0], Command: cmd, Options: opts}
}

func TestCommandInteractionPayloadAndReply(t *testing.T) {
	h := newHarness(t, Options{})
	h.registerCommands()
	p := h.interact(h.commandSpec("duel round start", map[string]any{"opponent": h.world.MemberIDs[1], "arena": h.world.ChannelIDs["duels"]}))
	in := h.nextInteraction()
	raw := in.raw
	for _, k := range []string{"application_id", "guild_id", "channel", "channel_id", "member", "app_permissions", "locale", "guild_locale", "entitlements", "authorizing_integration_owners", "context"} {
		if _, ok := raw[k]; !ok {
			t.Fatalf("payload lacks %s: %v", k, raw)
		}
	}
	if raw["type"].(float64) != 2 || raw["version"].(float64) != 1 {
		t.Fatalf("payload %v", raw)
	}
	data := raw["data"].(map[string]any)
	group := data["options"].([]any)[0].(map[string]any)
	sub := group["options"].([]any)[0].(map[string]any)
	if data["name"] != "duel" || group["name"] != "round" || group["type"].(float64) != 2 || sub["name"] != "start" || len(sub["options"].([]any)) != 2 {
		t.Fatalf("data %v", data)
	}
	res := data["resolved"].(map[string]any)
	if res["users"].(map[string]any)[h.world.MemberIDs[1]] == nil || res["members"].(map[string]any)[h.world.MemberIDs[1]] == nil || res["channels"].(map[string]any)[h.world.ChannelIDs["duels"]] == nil {
		t.Fatalf("resolved %v", res)
	}
	if perms := raw["member"].(map[string]any)["permissions"]; perms == "" || perms == nil {
		t.Fatal("member.permissions missing")
	}
	h.clock.Advance(120 * time.Millisecond)
	h.expect(h.callback(in, map[string]any{"type": 4, "data": map[string]any{"content": "round started"}}), 204, -1)
	// A second callback: 40060.
	h.expect(h.callback(in, map[string]any{"type": 4, "data": map[string]any{"content": "again"}}), 400, codeAlreadyAcknowledged)
	r := p.wait(t)
	if r.Failed || r.AckMS != 120 || r.MessageID == "" || r.Message["content"] != "round started" {
		t.Fatalf("result %+v", r)
	}
	msg := r.Message
	if n, _ := toFloat(msg["type"]); n != 20 || msg["interaction_metadata"] == nil || msg["webhook_id"] != h.srv.AppID() {
		t.Fatalf("message %v", msg)
	}
	h.srv.RequireNoViolations(t)
}

func TestInteractRefusesWhatDiscordWouldNotSend(t *testing.T) {
	h := newHarness(t, Options{})
	h.registerCommands()
	ctx := context.Background()
	bad := []InteractionSpec{
		h.commandSpec("nope", nil),
		h.commandSpec("duel", nil),                                             // needs subcommand
		h.commandSpec("duel round start", nil),                                 // required option
		h.commandSpec("duel round start", map[string]any{"opponent": "12345"}), // unknown user
		h.commandSpec("ping", map[string]any{"count": 1.5}),                    // not an integer
		h.commandSpec("ping", map[string]any{"mode": "medium"}),                // not a choice
		h.commandSpec("ping", map[string]any{"bogus": 1}),                      // unknown option
	}
	for _, spec := range bad {
		if _, err := h.srv.Interact(ctx, spec); err == nil {
			t.Fatalf("accepted %+v", spec)
		}
	}
	// Over HTTP: 400.
	r := h.do("POST", "/_sim/interactions", h.commandSpec("nope", nil), "")
	h.expect(r, 400, 0)
}

func TestInteractionDeadline(t *testing.T) {
	h := newHarness(t, Options{})
	h.registerCommands()
	p := h.interact(h.commandSpec("ping", nil))
	in := h.nextInteraction()
	h.clock.Advance(3 * time.Second)
	r := p.wait(t)
	if !r.Failed {
		t.Fatalf("result %+v", r)
	}
	h.expect(h.callback(in, map[string]any{"type": 4, "data": map[string]any{"content": "late"}}), 404, codeUnknownInteraction)
	if st := h.srv.Stats(); st.InteractionsFailed != 1 {
		t.Fatalf("stats %+v", st)
	}
	if msgs, _ := h.srv.Messages(h.general()); len(msgs) != 0 {
		t.Fatal("late answer was posted")
	}
}

func TestDeferredFollowupsAndOriginal(t *testing.T) {
	h := newHarness(t, Options{})
	h.registerCommands()
	p := h.interact(h.commandSpec("ping", map[string]any{"count": 2}))
	in := h.nextInteraction()
	// Follow-ups before the callback: Unknown Webhook.
	h.expect(h.webhook("POST", in, "", map[string]any{"content": "early"}), 404, codeUnknownWebhook)
	h.expect(h.callback(in, map[string]any{"type": 5}), 204, -1)
	h.expect(h.webhook("PATCH", in, "/messages/@original", map[string]any{"content": "done thinking"}), 200, -1)
	r := p.wait(t)
	if r.Message["content"] != "done thinking" || r.Message["edit_count"] != 0 {
		t.Fatalf("deferred result %+v", r)
	}
	f := h.webhook("POST", in, "", map[string]any{"content": "follow"})
	h.expect(f, 200, -1)
	fid := f.json(t)["id"].(string)
	h.expect(h.webhook("PATCH", in, "/messages/"+fid, map[string]any{"content": "follow 2"}), 200, -1)
	got := h.webhook("GET", in, "/messages/@original", nil).json(t)
	if got["content"] != "done thinking" {
		t.Fatalf("@original %v", got)
	}
	h.expect(h.webhook("DELETE", in, "/messages/"+fid, nil), 204, -1)
	h.expect(h.webhook("DELETE", in, "/messages/@original", nil), 204, -1)
	h.expect(h.webhook("GET", in, "/messages/@original", nil), 404, codeUnknownMessage)
	// Tokens expire after 15 minutes.
	h.clock.Advance(interactionTokenLifetime + time.Second)
	h.expect(h.webhook("POST", in, "", map[string]any{"content": "too late"}), 401, codeInvalidWebhookToken)
	h.srv.RequireNoViolations(t)
}

func TestComponentsModalsEphemeral(t *testing.T) {
	h := newHarness(t, Options{})
	h.registerCommands()
	bob, carol := h.world.MemberIDs[0], h.world.MemberIDs[1]

	// The bot answers /ping with an ephemeral message carrying a button.
	p := h.interact(h.commandSpec("ping", nil))
	in := h.nextInteraction()
	h.expect(h.callback(in, map[string]any{"type": 4, "data": map[string]any{"content": "secret", "flags": 64,
		"components": []any{map[string]any{"type": 1, "components": []any{
			map[string]any{"type": 2, "style": 1, "label": "Open", "custom_id": "open-modal"},
			map[string]any{"type": 2, "style": 2, "label": "Off", "custom_id": "off", "disabled": true},
		}}}}}), 204, -1)
	r := p.wait(t)
	msgID := r.MessageID

	// Ephemeral visibility.
	ch := h.general()
	if all, _ := h.srv.Messages(ch); len(all) != 1 || all[0]["ephemeral_to"] != bob {
		t.Fatalf("control view %v", all)
	}
	if asCarol, _ := h.srv.MessagesAs(ch, carol); len(asCarol) != 0 {
		t.Fatal("carol sees bob's ephemeral")
	}
	if asBob, _ := h.srv.MessagesAs(ch, bob); len(asBob) != 1 {
		t.Fatal("bob does not see his ephemeral")
	}
	if list := h.api("GET", "/channels/"+ch+"/messages", nil).list(t); len(list) != 0 {
		t.Fatal("ephemeral visible through the bot's REST API")
	}
	hr := h.do("GET", "/_sim/channels/"+ch+"/messages?as_user="+carol, nil, "")
	if len(hr.list(t)) != 0 {
		t.Fatal("as_user filter over HTTP")
	}

	ctx := context.Background()
	comp := InteractionSpec{Type: "component", GuildID: h.world.GuildID, ChannelID: ch, UserID: bob, MessageID: msgID, CustomID: "missing"}
	if _, err := h.srv.Interact(ctx, comp); err == nil {
		t.Fatal("custom_id not on message accepted")
	}
	comp.CustomID = "off"
	if _, err := h.srv.Interact(ctx, comp); err == nil {
		t.Fatal("disabled button accepted")
	}
	comp.CustomID, comp.UserID = "open-modal", carol
	if _, err := h.srv.Interact(ctx, comp); err == nil {
		t.Fatal("click on someone else's ephemeral accepted")
	}
	modalSpec := InteractionSpec{Type: "modal", GuildID: h.world.GuildID, ChannelID: ch, UserID: bob, CustomID: "name-modal", Fields: map[string]any{"name": "Bob"}}
	if _, err := h.srv.Interact(ctx, modalSpec); err == nil {
		t.Fatal("modal never shown accepted")
	}

	// Clicking the button opens a modal using a Label.
	comp.UserID = bob
	p = h.interact(comp)
	in = h.nextInteraction()
	if in.raw["type"].(float64) != 3 || in.raw["message"] == nil || in.raw["data"].(map[string]any)["component_type"].(float64) != 2 {
		t.Fatalf("component payload %v", in.raw)
	}
	h.expect(h.callback(in, map[string]any{"type": 9, "data": map[string]any{"custom_id": "name-modal", "title": "Name", "components": []any{
		map[string]any{"type": 18, "label": "Your name", "component": map[string]any{"type": 4, "custom_id": "name", "style": 1}},
	}}}), 204, -1)
	if r := p.wait(t); r.Failed || r.MessageID != "" {
		t.Fatalf("modal result %+v", r)
	}
	// Carol never saw the modal.
	modalSpec.UserID = carol
	if _, err := h.srv.Interact(ctx, modalSpec); err == nil {
		t.Fatal("modal shown to bob accepted from carol")
	}
	modalSpec.UserID = bob
	p = h.interact(modalSpec)
	in = h.nextInteraction()
	comps := in.raw["data"].(map[string]any)["components"].([]any)
	label := comps[0].(map[string]any)
	input := label["component"].(map[string]any)
	if label["type"].(float64) != 18 || input["custom_id"] != "name" || input["value"] != "Bob" {
		t.Fatalf("modal submit %v", comps)
	}
	// Answer the submit by updating the message the modal came from.
	h.expect(h.callback(in, map[string]any{"type": 7, "data": map[string]any{"content": "hi Bob", "components": []any{}}}), 204, -1)
	r = p.wait(t)
	if r.MessageID != msgID || r.Message["content"] != "hi Bob" {
		t.Fatalf("update result %+v", r)
	}
	// The modal is closed now.
	if _, err := h.srv.Interact(ctx, modalSpec); err == nil {
		t.Fatal("closed modal accepted twice")
	}
	h.srv.RequireNoViolations(t)
}

func TestDMCommandInteraction(t *testing.T) {
	h := newHarness(t, Options{})
	h.registerCommands()
	bob := h.world.MemberIDs[0]
	p := h.interact(InteractionSpec{Type: "command", UserID: bob, Command: "ping"})
	in := h.nextInteraction()
	if in.raw["member"] != nil || in.raw["user"].(map[string]any)["id"] != bob || in.raw["context"].(float64) != 1 || in.raw["guild_id"] != nil {
		t.Fatalf("DM payload %v", in.raw)
	}
	h.expect(h.callback(in, map[string]any{"type": 4, "data": map[string]any{"content": "hi in DM"}}), 204, -1)
	p.wait(t)
	dms, err := h.srv.DMs(bob)
	if err != nil || len(dms) != 1 || dms[0]["content"] != "hi in DM" {
		t.Fatalf("dms %v %v", dms, err)
	}
	h.srv.RequireNoViolations(t)
}

// A forged click (InteractionSpec.Forged) reaches the bot as given: a
// custom id that is not on the message, any component type, any values.
func TestForgedComponentInteraction(t *testing.T) {
	h := newHarness(t, Options{})
	h.registerCommands()
	bob := h.world.MemberIDs[0]
	p := h.interact(h.commandSpec("ping", nil))
	in := h.nextInteraction()
	h.expect(h.callback(in, map[string]any{"type": 4, "data": map[string]any{"content": "board",
		"components": []any{map[string]any{"type": 1, "components": []any{
			map[string]any{"type": 2, "style": 1, "label": "Rules", "custom_id": "rules"},
		}}}}}), 204, -1)
	msgID := p.wait(t).MessageID

	ctx := context.Background()
	forged := InteractionSpec{Type: "component", GuildID: h.world.GuildID, ChannelID: h.general(), UserID: bob, MessageID: msgID,
		CustomID: "not-on-the-message", Forged: true}
	if _, err := h.srv.Interact(ctx, forged); err == nil {
		t.Fatal("forged click without a component type accepted")
	}
	forged.MessageID = "404"
	forged.ComponentType = 2
	if _, err := h.srv.Interact(ctx, forged); err == nil {
		t.Fatal("forged click on an unknown message accepted")
	}
	forged.MessageID, forged.CustomID, forged.ComponentType, forged.Values = msgID, "rules", 3, []string{"junk", "more"}
	p = h.interact(forged)
	in = h.nextInteraction()
	data := in.raw["data"].(map[string]any)
	if data["custom_id"] != "rules" || data["component_type"].(float64) != 3 || len(data["values"].([]any)) != 2 || in.raw["message"] == nil {
		t.Fatalf("forged payload %v", in.raw)
	}
	h.expect(h.callback(in, map[string]any{"type": 4, "data": map[string]any{"content": "no", "flags": 64}}), 204, -1)
	if r := p.wait(t); r.Failed {
		t.Fatalf("forged click result %+v", r)
	}
	h.srv.RequireNoViolations(t)
}
