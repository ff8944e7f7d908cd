package discordsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"unicode/utf8"
)

// Component types the emulator reasons about.
const (
	compActionRow     = 1
	compButton        = 2
	compStringSelect  = 3
	compTextInput     = 4
	compUserSelect    = 5
	compRoleSelect    = 6
	compMentionSelect = 7
	compChannelSelect = 8
	compTextDisplay   = 10
	compLabel         = 18
)

// foundComponent is an interactive component located in a message or modal.
type foundComponent map[string]any

func (c foundComponent) typ() int {
	f, _ := c["type"].(float64)
	return int(f)
}

func (c foundComponent) str(k string) string { s, _ := c[k].(string); return s }

func (c foundComponent) num(k string, def int) int {
	if f, ok := c[k].(float64); ok {
		return int(f)
	}
	return def
}

// walkComponents visits every component of a tree: rows, sections
// (accessory), containers and labels (component).
func walkComponents(list []any, visit func(foundComponent)) {
	for _, raw := range list {
		c, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		visit(c)
		if kids, ok := c["components"].([]any); ok {
			walkComponents(kids, visit)
		}
		for _, k := range []string{"accessory", "component"} {
			if kid, ok := c[k].(map[string]any); ok {
				walkComponents([]any{kid}, visit)
			}
		}
	}
}

func findByCustomID(list []any, customID string) foundComponent {
	var found foundComponent
	walkComponents(list, func(c foundComponent) {
		if found == nil && c.str("custom_id") == customID {
			found = c
		}
	})
	return found
}

// componentData checks that the clicked component really is on the
// message and enabled, like a Discord client would. Caller holds s.mu.
func (s *Server) componentData(it *interaction, g *guild, ch *channel, spec InteractionSpec) (map[string]any, map[string]any, error) {
	m := s.st.messages[spec.MessageID]
	if m == nil || m.ChannelID != ch.ID {
		return nil, nil, controlErr(http.StatusBadRequest, "unknown message %q in channel %s", spec.MessageID, ch.ID)
	}
	if m.EphemeralTo != "" && m.EphemeralTo != spec.UserID {
		return nil, nil, controlErr(http.StatusBadRequest, "message %s is ephemeral to another user", m.ID)
	}
	if spec.Forged {
		return s.forgedComponentData(it, m, spec)
	}
	var comps []any
	_ = json.Unmarshal(rawOrEmpty(m.Components), &comps)
	c := findByCustomID(comps, spec.CustomID)
	if c == nil || spec.CustomID == "" {
		return nil, nil, controlErr(http.StatusBadRequest, "custom_id %q is not on message %s", spec.CustomID, m.ID)
	}
	if disabled, _ := c["disabled"].(bool); disabled {
		return nil, nil, controlErr(http.StatusBadRequest, "component %q is disabled", spec.CustomID)
	}
	data := map[string]any{"custom_id": spec.CustomID, "component_type": c.typ()}
	switch c.typ() {
	case compButton:
		if len(spec.Values) > 0 {
			return nil, nil, controlErr(http.StatusBadRequest, "a button has no values")
		}
	case compStringSelect, compUserSelect, compRoleSelect, compMentionSelect, compChannelSelect:
		values, res, err := s.selectValues(g, ch, c, spec.Values)
		if err != nil {
			return nil, nil, controlErr(http.StatusBadRequest, "select %q: %v", spec.CustomID, err)
		}
		data["values"] = values
		if res != nil && !res.empty() {
			data["resolved"] = res.json()
		}
	default:
		return nil, nil, controlErr(http.StatusBadRequest, "component %q (type %d) is not interactive", spec.CustomID, c.typ())
	}
	it.SourceMessageID = m.ID
	return data, map[string]any{"message": s.messageJSON(m)}, nil
}

// forgedComponentData builds the data of a forged click (InteractionSpec.Forged)
// on message m. Caller holds s.mu.
func (s *Server) forgedComponentData(it *interaction, m *message, spec InteractionSpec) (map[string]any, map[string]any, error) {
	if spec.ComponentType == 0 {
		return nil, nil, controlErr(http.StatusBadRequest, "a forged component needs a component_type")
	}
	data := map[string]any{"custom_id": spec.CustomID, "component_type": spec.ComponentType}
	if spec.Values != nil {
		data["values"] = spec.Values
	}
	it.SourceMessageID = m.ID
	return data, map[string]any{"message": s.messageJSON(m)}, nil
}

// selectValues checks a select menu's values: count within
// min_values..max_values and, for string selects, one of the options.
func (s *Server) selectValues(g *guild, ch *channel, c foundComponent, values []string) ([]string, *resolved, error) {
	minV, maxV := c.num("min_values", 1), c.num("max_values", 1)
	if len(values) < minV || len(values) > maxV {
		return nil, nil, fmt.Errorf("%d values, want %d..%d", len(values), minV, maxV)
	}
	if values == nil {
		values = []string{}
	}
	if c.typ() == compStringSelect {
		opts, _ := c["options"].([]any)
		for _, v := range values {
			if !slices.ContainsFunc(opts, func(o any) bool { om, _ := o.(map[string]any); return om["value"] == v }) {
				return nil, nil, fmt.Errorf("value %q is not an option", v)
			}
		}
		return values, nil, nil
	}
	optType := map[int]int{compUserSelect: optUser, compRoleSelect: optRole, compMentionSelect: optMentionable, compChannelSelect: optChannel}[c.typ()]
	res := newResolved()
	for _, v := range values {
		if err := s.resolveEntity(g, ch, optType, v, res); err != nil {
			return nil, nil, err
		}
	}
	return values, res, nil
}

