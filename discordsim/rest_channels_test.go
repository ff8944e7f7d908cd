package discordsim

import (
	"strconv"
	"testing"
)

func TestPermissionOverwrites(t *testing.T) {
	h := newHarness(t, Options{})
	g := h.srv.st.guilds[h.world.GuildID]
	botRole := g.BotRoleID
	ch := h.world.ChannelIDs["lobby"]

	// Bot's role denied VIEW_CHANNEL: 50001 Missing Access.
	if err := h.srv.SetOverwrite(ch, Overwrite{ID: botRole, Type: OverwriteRole, Deny: PermViewChannel}); err != nil {
		t.Fatal(err)
	}
	h.expect(h.api("POST", "/channels/"+ch+"/messages", map[string]any{"content": "hi"}), 403, codeMissingAccess)
	h.expect(h.api("GET", "/channels/"+ch, nil), 403, codeMissingAccess)

	// A member overwrite for the bot beats the role deny.
	if err := h.srv.SetOverwrite(ch, Overwrite{ID: h.srv.BotUserID(), Type: OverwriteMember, Allow: PermViewChannel}); err != nil {
		t.Fatal(err)
	}
	h.post(ch, "visible again")

	// @everyone denied SEND_MESSAGES: 50013 Missing Permissions.
	ch2 := h.world.ChannelIDs["duels"]
	if err := h.srv.SetOverwrite(ch2, Overwrite{ID: g.ID, Type: OverwriteRole, Deny: PermSendMessages}); err != nil {
		t.Fatal(err)
	}
	// The @everyone deny applies to the bot's whole base permissions.
	h.expect(h.api("POST", "/channels/"+ch2+"/messages", map[string]any{"content": "hi"}), 403, codeMissingPermissions)
	// A role allow on the bot's role wins over the @everyone deny...
	if err := h.srv.SetOverwrite(ch2, Overwrite{ID: botRole, Type: OverwriteRole, Allow: PermSendMessages}); err != nil {
		t.Fatal(err)
	}
	h.post(ch2, "role allow wins")
	// ...and a member deny wins over both.
	if err := h.srv.SetOverwrite(ch2, Overwrite{ID: h.srv.BotUserID(), Type: OverwriteMember, Deny: PermSendMessages}); err != nil {
		t.Fatal(err)
	}
	h.expect(h.api("POST", "/channels/"+ch2+"/messages", map[string]any{"content": "hi"}), 403, codeMissingPermissions)

	// Administrator role bypasses every overwrite.
	adminRole, err := h.srv.CreateRole(g.ID, "bot-admin", PermAdministrator)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.srv.AddMemberRole(g.ID, h.srv.BotUserID(), adminRole); err != nil {
		t.Fatal(err)
	}
	h.post(ch2, "admin wins")
	if st := h.srv.Stats(); st.InvalidRequests != 4 {
		t.Fatalf("invalid = %d, want 4", st.InvalidRequests)
	}
	h.srv.RequireNoViolations(t)
}

func TestCategoryOverwritesNotInherited(t *testing.T) {
	h := newHarness(t, Options{})
	g := h.srv.st.guilds[h.world.GuildID]
	// Denying the bot on the category does not affect an existing child.
	if err := h.srv.SetOverwrite(h.world.CategoryID, Overwrite{ID: g.BotRoleID, Type: OverwriteRole, Deny: PermViewChannel}); err != nil {
		t.Fatal(err)
	}
	h.post(h.world.ChannelIDs["lobby"], "still fine")
	h.srv.RequireNoViolations(t)
}

