package interaction

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/customid"
)

// A component's or modal's shape (component type, id arguments, select
// values) is declared on its registration and checked here twice: at start,
// that the declaration is complete, and on every interaction, that what
// arrived matches it. A mismatch is a damaged or forged id and gets the same
// answer as an id that fails to parse (badIDError), never the generic error.

// maxSelectValues is Discord's ceiling for a select's max_values.
const maxSelectValues = 25

// errShape wraps every interaction that does not match its declaration.
var errShape = errors.New("interaction does not match its component")

// discordID is what an entity select's values are checked against.
var discordID = customid.Snowflake("value")

func isSelect(t discord.ComponentType) bool {
	switch t {
	case discord.ComponentTypeStringSelectMenu, discord.ComponentTypeUserSelectMenu, discord.ComponentTypeRoleSelectMenu,
		discord.ComponentTypeMentionableSelectMenu, discord.ComponentTypeChannelSelectMenu:
		return true
	}
	return false
}

func (c Component) routeKey() string { return c.Module + ":" + c.Action }
func (m Modal) routeKey() string     { return m.Module + ":" + m.Action }

// validateID is the start-up check components and modals share: a valid
// module:action id, a handler and typed id arguments.
func validateID(what, module, action string, hasHandler bool, args []customid.Arg) error {
	if _, err := customid.New(module, action); err != nil || !hasHandler {
		return fmt.Errorf("%s %s:%s: invalid module/action or no handler", what, module, action)
	}
	if err := typedArgs(args); err != nil {
		return fmt.Errorf("%s %s:%s: %w", what, module, action, err)
	}
	return nil
}

// validate is the start-up check of a Component's declaration.
func (c Component) validate() error {
	if err := validateID("component", c.Module, c.Action, c.Handle != nil, c.Args); err != nil {
		return err
	}
	switch {
	case c.Type == discord.ComponentTypeButton:
		if c.Values.Min != 0 || c.Values.Max != 0 || declared(c.Values.Each) {
			return fmt.Errorf("component %s:%s: a button has no Values", c.Module, c.Action)
		}
	case isSelect(c.Type):
		v := c.Values
		if v.Min < 0 || v.Max < 1 || v.Min > v.Max || v.Max > maxSelectValues {
			return fmt.Errorf("component %s:%s: select Values need 0 <= Min <= Max, 1 <= Max <= %d (got %d..%d)",
				c.Module, c.Action, maxSelectValues, v.Min, v.Max)
		}
		stringSelect := c.Type == discord.ComponentTypeStringSelectMenu
		if err := v.Each.Typed(); stringSelect && err != nil {
			return fmt.Errorf("component %s:%s: a string select needs Values.Each: %w", c.Module, c.Action, err)
		}
		if !stringSelect && declared(v.Each) {
			return fmt.Errorf("component %s:%s: Values.Each is for string selects; entity selects carry Discord ids", c.Module, c.Action)
		}
	default:
		return fmt.Errorf("component %s:%s: Type must be a button or a select (got %d)", c.Module, c.Action, c.Type)
	}
	return nil
}

// validate is the start-up check of a Modal's declaration.
func (m Modal) validate() error {
	return validateID("modal", m.Module, m.Action, m.Handle != nil, m.Args)
}

// declared reports an Arg that was set at all (typed or only named).
func declared(a customid.Arg) bool { return a.Name != "" || a.Typed() == nil }

func typedArgs(args []customid.Arg) error {
	for i, a := range args {
		if err := a.Typed(); err != nil {
			return fmt.Errorf("argument %d: %w", i, err)
		}
	}
	return nil
}

// check matches one interaction against the declaration.
func (c Component) check(id customid.ID, data discord.ComponentInteractionData) error {
	if got := data.Type(); got != c.Type {
		return fmt.Errorf("%w: %s:%s is component type %d, the interaction came from type %d", errShape, c.Module, c.Action, c.Type, got)
	}
	if err := customid.CheckArgs(id, c.Args); err != nil {
		return err
	}
	if !isSelect(c.Type) {
		return nil
	}
	values := selectValues(data)
	if n := len(values); n < c.Values.Min || n > c.Values.Max {
		return fmt.Errorf("%w: %s:%s takes %d..%d values, got %d", errShape, c.Module, c.Action, c.Values.Min, c.Values.Max, n)
	}
	each := c.Values.Each
	if c.Type != discord.ComponentTypeStringSelectMenu {
		each = discordID
	}
	for _, v := range values {
		if err := each.Check(v); err != nil {
			return fmt.Errorf("%w: %s:%s value: %w", errShape, c.Module, c.Action, err)
		}
	}
	return nil
}

// selectValues are a select interaction's values as strings.
func selectValues(data discord.ComponentInteractionData) []string {
	switch d := data.(type) {
	case discord.StringSelectMenuInteractionData:
		return d.Values
	case discord.UserSelectMenuInteractionData:
		return idStrings(d.Values)
	case discord.RoleSelectMenuInteractionData:
		return idStrings(d.Values)
	case discord.MentionableSelectMenuInteractionData:
		return idStrings(d.Values)
	case discord.ChannelSelectMenuInteractionData:
		return idStrings(d.Values)
	}
	return nil
}

func idStrings(ids []snowflake.ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// Renders reports whether rendered, a button or select a module puts on a
// message, is one this declaration accepts when clicked: the same type, a
// custom id whose arguments pass Args, and for selects min/max values within
// Values and (string selects) every option's value passing Each. Modules
// test their messages with it through interactiontest.RequireAccepted, so
// the router never refuses a module's own components.
func (c Component) Renders(rendered discord.Component) error {
	raw, err := json.Marshal(rendered)
	if err != nil {
		return fmt.Errorf("encode rendered component: %w", err)
	}
	var r struct {
		Type      discord.ComponentType `json:"type"`
		CustomID  string                `json:"custom_id"`
		MinValues *int                  `json:"min_values"`
		MaxValues *int                  `json:"max_values"`
		Options   []struct {
			Value string `json:"value"`
		} `json:"options"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("decode rendered component: %w", err)
	}
	if r.Type != c.Type {
		return fmt.Errorf("%s:%s is declared as component type %d but rendered as %d", c.Module, c.Action, c.Type, r.Type)
	}
	id, err := customid.Parse(r.CustomID)
	if err != nil {
		return err
	}
	if err := customid.CheckArgs(id, c.Args); err != nil {
		return err
	}
	if !isSelect(c.Type) {
		return nil
	}
	// Discord's defaults when a select leaves them out.
	lo, hi := 1, 1
	if r.MinValues != nil {
		lo = *r.MinValues
	}
	if r.MaxValues != nil && *r.MaxValues != 0 {
		hi = *r.MaxValues
	}
	if lo < c.Values.Min || hi > c.Values.Max {
		return fmt.Errorf("%s:%s renders %d..%d values, declared %d..%d", c.Module, c.Action, lo, hi, c.Values.Min, c.Values.Max)
	}
	for _, o := range r.Options {
		if err := c.Values.Each.Check(o.Value); err != nil {
			return fmt.Errorf("%s:%s option: %w", c.Module, c.Action, err)
		}
	}
	return nil
}