// modalData builds a MODAL_SUBMIT from a modal the bot showed this user,
// mirroring its layout (action rows or labels) as Discord does. Caller
// holds s.mu.
func (s *Server) modalData(it *interaction, spec InteractionSpec) (map[string]any, map[string]any, error) {
	shown := s.st.modalsShown[spec.UserID]
	idx := -1
	for i := len(shown) - 1; i >= 0; i-- {
		if shown[i].CustomID == spec.CustomID && shown[i].ChannelID == it.ChannelID {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, nil, controlErr(http.StatusBadRequest, "no modal %q is open for user %s in channel %s", spec.CustomID, spec.UserID, it.ChannelID)
	}
	modal := shown[idx]
	used := map[string]bool{}
	comps := make([]any, 0, len(modal.Components))
	for _, raw := range modal.Components {
		top, _ := raw.(map[string]any)
		out, err := submitComponent(foundComponent(top), spec.Fields, used)
		if err != nil {
			return nil, nil, controlErr(http.StatusBadRequest, "modal %q: %v", spec.CustomID, err)
		}
		comps = append(comps, out)
	}
	for k := range spec.Fields {
		if !used[k] {
			return nil, nil, controlErr(http.StatusBadRequest, "modal %q has no input %q", spec.CustomID, k)
		}
	}
	// The modal is closed by submitting it.
	s.st.modalsShown[spec.UserID] = append(shown[:idx:idx], shown[idx+1:]...)
	it.SourceMessageID = modal.MessageID
	var extra map[string]any
	if m := s.st.messages[modal.MessageID]; m != nil {
		extra = map[string]any{"message": s.messageJSON(m)}
	}
	return map[string]any{"custom_id": spec.CustomID, "components": comps}, extra, nil
}

// submitComponent turns one modal component into its submitted form.
func submitComponent(c foundComponent, fields map[string]any, used map[string]bool) (map[string]any, error) {
	out := map[string]any{"type": c.typ()}
	if id, ok := c["id"]; ok {
		out["id"] = id
	}
	switch c.typ() {
	case compActionRow:
		kids, _ := c["components"].([]any)
		subs := []any{}
		for _, k := range kids {
			km, _ := k.(map[string]any)
			sub, err := submitComponent(foundComponent(km), fields, used)
			if err != nil {
				return nil, err
			}
			subs = append(subs, sub)
		}
		out["components"] = subs
	case compLabel:
		kid, _ := c["component"].(map[string]any)
		sub, err := submitComponent(foundComponent(kid), fields, used)
		if err != nil {
			return nil, err
		}
		out["component"] = sub
	case compTextInput:
		id := c.str("custom_id")
		out["custom_id"] = id
		v, given := fields[id]
		str, isStr := v.(string)
		if given && !isStr {
			return nil, fmt.Errorf("input %q wants a string", id)
		}
		used[id] = given
		required := true
		if r, ok := c["required"].(bool); ok {
			required = r
		}
		n := utf8.RuneCountInString(str)
		if required && n == 0 {
			return nil, fmt.Errorf("input %q is required", id)
		}
		if n > 0 && (n < c.num("min_length", 0) || n > c.num("max_length", 4000)) {
			return nil, fmt.Errorf("input %q length %d outside %d..%d", id, n, c.num("min_length", 0), c.num("max_length", 4000))
		}
		out["value"] = str
	case compStringSelect, compUserSelect, compRoleSelect, compMentionSelect, compChannelSelect:
		id := c.str("custom_id")
		out["custom_id"] = id
		var values []string
		switch v := fields[id].(type) {
		case []any:
			for _, x := range v {
				values = append(values, fmt.Sprint(x))
			}
		case []string:
			values = v
		case string:
			values = []string{v}
		}
		used[id] = fields[id] != nil
		if values == nil {
			values = []string{}
		}
		out["values"] = values
	case compTextDisplay:
	default:
		return nil, fmt.Errorf("component type %d in a modal is not supported by discordsim", c.typ())
	}
	return out, nil
}

// assignComponentIDs gives every component without an "id" the next free
// number, depth first, as Discord does when it stores a message.
func assignComponentIDs(raw json.RawMessage) json.RawMessage {
	if isEmptyJSON(raw) {
		return raw
	}
	var list []any
	if err := json.Unmarshal(raw, &list); err != nil {
		return raw
	}
	used := map[int]bool{}
	walkComponents(list, func(c foundComponent) {
		if f, ok := c["id"].(float64); ok {
			used[int(f)] = true
		}
	})
	next := 1
	walkComponents(list, func(c foundComponent) {
		if _, ok := c["id"]; ok {
			return
		}
		for used[next] {
			next++
		}
		c["id"] = next
		used[next] = true
	})
	out, err := json.Marshal(list)
	if err != nil {
		return raw
	}
	return out
}