func TestGuildChannelsREST(t *testing.T) {
	h := newHarness(t, Options{})
	gid := h.world.GuildID
	g := h.srv.st.guilds[gid]
	body := map[string]any{
		"name": "duel-1", "type": 0, "parent_id": h.world.CategoryID,
		"permission_overwrites": []any{
			map[string]any{"id": gid, "type": 0, "allow": "0", "deny": strconv.FormatUint(PermViewChannel, 10)},
			map[string]any{"id": h.world.MemberIDs[0], "type": 1, "allow": strconv.FormatUint(PermViewChannel|PermSendMessages, 10), "deny": "0"},
		},
	}
	r := h.api("POST", "/guilds/"+gid+"/channels", body)
	h.expect(r, 201, -1)
	ch := r.json(t)
	id := ch["id"].(string)
	if ch["parent_id"] != h.world.CategoryID || len(ch["permission_overwrites"].([]any)) != 2 {
		t.Fatalf("created %v", ch)
	}
	h.waitEvent("CHANNEL_CREATE")
	// @everyone is denied VIEW_CHANNEL and the bot has no overwrite of its
	// own: 50001, and it cannot add one to a channel it cannot see.
	h.expect(h.api("POST", "/channels/"+id+"/messages", map[string]any{"content": "x"}), 403, codeMissingAccess)
	h.expect(h.api("PUT", "/channels/"+id+"/permissions/"+g.BotRoleID, map[string]any{"type": 0, "allow": strconv.FormatUint(PermViewChannel, 10), "deny": "0"}), 403, codeMissingAccess)

	// Modify: rename, move out of the category, replace overwrites.
	r = h.api("PATCH", "/channels/"+h.world.ChannelIDs["duels"], `{"name":"arena","parent_id":null,"permission_overwrites":[{"id":"`+g.BotRoleID+`","type":0,"allow":"`+strconv.FormatUint(PermViewChannel, 10)+`","deny":"0"}]}`)
	h.expect(r, 200, -1)
	mod := r.json(t)
	if mod["name"] != "arena" || mod["parent_id"] != nil || len(mod["permission_overwrites"].([]any)) != 1 {
		t.Fatalf("modified %v", mod)
	}
	duels := h.world.ChannelIDs["duels"]
	h.expect(h.api("PUT", "/channels/"+duels+"/permissions/"+h.world.MemberIDs[1], map[string]any{"type": 1, "allow": "0", "deny": strconv.FormatUint(PermSendMessages, 10)}), 204, -1)
	h.expect(h.api("DELETE", "/channels/"+duels+"/permissions/"+h.world.MemberIDs[1], nil), 204, -1)
	h.expect(h.api("DELETE", "/channels/"+duels+"/permissions/"+h.world.MemberIDs[1], nil), 404, codeUnknownOverwrite)
	// The bot cannot grant what it does not have.
	h.expect(h.api("PUT", "/channels/"+duels+"/permissions/"+h.world.MemberIDs[1], map[string]any{"type": 1, "allow": strconv.FormatUint(PermAdministrator, 10), "deny": "0"}), 403, codeMissingPermissions)

	chans := h.api("GET", "/guilds/"+gid+"/channels", nil).list(t)
	if len(chans) != 5 {
		t.Fatalf("%d channels", len(chans))
	}
	h.expect(h.api("DELETE", "/channels/"+duels, nil), 200, -1)
	h.expect(h.api("GET", "/channels/"+duels, nil), 404, codeUnknownChannel)
	ctl, _ := h.srv.Channels(gid)
	if len(ctl) != 4 {
		t.Fatalf("control channels %d", len(ctl))
	}
	h.srv.RequireNoViolations(t)
}

func TestGuildMembersRolesDM(t *testing.T) {
	h := newHarness(t, Options{})
	gid := h.world.GuildID
	guild := h.api("GET", "/guilds/"+gid, nil).json(t)
	if guild["name"] != "Together Demo" || guild["owner_id"] != h.world.OwnerID {
		t.Fatalf("guild %v", guild)
	}
	if one := h.api("GET", "/guilds/"+gid+"/members", nil).list(t); len(one) != 1 {
		t.Fatalf("default member limit must be 1, got %d", len(one))
	}
	all := h.api("GET", "/guilds/"+gid+"/members?limit=100", nil).list(t)
	if len(all) != 5 { // owner, bot, admin, bob, carol
		t.Fatalf("%d members", len(all))
	}
	m := h.api("GET", "/guilds/"+gid+"/members/"+h.world.AdminID, nil).json(t)
	if m["user"].(map[string]any)["username"] != "alice-admin" {
		t.Fatalf("member %v", m)
	}
	roles := h.api("GET", "/guilds/"+gid+"/roles", nil).list(t)
	if len(roles) != 3 || roles[0]["id"] != gid || roles[1]["managed"] != true {
		t.Fatalf("roles %v", roles)
	}
	bob := h.world.MemberIDs[0]
	dm := h.api("POST", "/users/@me/channels", map[string]any{"recipient_id": bob}).json(t)
	if dm["type"].(float64) != 1 {
		t.Fatalf("dm %v", dm)
	}
	again := h.api("POST", "/users/@me/channels", map[string]any{"recipient_id": bob}).json(t)
	if again["id"] != dm["id"] {
		t.Fatal("DM channel not reused")
	}
	h.post(dm["id"].(string), "psst")
	dms, err := h.srv.DMs(bob)
	if err != nil || len(dms) != 1 || dms[0]["content"] != "psst" {
		t.Fatalf("dms %v %v", dms, err)
	}
	if err := h.srv.RemoveMember(gid, bob); err != nil {
		t.Fatal(err)
	}
	h.waitEvent("GUILD_MEMBER_REMOVE")
	// No guild in common any more: Discord refuses the DM.
	h.expect(h.api("POST", "/channels/"+dm["id"].(string)+"/messages", map[string]any{"content": "still there?"}), 403, codeCannotSendToUser)
	h.expect(h.api("GET", "/guilds/"+gid+"/members/"+bob, nil), 404, codeUnknownMember)
	h.srv.RequireNoViolations(t)
}

