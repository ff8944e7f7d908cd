package discordsim

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
)

// Application command option types.
const (
	optSubCommand      = 1
	optSubCommandGroup = 2
	optString          = 3
	optInteger         = 4
	optBoolean         = 5
	optUser            = 6
	optChannel         = 7
	optRole            = 8
	optMentionable     = 9
	optNumber          = 10
	optAttachment      = 11
)

// resolved collects data.resolved for user/channel/role options.
type resolved struct {
	users, members, roles, channels map[string]any
}

func newResolved() *resolved {
	return &resolved{users: map[string]any{}, members: map[string]any{}, roles: map[string]any{}, channels: map[string]any{}}
}

func (r *resolved) empty() bool {
	return len(r.users)+len(r.members)+len(r.roles)+len(r.channels) == 0
}

func (r *resolved) json() map[string]any {
	out := map[string]any{}
	for k, v := range map[string]map[string]any{"users": r.users, "members": r.members, "roles": r.roles, "channels": r.channels} {
		if len(v) > 0 {
			out[k] = v
		}
	}
	return out
}

// buildOptions walks the subcommand path and converts the given option
// values to what Discord would send, refusing anything a Discord client
// could not submit. Caller holds s.mu.
func (s *Server) buildOptions(g *guild, ch *channel, defs []commandOption, path []string, given map[string]any, res *resolved) ([]any, error) {
	hasSubs := false
	for _, d := range defs {
		if d.Type == optSubCommand || d.Type == optSubCommandGroup {
			hasSubs = true
		}
	}
	if hasSubs {
		if len(path) == 0 {
			return nil, controlErr(http.StatusBadRequest, "command needs a subcommand (one of %v)", optionNames(defs))
		}
		for _, d := range defs {
			if d.Name != path[0] || (d.Type != optSubCommand && d.Type != optSubCommandGroup) {
				continue
			}
			if d.Type == optSubCommand && len(path) > 1 {
				return nil, controlErr(http.StatusBadRequest, "%q is a subcommand, %q is too much", d.Name, path[1])
			}
			inner, err := s.buildOptions(g, ch, d.Options, path[1:], given, res)
			if err != nil {
				return nil, err
			}
			opt := map[string]any{"name": d.Name, "type": d.Type, "options": inner}
			return []any{opt}, nil
		}
		return nil, controlErr(http.StatusBadRequest, "unknown subcommand %q (have %v)", path[0], optionNames(defs))
	}
	if len(path) > 0 {
		return nil, controlErr(http.StatusBadRequest, "unknown subcommand %q: command has none", path[0])
	}
	for name := range given {
		if findOption(defs, name) == nil {
			return nil, controlErr(http.StatusBadRequest, "unknown option %q (have %v)", name, optionNames(defs))
		}
	}
	out := []any{}
	for _, d := range defs {
		v, ok := given[d.Name]
		if !ok || v == nil {
			if d.Required {
				return nil, controlErr(http.StatusBadRequest, "required option %q missing", d.Name)
			}
			continue
		}
		conv, err := s.convertOption(g, ch, d, v, res)
		if err != nil {
			return nil, controlErr(http.StatusBadRequest, "option %q: %v", d.Name, err)
		}
		out = append(out, map[string]any{"name": d.Name, "type": d.Type, "value": conv})
	}
	return out, nil
}

func optionNames(defs []commandOption) []string {
	names := make([]string, 0, len(defs))
	for _, d := range defs {
		names = append(names, d.Name)
	}
	return names
}

func findOption(defs []commandOption, name string) *commandOption {
	for i := range defs {
		if defs[i].Name == name {
			return &defs[i]
		}
	}
	return nil
}

// convertOption type-checks a value against its registered option type.
func (s *Server) convertOption(g *guild, ch *channel, d commandOption, v any, res *resolved) (any, error) {
	var out any
	switch d.Type {
	case optString:
		str, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %T", v)
		}
		out = str
	case optInteger:
		f, ok := toFloat(v)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return nil, fmt.Errorf("want an integer, got %v", v)
		}
		out = int64(f)
	case optNumber:
		f, ok := toFloat(v)
		if !ok {
			return nil, fmt.Errorf("want a number, got %v", v)
		}
		out = f
	case optBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("want a boolean, got %T", v)
		}
		out = b
	case optUser, optChannel, optRole, optMentionable:
		id := fmt.Sprint(v)
		if err := s.resolveEntity(g, ch, d.Type, id, res); err != nil {
			return nil, err
		}
		out = id
	default:
		return nil, fmt.Errorf("option type %d is not supported by discordsim", d.Type)
	}
	if len(d.Choices) > 0 && !matchesChoice(d.Choices, out) {
		return nil, fmt.Errorf("value %v is not one of the registered choices", out)
	}
	return out, nil
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

func matchesChoice(choices []commandChoice, v any) bool {
	for _, c := range choices {
		cf, cIsNum := toFloat(c.Value)
		if _, isStr := c.Value.(string); isStr {
			cIsNum = false
		}
		switch val := v.(type) {
		case string:
			if c.Value == val {
				return true
			}
		case int64:
			if cIsNum && cf == float64(val) {
				return true
			}
		case float64:
			if cIsNum && cf == val {
				return true
			}
		}
	}
	return false
}

// resolveEntity fills data.resolved for a user, channel or role id.
func (s *Server) resolveEntity(g *guild, ch *channel, typ int, id string, res *resolved) error {
	if (typ == optUser || typ == optMentionable) && s.st.users[id] != nil {
		res.users[id] = s.userJSON(id)
		if g != nil {
			if m := g.Members[id]; m != nil {
				mem := s.memberJSON(g, m, false)
				mem["permissions"] = permString(channelPermissions(g, m, ch))
				res.members[id] = mem
			}
		}
		return nil
	}
	if (typ == optRole || typ == optMentionable) && g != nil && g.Roles[id] != nil {
		res.roles[id] = roleJSON(g.Roles[id])
		return nil
	}
	if typ == optChannel {
		if c := s.st.channels[id]; c != nil && c.GuildID == ch.GuildID {
			cj := map[string]any{"id": c.ID, "name": c.Name, "type": c.Type, "parent_id": nullable(c.ParentID), "flags": 0}
			if g != nil {
				cj["permissions"] = permString(channelPermissions(g, g.Members[s.opts.BotUserID], c))
			}
			res.channels[id] = cj
			return nil
		}
	}
	return fmt.Errorf("unknown id %q for option type %d", id, typ)
}
