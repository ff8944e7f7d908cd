package discordsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// literalSiblingRoutes lists the spec templates that have a literal segment
// where another template of the same length and prefix has a parameter
// ("/guilds/{guild_id}/members/search" beside ".../members/{user_id}").
func literalSiblingRoutes(routes map[string][]string) []string {
	var out []string
	for a := range routes {
		as := strings.Split(strings.Trim(a, "/"), "/")
	next:
		for b := range routes {
			bs := strings.Split(strings.Trim(b, "/"), "/")
			if len(as) != len(bs) || a == b {
				continue
			}
			for i := range as {
				if !isParamSeg(as[i]) && isParamSeg(bs[i]) && strings.Join(as[:i], "/") == strings.Join(bs[:i], "/") {
					out = append(out, a)
					break next
				}
			}
		}
	}
	return out
}

func isParamSeg(s string) bool { return strings.HasPrefix(s, "{") }

// TestLiteralSiblingRoutesAreNotShadowed requests every spec route that has
// a literal segment beside a parameter sibling, with every method the spec
// gives it: an emulated one must be served by its own handler (the request
// log names its template and the answer is not 501), and one that is not
// emulated must answer 501 naming itself, never the sibling's error.
func TestLiteralSiblingRoutesAreNotShadowed(t *testing.T) {
	h := newHarness(t, Options{})
	routes := h.srv.validator.Routes()
	siblings := literalSiblingRoutes(routes)
	if len(siblings) < 10 {
		t.Fatalf("found %d routes with a literal sibling; the spec has more: %v", len(siblings), siblings)
	}
	emulated := map[string]bool{}
	for _, rt := range h.srv.routes {
		emulated[rt.method+" "+rt.template] = true
	}
	values := map[string]string{
		"application_id": h.srv.AppID(), "guild_id": h.world.GuildID, "channel_id": h.general(),
		"user_id": h.world.MemberIDs[0],
	}
	for _, tmpl := range siblings {
		for _, method := range routes[tmpl] {
			segs := strings.Split(strings.Trim(tmpl, "/"), "/")
			for i, seg := range segs {
				if isParamSeg(seg) {
					name := strings.Trim(seg, "{}")
					segs[i] = values[name]
					if segs[i] == "" {
						segs[i] = "123456789012345678"
					}
				}
			}
			path := "/" + strings.Join(segs, "/")
			if tmpl == "/guilds/{guild_id}/members/search" {
				path += "?query=a"
			}
			var body any
			if method == "POST" || method == "PUT" || method == "PATCH" {
				body = map[string]any{}
			}
			r := h.api(method, path, body)
			last := h.srv.Requests()[len(h.srv.Requests())-1]
			if last.Route != tmpl {
				t.Errorf("%s %s logged as route %q, want %q", method, path, last.Route, tmpl)
			}
			if !emulated[method+" "+tmpl] {
				if r.status != http.StatusNotImplemented || !strings.Contains(string(r.body), tmpl) {
					t.Errorf("%s %s (not emulated) = %d %s, want 501 naming the route", method, tmpl, r.status, r.body)
				}
				continue
			}
			// Which handler answered: 404s from unknown ids in the path
			// (a made-up webhook token) are that handler's own.
			rt, _, _ := h.srv.resolveRoute(method, strings.SplitN(path, "?", 2)[0], last.Route)
			if rt == nil || rt.template != tmpl || r.status == http.StatusNotImplemented {
				t.Errorf("%s %s (emulated) = %d %s, served by %v", method, tmpl, r.status, r.body, rt)
			}
		}
	}
}