func TestCommandsREST(t *testing.T) {
	h := newHarness(t, Options{})
	app := h.srv.AppID()
	cmds := []any{
		map[string]any{"name": "ping", "description": "Ping", "type": 1},
		map[string]any{"name": "duel", "description": "Duels", "options": []any{
			map[string]any{"type": 2, "name": "round", "description": "Rounds", "options": []any{
				map[string]any{"type": 1, "name": "start", "description": "Start", "options": []any{
					map[string]any{"type": 6, "name": "opponent", "description": "Who", "required": true},
				}},
			}},
		}},
	}
	r := h.api("PUT", "/applications/"+app+"/commands", cmds)
	h.expect(r, 200, -1)
	got := r.list(t)
	if len(got) != 2 || got[0]["id"] == nil || got[0]["application_id"] != app {
		t.Fatalf("overwrite %v", got)
	}
	// Ids survive a re-overwrite of the same names.
	again := h.api("PUT", "/applications/"+app+"/commands", cmds).list(t)
	if again[0]["id"] != got[0]["id"] {
		t.Fatal("bulk overwrite changed ids")
	}
	if list := h.api("GET", "/applications/"+app+"/commands", nil).list(t); len(list) != 2 {
		t.Fatalf("list %v", list)
	}
	gpath := "/applications/" + app + "/guilds/" + h.world.GuildID + "/commands"
	r = h.api("POST", gpath, map[string]any{"name": "local", "description": "Guild only"})
	h.expect(r, 201, -1)
	local := r.json(t)
	if local["guild_id"] != h.world.GuildID {
		t.Fatalf("guild command %v", local)
	}
	h.expect(h.api("DELETE", gpath+"/"+local["id"].(string), nil), 204, -1)
	if list := h.api("GET", gpath, nil).list(t); len(list) != 0 {
		t.Fatalf("guild list %v", list)
	}
	h.expect(h.api("GET", "/applications/999999999999999/commands", nil), 403, codeMissingAccess)
	h.srv.RequireNoViolations(t)
}

func TestNewChannelSyncsWithCategory(t *testing.T) {
	h := newHarness(t, Options{})
	gid := h.world.GuildID
	deny := Overwrite{ID: gid, Type: OverwriteRole, Deny: PermSendMessages}
	if err := h.srv.SetOverwrite(h.world.CategoryID, deny); err != nil {
		t.Fatal(err)
	}
	// No permission_overwrites sent: the channel starts synced (a copy).
	synced := h.api("POST", "/guilds/"+gid+"/channels", map[string]any{"name": "synced", "parent_id": h.world.CategoryID}).json(t)
	if ows := synced["permission_overwrites"].([]any); len(ows) != 1 {
		t.Fatalf("not synced: %v", synced)
	}
	// An explicit empty list means no overwrites.
	own := h.api("POST", "/guilds/"+gid+"/channels", map[string]any{"name": "own", "parent_id": h.world.CategoryID, "permission_overwrites": []any{}}).json(t)
	if ows := own["permission_overwrites"].([]any); len(ows) != 0 {
		t.Fatalf("explicit overwrites ignored: %v", own)
	}
	sid := synced["id"].(string)
	h.expect(h.api("POST", "/channels/"+sid+"/messages", map[string]any{"content": "x"}), 403, codeMissingPermissions)
	h.post(own["id"].(string), "no overwrites here")
	// Later category edits do not propagate: still 50013, not 50001.
	if err := h.srv.SetOverwrite(h.world.CategoryID, Overwrite{ID: gid, Type: OverwriteRole, Deny: PermViewChannel}); err != nil {
		t.Fatal(err)
	}
	h.expect(h.api("POST", "/channels/"+sid+"/messages", map[string]any{"content": "x"}), 403, codeMissingPermissions)
	h.srv.RequireNoViolations(t)
}
