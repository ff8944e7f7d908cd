package discordsim

// DemoGuild names what SeedDemoGuild created.
type DemoGuild struct {
	GuildID    string   `json:"guild_id"`
	OwnerID    string   `json:"owner_id"`
	AdminID    string   `json:"admin_id"`
	MemberIDs  []string `json:"member_ids"`
	CategoryID string   `json:"category_id"`
	// ChannelIDs maps channel name to id (general, lobby, duels).
	ChannelIDs  map[string]string `json:"channel_ids"`
	AdminRoleID string            `json:"admin_role_id"`
	// BotRoleID is the bot's managed role (deny it in overwrites to test
	// the bot's 403 paths).
	BotRoleID string `json:"bot_role_id"`
}

// SeedDemoGuild builds a small world for `make run`: a guild with its
// owner, an admin, two members, a category and a few text channels.
func (s *Server) SeedDemoGuild() (DemoGuild, error) {
	d := DemoGuild{ChannelIDs: map[string]string{}}
	var err error
	if d.GuildID, err = s.CreateGuild("Together Demo"); err != nil {
		return d, err
	}
	s.mu.Lock()
	d.OwnerID = s.st.guilds[d.GuildID].OwnerID
	d.BotRoleID = s.st.guilds[d.GuildID].BotRoleID
	s.mu.Unlock()
	if d.AdminRoleID, err = s.CreateRole(d.GuildID, "Admin", PermAdministrator); err != nil {
		return d, err
	}
	if d.AdminID, err = s.AddMember(d.GuildID, MemberSpec{Username: "alice-admin", RoleIDs: []string{d.AdminRoleID}}); err != nil {
		return d, err
	}
	for _, name := range []string{"bob", "carol"} {
		id, err := s.AddMember(d.GuildID, MemberSpec{Username: name})
		if err != nil {
			return d, err
		}
		d.MemberIDs = append(d.MemberIDs, id)
	}
	if d.CategoryID, err = s.CreateChannel(d.GuildID, ChannelSpec{Name: "Games", Type: ChannelGuildCategory}); err != nil {
		return d, err
	}
	for _, c := range []struct{ name, parent string }{{"general", ""}, {"lobby", d.CategoryID}, {"duels", d.CategoryID}} {
		id, err := s.CreateChannel(d.GuildID, ChannelSpec{Name: c.name, Type: ChannelGuildText, ParentID: c.parent})
		if err != nil {
			return d, err
		}
		d.ChannelIDs[c.name] = id
	}
	return d, nil
}