// TestDiscordJSStyleCalls makes the calls discord.js 14 makes that the
// emulator used to answer with a sibling route's 404.
func TestDiscordJSStyleCalls(t *testing.T) {
	h := newHarness(t, Options{})
	g := h.world.GuildID

	// guild.members.search({query}) and with a limit
	r := h.api("GET", "/guilds/"+g+"/members/search?query=B", nil)
	h.expect(r, 200, -1)
	found := r.list(t)
	if len(found) != 1 || found[0]["user"].(map[string]any)["username"] != "bob" {
		t.Fatalf("search bob = %s", r.body)
	}
	r = h.api("GET", "/guilds/"+g+"/members/search?query=&limit=5", nil)
	h.expect(r, 400, codeInvalidFormBody)
	r = h.api("GET", "/guilds/"+g+"/members/search?query=zzz&limit=1000", nil)
	h.expect(r, 200, -1)
	if len(r.list(t)) != 0 {
		t.Fatalf("search zzz = %s", r.body)
	}
	r = h.api("GET", "/guilds/123456789012345678/members/search?query=b", nil)
	h.expect(r, 404, codeUnknownGuild)

	// client.application.commands.permissions.fetch({guild})
	r = h.api("GET", "/applications/"+h.srv.AppID()+"/guilds/"+g+"/commands/permissions", nil)
	h.expect(r, 200, -1)
	if strings.TrimSpace(string(r.body)) != "[]" {
		t.Fatalf("permissions = %s", r.body)
	}
	r = h.api("GET", "/applications/123456789012345678/guilds/"+g+"/commands/permissions", nil)
	h.expect(r, 403, codeMissingAccess)
	// the single-member route still works beside the literal
	h.expect(h.api("GET", "/guilds/"+g+"/members/"+h.world.MemberIDs[0], nil), 200, -1)

	// guild.leave(): 204, GUILD_DELETE, then the guild is gone for the bot
	r = h.api("DELETE", "/users/@me/guilds/"+g, nil)
	h.expect(r, 204, -1)
	e := h.waitEvent("GUILD_DELETE")
	var del map[string]any
	if err := json.Unmarshal(e.data, &del); err != nil || del["id"] != g {
		t.Fatalf("GUILD_DELETE = %s", e.data)
	}
	if _, ok := del["unavailable"]; ok {
		t.Fatalf("GUILD_DELETE for a leave must not say unavailable: %s", e.data)
	}
	h.expect(h.api("GET", "/guilds/"+g, nil), 404, codeUnknownGuild)
	h.expect(h.api("DELETE", "/users/@me/guilds/"+g, nil), 404, codeUnknownGuild)
	h.expect(h.api("POST", "/channels/"+h.general()+"/messages", map[string]any{"content": "hi"}), 403, codeMissingAccess)
	if _, err := h.srv.AddMember(g, MemberSpec{Username: "late"}); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-h.events:
		t.Fatalf("event %s of a guild the bot left reached it", ev.event)
	default:
	}
	if ids := h.srv.readyData(0, 1).GuildIDs; len(ids) != 0 {
		t.Fatalf("READY still lists %v", ids)
	}
}

func TestRequestLogKeepsOrMarksBodies(t *testing.T) {
	h := newHarness(t, Options{RequestLogBodyLimit: 100})
	long := strings.Repeat("x", 150)
	h.post(h.general(), long)
	last := h.srv.Requests()[len(h.srv.Requests())-1]
	if !last.BodyTruncated || len(last.Body) != 100 || last.BodyBytes <= 150 {
		t.Fatalf("long body logged as %d bytes, truncated=%v, body_bytes=%d", len(last.Body), last.BodyTruncated, last.BodyBytes)
	}
	if last.Bucket == "" || last.Remaining == "" {
		t.Fatalf("rate-limit headers not logged: %+v", last)
	}
	h.post(h.general(), "short")
	last = h.srv.Requests()[len(h.srv.Requests())-1]
	if last.BodyTruncated || !strings.Contains(last.Body, "short") {
		t.Fatalf("short body logged as %+v", last)
	}

	// The default keeps a 20 KiB command registration whole.
	h2 := newHarness(t, Options{})
	var cmds []map[string]any
	for i := range 40 {
		cmds = append(cmds, map[string]any{"name": "cmd" + string(rune('a'+i%26)) + string(rune('a'+i/26)), "description": strings.Repeat("d", 100), "type": 1})
	}
	r := h2.api("PUT", "/applications/"+h2.srv.AppID()+"/commands", cmds)
	h2.expect(r, 200, -1)
	last = h2.srv.Requests()[len(h2.srv.Requests())-1]
	if last.BodyTruncated || len(last.Body) != last.BodyBytes || last.BodyBytes < 4096 {
		t.Fatalf("registration logged %d of %d bytes", len(last.Body), last.BodyBytes)
	}
}

func TestControlMessagesOrder(t *testing.T) {
	h := newHarness(t, Options{})
	h.post(h.general(), "first")
	h.post(h.general(), "second")
	get := func(q string) response { return h.do("GET", "/_sim/channels/"+h.general()+"/messages"+q, nil, "") }
	oldest, newest := get("").list(t), get("?order=newest").list(t)
	if oldest[0]["content"] != "first" || newest[0]["content"] != "second" {
		t.Fatalf("oldest[0]=%v newest[0]=%v", oldest[0]["content"], newest[0]["content"])
	}
	h.expect(get("?order=sideways"), 400, 0)
}
