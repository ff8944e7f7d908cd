package discordsim

import (
	"strings"
	"testing"
)

func TestControlAPIOverHTTP(t *testing.T) {
	h := newHarness(t, Options{})
	ctl := func(method, path string, body any, want int) response {
		t.Helper()
		r := h.do(method, "/_sim"+path, body, "")
		if r.status != want {
			t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
		}
		return r
	}
	gid := ctl("POST", "/guilds", map[string]any{"name": "Arena"}, 200).json(t)["id"].(string)
	h.waitEvent("GUILD_CREATE")
	if gs := ctl("GET", "/guilds", nil, 200).list(t); len(gs) != 2 {
		t.Fatalf("guilds %v", gs)
	}
	rid := ctl("POST", "/guilds/"+gid+"/roles", map[string]any{"name": "mods", "permissions": "8192"}, 200).json(t)["id"].(string)
	uid := ctl("POST", "/guilds/"+gid+"/members", map[string]any{"username": "dave", "role_ids": []string{rid}}, 200).json(t)["id"].(string)
	if e := h.waitEvent("GUILD_MEMBER_ADD"); !strings.Contains(string(e.data), rid) {
		t.Fatalf("member add %s", e.data)
	}
	cat := ctl("POST", "/guilds/"+gid+"/channels", map[string]any{"name": "Games", "type": 4}, 200).json(t)["id"].(string)
	cid := ctl("POST", "/guilds/"+gid+"/channels", map[string]any{"name": "room", "type": 0, "parent_id": cat}, 200).json(t)["id"].(string)
	ctl("POST", "/guilds/"+gid+"/channels", map[string]any{"name": "bad", "type": 0, "parent_id": cid}, 400)
	chans := ctl("GET", "/guilds/"+gid+"/channels", nil, 200).list(t)
	if len(chans) != 2 || chans[1]["parent_id"] != cat || chans[1]["permission_overwrites"] == nil {
		t.Fatalf("channels %v", chans)
	}
	mid := h.post(cid, "hello")["id"].(string)
	msgs := ctl("GET", "/channels/"+cid+"/messages", nil, 200).list(t)
	if len(msgs) != 1 || msgs[0]["edit_count"].(float64) != 0 {
		t.Fatalf("messages %v", msgs)
	}
	ctl("DELETE", "/channels/"+cid+"/messages/"+mid, nil, 204)
	h.expect(h.api("GET", "/channels/"+cid+"/messages/"+mid, nil), 404, codeUnknownMessage)
	ctl("GET", "/users/"+uid+"/dms", nil, 200)
	ctl("DELETE", "/guilds/"+gid+"/members/"+uid, nil, 204)
	ctl("DELETE", "/channels/"+cid, nil, 204)
	h.waitEvent("CHANNEL_DELETE")
	h.expect(h.api("GET", "/channels/"+cid, nil), 404, codeUnknownChannel)

	st := ctl("GET", "/stats", nil, 200).json(t)
	for _, k := range []string{"requests", "rate_limited", "global_rate_limited", "invalid_requests", "spec_violations", "messages_created", "messages_edited", "interactions_failed", "by_route", "gateway_violations", "identifies_refused"} {
		if _, ok := st[k]; !ok {
			t.Fatalf("stats lacks %s: %v", k, st)
		}
	}
	ctl("GET", "/violations", nil, 200)
	if body := ctl("GET", "/gateway/violations", nil, 200).body; strings.TrimSpace(string(body)) != "[]" {
		t.Fatalf("gateway violations of a quiet bot: %s", body)
	}
	ctl("GET", "/nope", nil, 404)
}

func TestRequestLogRedactsTokens(t *testing.T) {
	h := newHarness(t, Options{})
	h.registerCommands()
	p := h.interact(h.commandSpec("ping", nil))
	in := h.nextInteraction()
	r := h.do("POST", APIPrefix+"/interactions/"+in.ID+"/"+in.Token+"/callback?with_response=true", map[string]any{"type": 4, "data": map[string]any{"content": "hi"}}, "")
	h.expect(r, 200, -1)
	body := r.json(t)
	if body["interaction"].(map[string]any)["response_message_id"] == nil || body["resource"].(map[string]any)["message"] == nil {
		t.Fatalf("with_response %v", body)
	}
	p.wait(t)
	raw := string(h.do("GET", "/_sim/requests", nil, "").body)
	if strings.Contains(raw, in.Token) || strings.Contains(raw, h.srv.Token()) {
		t.Fatal("request log leaks a token")
	}
	if !strings.Contains(raw, "/callback") {
		t.Fatalf("request log %s", raw)
	}
}

func TestUnknownRoutes(t *testing.T) {
	h := newHarness(t, Options{})
	h.expect(h.api("GET", "/definitely/not/a/route", nil), 404, 0)
	h.expect(h.api("POST", "/users/@me", map[string]any{}), 405, 0)
}
