package discordsim

import (
	"embed"
	"io/fs"
	"net/http"
	"slices"
)

// playgroundFiles is the browser playground: plain HTML, CSS and
// JavaScript, no build step. It uses only the control API.
//
//go:embed playground
var playgroundFiles embed.FS

// playgroundPath is where the playground is served.
const playgroundPath = "/playground/"

// PlaygroundURL is the address of the browser playground.
func (s *Server) PlaygroundURL() string { return s.URL() + playgroundPath }

func playgroundHandler() http.Handler {
	sub, err := fs.Sub(playgroundFiles, "playground")
	if err != nil {
		panic("discordsim: playground files missing from the binary: " + err.Error())
	}
	files := http.StripPrefix(playgroundPath, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}

// GuildView is what one member sees of a guild: GET
// /_sim/guilds/{guild_id}/view?as_user=ID, used by the playground.
type GuildView struct {
	Guild      GuildInfo        `json:"guild"`
	BotPresent bool             `json:"bot_present"`
	Members    []ViewMember     `json:"members"`
	Roles      []ViewRole       `json:"roles"`
	Channels   []map[string]any `json:"channels"`
	// Commands are the registered commands usable there: the guild's,
	// then global ones, as GET …/commands returns them.
	Commands []map[string]any `json:"commands"`
}

// ViewMember is a guild member in a GuildView.
type ViewMember struct {
	ID       string   `json:"id"`
	Username string   `json:"username"`
	Bot      bool     `json:"bot"`
	Admin    bool     `json:"admin"`
	RoleIDs  []string `json:"role_ids"`
}

// ViewRole is a role in a GuildView.
type ViewRole struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// GuildViewAs returns the guild as userID sees it: only channels with
// VIEW_CHANNEL for them (every channel when userID is empty).
func (s *Server) GuildViewAs(guildID, userID string) (GuildView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.guilds[guildID]
	if g == nil {
		return GuildView{}, controlErr(http.StatusNotFound, "unknown guild %s", guildID)
	}
	var viewer *member
	if userID != "" {
		if viewer = g.Members[userID]; viewer == nil {
			return GuildView{}, controlErr(http.StatusBadRequest, "user %s is not a member of guild %s", userID, guildID)
		}
	}
	v := GuildView{
		Guild:      GuildInfo{ID: g.ID, Name: g.Name, OwnerID: g.OwnerID, BotRoleID: g.BotRoleID},
		BotPresent: s.botMember(g) != nil,
		Members:    []ViewMember{}, Roles: []ViewRole{}, Channels: []map[string]any{}, Commands: []map[string]any{},
	}
	for _, uid := range g.MemberOrder {
		m, u := g.Members[uid], s.st.users[uid]
		v.Members = append(v.Members, ViewMember{ID: uid, Username: u.Username, Bot: u.Bot,
			Admin: basePermissions(g, m)&PermAdministrator != 0, RoleIDs: slices.Clone(m.Roles)})
	}
	for _, rid := range g.RoleOrder {
		v.Roles = append(v.Roles, ViewRole{ID: rid, Name: g.Roles[rid].Name})
	}
	for _, cid := range g.ChannelIDs {
		ch := s.st.channels[cid]
		if viewer != nil && channelPermissions(g, viewer, ch)&PermViewChannel == 0 {
			continue
		}
		v.Channels = append(v.Channels, s.channelJSON(ch))
	}
	for _, c := range s.st.guildCommands[g.ID] {
		v.Commands = append(v.Commands, s.commandJSON(c))
	}
	for _, c := range s.st.globalCommands {
		v.Commands = append(v.Commands, s.commandJSON(c))
	}
	return v, nil
}
