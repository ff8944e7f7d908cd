package discordsim

import (
	"encoding/json"
	"net/http"
)

// commandScope returns (a copy of) the command list a route addresses,
// checking the application id and guild; write it back with storeCommands.
// Caller holds s.mu.
func (s *Server) commandScope(rc *restCall) (*[]*command, string, error) {
	if rc.param("application_id") != s.opts.AppID {
		// Discord answers 403 when a bot addresses another application.
		return nil, "", errMissingAccess
	}
	gid := rc.param("guild_id")
	if gid == "" {
		return &s.st.globalCommands, "", nil
	}
	g := s.st.guilds[gid]
	if g == nil {
		return nil, "", errUnknown(codeUnknownGuild)
	}
	list := s.st.guildCommands[gid]
	return &list, gid, nil
}

// storeCommands replaces the global or a guild's command list. Caller
// holds s.mu.
func (s *Server) storeCommands(gid string, list []*command) {
	if gid == "" {
		s.st.globalCommands = list
		return
	}
	s.st.guildCommands[gid] = list
}

func (s *Server) commandJSON(c *command) map[string]any {
	out := make(map[string]any, len(c.Raw)+6)
	for k, v := range c.Raw {
		out[k] = v
	}
	out["id"] = c.ID
	out["application_id"] = s.opts.AppID
	out["version"] = c.ID
	out["type"] = c.Type
	if _, ok := out["description"]; !ok {
		out["description"] = ""
	}
	if _, ok := out["default_member_permissions"]; !ok {
		out["default_member_permissions"] = nil
	}
	if _, ok := out["nsfw"]; !ok {
		out["nsfw"] = false
	}
	if c.GuildID != "" {
		out["guild_id"] = c.GuildID
	} else {
		if _, ok := out["integration_types"]; !ok {
			out["integration_types"] = []int{0}
		}
		if _, ok := out["contexts"]; !ok {
			out["contexts"] = nil
		}
	}
	return out
}

// parseCommand turns a (spec-validated) command body into a command,
// keeping the id of an existing command with the same name and type, as
// Discord does on bulk overwrite.
func (s *Server) parseCommand(raw json.RawMessage, gid string, existing []*command) (*command, error) {
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, formError("_errors", "BASE_TYPE_BAD_JSON", err.Error())
	}
	var typed struct {
		Name    string          `json:"name"`
		Type    int             `json:"type"`
		Options []commandOption `json:"options"`
	}
	if err := json.Unmarshal(raw, &typed); err != nil {
		return nil, formError("options", "BASE_TYPE_BAD_JSON", err.Error())
	}
	if typed.Type == 0 {
		typed.Type = 1
	}
	c := &command{GuildID: gid, Name: typed.Name, Type: typed.Type, Raw: body, Options: typed.Options}
	for _, old := range existing {
		if old.Name == c.Name && old.Type == c.Type {
			c.ID = old.ID
		}
	}
	if c.ID == "" {
		c.ID = s.ids.next()
	}
	return c, nil
}

// commandsJSON renders a command list as Discord returns it.
func (s *Server) commandsJSON(list []*command) []any {
	out := make([]any, 0, len(list))
	for _, c := range list {
		out = append(out, s.commandJSON(c))
	}
	return out
}

// scopedCommand finds the command a route's command_id names in the list
// the route addresses (see commandScope). Caller holds s.mu.
func (s *Server) scopedCommand(rc *restCall) (list *[]*command, gid string, i int, err error) {
	list, gid, err = s.commandScope(rc)
	if err != nil {
		return nil, "", -1, err
	}
	for i, c := range *list {
		if c.ID == rc.param("command_id") {
			return list, gid, i, nil
		}
	}
	return nil, "", -1, errUnknown(codeUnknownCommand)
}

func (s *Server) listCommands(rc *restCall) (int, any, error) {
	list, _, err := s.commandScope(rc)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.commandsJSON(*list), nil
}

func (s *Server) bulkOverwriteCommands(rc *restCall) (int, any, error) {
	var raws []json.RawMessage
	if err := rc.decode(&raws); err != nil {
		return 0, nil, err
	}
	list, gid, err := s.commandScope(rc)
	if err != nil {
		return 0, nil, err
	}
	seen := map[[2]any]bool{}
	next := make([]*command, 0, len(raws))
	for i, raw := range raws {
		c, err := s.parseCommand(raw, gid, *list)
		if err != nil {
			return 0, nil, err
		}
		key := [2]any{c.Name, c.Type}
		if seen[key] {
			return 0, nil, formError(itoa(i), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[key] = true
		next = append(next, c)
	}
	s.storeCommands(gid, next)
	return http.StatusOK, s.commandsJSON(next), nil
}

func (s *Server) createCommand(rc *restCall) (int, any, error) {
	list, gid, err := s.commandScope(rc)
	if err != nil {
		return 0, nil, err
	}
	c, err := s.parseCommand(rc.body, gid, *list)
	if err != nil {
		return 0, nil, err
	}
	status := http.StatusCreated
	next := make([]*command, 0, len(*list)+1)
	for _, old := range *list {
		if old.ID == c.ID {
			status = http.StatusOK // upsert of an existing name answers 200
			continue
		}
		next = append(next, old)
	}
	s.storeCommands(gid, append(next, c))
	return status, s.commandJSON(c), nil
}

func (s *Server) getCommand(rc *restCall) (int, any, error) {
	list, _, i, err := s.scopedCommand(rc)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.commandJSON((*list)[i]), nil
}

func (s *Server) editCommand(rc *restCall) (int, any, error) {
	var patch map[string]json.RawMessage
	if err := rc.decode(&patch); err != nil {
		return 0, nil, err
	}
	list, gid, i, err := s.scopedCommand(rc)
	if err != nil {
		return 0, nil, err
	}
	c := (*list)[i]
	merged := map[string]any{}
	for k, v := range c.Raw {
		merged[k] = v
	}
	for k, v := range patch {
		var val any
		_ = json.Unmarshal(v, &val)
		merged[k] = val
	}
	merged["type"] = c.Type
	raw, _ := json.Marshal(merged)
	nc, err := s.parseCommand(raw, gid, nil)
	if err != nil {
		return 0, nil, err
	}
	nc.ID = c.ID
	(*list)[i] = nc
	s.storeCommands(gid, *list)
	return http.StatusOK, s.commandJSON(nc), nil
}

func (s *Server) deleteCommand(rc *restCall) (int, any, error) {
	list, gid, i, err := s.scopedCommand(rc)
	if err != nil {
		return 0, nil, err
	}
	next := append(append([]*command{}, (*list)[:i]...), (*list)[i+1:]...)
	s.storeCommands(gid, next)
	return http.StatusNoContent, nil, nil
}
